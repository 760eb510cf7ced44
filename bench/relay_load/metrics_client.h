#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bench/relay_load/histogram_quantile.h"

namespace sotto::relay_load {

// relayd's group-commit counters, as read from its Prometheus endpoint.
struct CommitCounters {
  double envelopes = 0;  // sotto_relayd_commit_envelopes_total
  double batches = 0;    // sotto_relayd_commit_batches_total
  double max_batch = 0;  // sotto_relayd_commit_batch_max (largest since relayd started)
  // The durability path's histograms; absent from a relayd older than them.
  std::optional<HistogramCounts> wait;   // sotto_relayd_commit_wait_seconds
  std::optional<HistogramCounts> write;  // sotto_relayd_commit_write_seconds
  std::optional<HistogramCounts> sync;   // sotto_relayd_commit_sync_seconds
};

// GET /metrics from 127.0.0.1:port over plain HTTP/1.1 (relayd serves metrics
// on loopback only). Returns the response body on a 200 answer; nullopt on
// any failure or when the whole exchange takes longer than timeout. The
// response is read up to 1 MiB (relayd's is under 8 KiB).
std::optional<std::string> fetch_metrics_text(std::uint16_t port, std::chrono::milliseconds timeout);

// The three commit counters from a metrics body; nullopt if any is missing.
// Each histogram is read too, and left empty unless every bucket is there.
std::optional<CommitCounters> parse_commit_counters(const std::string& body);

// The cumulative bucket counts of histogram NAME (NAME_bucket{le="..."}
// lines with relayd's bounds); nullopt if any bucket is missing.
std::optional<HistogramCounts> parse_histogram(const std::string& body, const std::string& name);

}  // namespace sotto::relay_load
