#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/relay_load/latency_summary.h"
#include "bench/relay_load/load_options.h"
#include "bench/relay_load/metrics_client.h"

namespace sotto::relay_load {

// Everything a throughput run measured. Times are seconds on the steady clock.
struct ThroughputResult {
  std::uint64_t planned = 0;     // clients x messages
  std::uint64_t sent = 0;        // Sends written to the relay
  std::uint64_t durable = 0;     // answered SendAck: the relay committed them
  std::uint64_t refused = 0;     // answered with an Error
  std::uint64_t unanswered = 0;  // no answer before their connection ended
  std::uint64_t delivered = 0;   // distinct envelopes of this run pushed to their recipient
  std::uint64_t duplicates = 0;  // repeated pushes of an envelope (allowed: at least once)
  std::uint64_t stale = 0;       // envelopes left by an earlier run, acknowledged and ignored
  std::uint64_t lost = 0;        // durable but never delivered
  std::uint32_t rate_limited_retries = 0;
  std::uint32_t already_registered = 0;

  double login_s = 0;      // connect + TLS + Hello + Login/Register of every client
  double durable_s = 0;    // first Send to last SendAck
  double deliver_s = 0;    // first Send to last Deliver
  LatencySummary latency;  // Send (or its due time when paced) to Deliver push
  double max_schedule_lag_ms = 0;

  std::optional<CommitCounters> commits_before;
  std::optional<CommitCounters> commits_after;
  std::optional<std::uint64_t> rss_before_kib;
  std::optional<std::uint64_t> rss_after_kib;
  // CPU seconds (user + system) from the first Send to the end of the run.
  std::optional<double> relayd_cpu_s;
  double tool_cpu_s = 0;

  std::map<std::string, std::uint64_t> errors;  // unexpected ones, by name
  bool timed_out = false;
  std::string failure;  // why the run failed; empty when it passed
};

// Runs throughput mode against the relay at options.address:options.port.
ThroughputResult run_throughput(const LoadOptions& options);

}  // namespace sotto::relay_load
