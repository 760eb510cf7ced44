#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/fanout_load/fanout_options.h"
#include "bench/relay_load/latency_summary.h"
#include "bench/relay_load/metrics_client.h"
#include "bench/relay_load/report.h"

namespace sotto::fanout_load {

struct FanoutResult {
  double login_s = 0;  // every member connected and logged in
  std::uint32_t recipients = 0;
  std::uint32_t online_recipients = 0;
  std::uint32_t offline_recipients = 0;

  // The sending phase.
  std::uint64_t sent = 0;        // Sends
  std::uint64_t acked = 0;       // SendAcks: durable for every recipient
  std::uint64_t refused = 0;     // answered with an Error
  std::uint64_t unanswered = 0;  // neither, when the run ended
  double durable_s = 0;          // first Send to last SendAck
  double live_deliver_s = 0;     // first Send to the last Deliver at an online member
  std::uint64_t delivered_live = 0;
  relay_load::LatencySummary latency;  // Send to Deliver at online members
  std::optional<double> relayd_cpu_send_s;
  double tool_cpu_send_s = 0;
  std::optional<relay_load::CommitCounters> commits_before;
  std::optional<relay_load::CommitCounters> commits_after;

  // The catch-up phase (offline members come back).
  double reconnect_s = 0;  // first reconnect started to last Resume answered
  double catch_up_s = 0;   // first reconnect started to the last catch-up Deliver
  std::uint64_t delivered_catch_up = 0;
  std::optional<double> relayd_cpu_catch_up_s;

  // Checks, both phases.
  std::uint64_t duplicates = 0;    // a (message, member) delivered again (allowed: at least once)
  std::uint64_t stale = 0;         // deliveries left from earlier runs: acknowledged, not counted
  std::uint64_t out_of_order = 0;  // a member got a message before one the sender sent earlier
  std::uint64_t lost = 0;          // acknowledged, and missing at a member when the run ended
  std::map<std::string, std::uint64_t> errors;
  bool timed_out = false;
  std::string failure;  // empty when the run passed
};

FanoutResult run_fanout(const FanoutOptions& options);
relay_load::Report fanout_report(const FanoutOptions& options, const FanoutResult& result);

}  // namespace sotto::fanout_load
