#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sotto::relay_load {

// Percentiles of a set of latencies, in nanoseconds. Every sample is kept
// (8 bytes each: a run of a few hundred thousand messages needs a few MB), so
// the figures are exact rather than bucketed.
struct LatencySummary {
  std::size_t count = 0;
  std::int64_t p50_ns = 0;
  std::int64_t p99_ns = 0;
  std::int64_t p999_ns = 0;
  std::int64_t max_ns = 0;
};

// Nearest-rank percentiles (the smallest sample with at least p% of the
// samples at or below it). Sorts samples in place. All zero when empty.
LatencySummary summarize_latencies(std::vector<std::int64_t>& samples_ns);

// The nearest-rank sample for percentile p (0 < p <= 100) of sorted samples.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted_ns, double p);

}  // namespace sotto::relay_load
