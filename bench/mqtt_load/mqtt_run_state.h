#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/mqtt_load/mqtt_load_options.h"
#include "bench/relay_load/error_tally.h"
#include "bench/relay_load/message_stamp.h"

namespace sotto::mqtt_load {

// What the clients of one run share: the settings, and the counters the
// coordinator watches. Counters are relaxed atomics because clients on
// different poll threads update them; the per-message delivery flags are
// atomics for the same reason (each message has one recipient, so with a
// correct broker only one thread ever touches a given flag).
struct MqttRunState {
  explicit MqttRunState(const MqttLoadOptions& options);

  const MqttLoadOptions& options;
  const relay_load::RunId run;
  const std::string label;  // run, in hex: part of every topic and client id
  const std::chrono::steady_clock::time_point deadline;
  std::vector<std::string> topics;  // client i subscribes to topics[i]
  std::string filler;               // a payload's bytes after its stamp (random, like ciphertext)
  relay_load::ErrorTally errors;

  // Index sender * messages + seq: 0 until first delivered.
  std::unique_ptr<std::atomic<std::uint8_t>[]> delivered;
  std::size_t delivered_index(relay_load::MessageKey key) const {
    return static_cast<std::size_t>(key.sender) * options.messages + key.seq;
  }

  // Steady-clock ns at which every client starts publishing; 0 until the
  // coordinator gives the order.
  std::atomic<std::int64_t> start_ns{0};
  // The poll loops disconnect and return once this is set.
  std::atomic<bool> stop{false};

  std::atomic<std::uint32_t> ready{0};         // connected and subscribed
  std::atomic<std::uint32_t> setup_failed{0};  // could not connect or subscribe
  std::atomic<std::uint32_t> senders_done{0};
  std::atomic<std::uint32_t> connections_lost{0};

  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> unanswered{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> delivered_count{0};
  std::atomic<std::uint64_t> duplicates{0};

  std::atomic<std::int64_t> first_send_ns{INT64_MAX};
  std::atomic<std::int64_t> last_ack_ns{0};
  std::atomic<std::int64_t> last_deliver_ns{0};
  std::atomic<std::int64_t> max_schedule_lag_ns{0};
};

}  // namespace sotto::mqtt_load
