#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/mqtt_load/mqtt_load_options.h"
#include "bench/relay_load/latency_summary.h"

namespace sotto::mqtt_load {

// Everything a run measured. Times are seconds on the steady clock.
struct MqttResult {
  std::uint64_t planned = 0;     // clients x messages
  std::uint64_t sent = 0;        // PUBLISHes handed to the connection
  std::uint64_t acked = 0;       // answered with a PUBACK: the broker took them over
  std::uint64_t unanswered = 0;  // no PUBACK before their connection ended
  std::uint64_t delivered = 0;   // distinct messages of this run that reached their subscriber
  std::uint64_t duplicates = 0;  // repeated deliveries of a message (allowed: QoS 1 is at least once)
  std::uint64_t lost = 0;        // PUBACKed but never delivered

  double connect_s = 0;                // TCP + TLS + CONNECT + SUBSCRIBE of every client
  double acked_s = 0;                  // first PUBLISH to last PUBACK
  double deliver_s = 0;                // first PUBLISH to last delivery
  relay_load::LatencySummary latency;  // PUBLISH (or its due time when paced) to delivery
  double max_schedule_lag_ms = 0;

  std::optional<std::uint64_t> rss_before_kib;
  std::optional<std::uint64_t> rss_after_kib;
  // CPU seconds (user + system) from the first PUBLISH to the end of the run.
  std::optional<double> broker_cpu_s;
  // Bytes the broker sent to storage over the same interval (its snapshots).
  std::optional<std::uint64_t> broker_write_bytes;
  double tool_cpu_s = 0;
  std::string tls_version;  // as negotiated (client 0)

  std::map<std::string, std::uint64_t> errors;  // unexpected ones, by name
  bool timed_out = false;
  std::string failure;  // why the run failed; empty when it passed
};

// Runs the clients against the broker at options.host:options.port.
MqttResult run_mqtt_load(const MqttLoadOptions& options);

}  // namespace sotto::mqtt_load
