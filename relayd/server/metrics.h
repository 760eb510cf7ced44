#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "relayd/server/latency_histogram.h"

namespace sotto::relayd {

// Counters for the Prometheus text endpoint and for the load tools. Plain
// relaxed atomics: a scrape may see counters a few increments apart, which
// Prometheus semantics allow.
struct Metrics {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::int64_t> connections_authenticated{0};
  std::atomic<std::uint64_t> connections_refused{0};  // caps, handshake failures
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> sends{0};
  std::atomic<std::uint64_t> send_rejections{0};
  std::atomic<std::uint64_t> deliveries_pushed{0};
  std::atomic<std::uint64_t> deliveries_acked{0};
  std::atomic<std::uint64_t> commit_batches{0};
  std::atomic<std::uint64_t> commit_envelopes{0};
  std::atomic<std::uint64_t> commit_max_batch{0};
  // The durability path, timed by the group commit: how long each Send
  // waited from reaching the queue to being durable (what its SendAck waits
  // for), how long each batch's write took, and each fsync.
  LatencyHistogram commit_wait;
  LatencyHistogram commit_write;
  LatencyHistogram commit_sync;
  // Relays sharing a store (zero on one relay).
  std::atomic<std::uint64_t> bus_publish_failures{0};
  std::atomic<std::uint64_t> store_polls{0};

  void record_batch(std::uint64_t envelopes);

  // Renders the Prometheus text exposition format (version 0.0.4).
  // queue_depth is read from the store at scrape time.
  std::string render(std::int64_t queue_depth) const;
};

}  // namespace sotto::relayd
