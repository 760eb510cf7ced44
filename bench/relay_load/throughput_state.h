#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/relay_load/error_tally.h"
#include "bench/relay_load/load_options.h"
#include "bench/relay_load/message_stamp.h"
#include "lib/net/asio.h"
#include "lib/net/tls_context.h"

namespace sotto::relay_load {

// Nanoseconds on the steady clock: what envelopes carry and events record.
std::int64_t steady_now_ns();

// What the clients of one throughput run share: the settings, and the
// counters the coordinator watches. Counters are relaxed atomics, because
// clients on different io threads update them; the per-message delivery
// flags are atomics for the same reason (each message has one recipient, so
// in a correct relay only one thread ever touches a given flag).
struct ThroughputState {
  ThroughputState(const LoadOptions& options, net::tcp::endpoint server);

  const LoadOptions& options;
  const net::tcp::endpoint server;
  const RunId run;
  const std::int64_t started_unix_ms;  // message ids older than this are an earlier run's
  const std::chrono::steady_clock::time_point deadline;
  std::string filler;  // an envelope's bytes after its stamp (random, like ciphertext)
  net::SslCtxPtr tls;
  ErrorTally errors;

  // Index sender * messages + seq: 0 until first delivered.
  std::unique_ptr<std::atomic<std::uint8_t>[]> delivered;
  std::size_t delivered_index(MessageKey key) const {
    return static_cast<std::size_t>(key.sender) * options.messages + key.seq;
  }

  std::atomic<std::uint32_t> logged_in{0};
  std::atomic<std::uint32_t> login_failed{0};
  std::atomic<std::uint32_t> senders_done{0};
  std::atomic<std::uint32_t> connections_lost{0};
  std::atomic<std::uint32_t> rate_limited_retries{0};
  std::atomic<std::uint32_t> already_registered{0};

  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> unanswered{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> delivered_count{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> stale{0};

  std::atomic<std::int64_t> first_send_ns{INT64_MAX};
  std::atomic<std::int64_t> last_ack_ns{0};
  std::atomic<std::int64_t> last_deliver_ns{0};
  std::atomic<std::int64_t> max_schedule_lag_ns{0};
};

void atomic_min(std::atomic<std::int64_t>& target, std::int64_t value);
void atomic_max(std::atomic<std::int64_t>& target, std::int64_t value);

}  // namespace sotto::relay_load
