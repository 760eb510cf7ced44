#pragma once

#include <array>
#include <optional>

#include "relayd/server/latency_histogram.h"

namespace sotto::relay_load {

// One of relayd's latency histograms as scraped: the cumulative count of
// each bucket, in the order of relayd::LatencyHistogram's bounds, +Inf last.
using HistogramCounts = std::array<double, relayd::LatencyHistogram::kBuckets>;

// The q-quantile (0 < q < 1), in seconds, of what was observed between two
// scrapes, estimated as Prometheus's histogram_quantile() does: the bucket
// that holds the rank, and a straight line between its bounds (the first
// bucket starts at 0). A rank in the +Inf bucket gives the highest finite
// bound (the true value is at least that). nullopt when nothing was observed
// between the scrapes, when q is outside (0, 1), or when the counts are not a
// histogram (a bucket below the one before it, or counts that went down, as
// after a restart of relayd).
std::optional<double> histogram_quantile(double q, const HistogramCounts& before, const HistogramCounts& after);

}  // namespace sotto::relay_load
