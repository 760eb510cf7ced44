#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sotto::relay_load {

// relayd's group-commit counters, as read from its Prometheus endpoint.
struct CommitCounters {
  double envelopes = 0;  // sotto_relayd_commit_envelopes_total
  double batches = 0;    // sotto_relayd_commit_batches_total
  double max_batch = 0;  // sotto_relayd_commit_batch_max (largest since relayd started)
};

// GET /metrics from 127.0.0.1:port over plain HTTP/1.1 (relayd serves metrics
// on loopback only). Returns the response body on a 200 answer; nullopt on
// any failure or when the whole exchange takes longer than timeout. The
// response is read up to 1 MiB (relayd's is under 4 KiB).
std::optional<std::string> fetch_metrics_text(std::uint16_t port, std::chrono::milliseconds timeout);

// The three commit counters from a metrics body; nullopt if any is missing.
std::optional<CommitCounters> parse_commit_counters(const std::string& body);

}  // namespace sotto::relay_load
