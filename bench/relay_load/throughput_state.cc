#include "bench/relay_load/throughput_state.h"

#include "lib/crypto/random.h"

namespace sotto::relay_load {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ThroughputState::ThroughputState(const LoadOptions& opts, net::tcp::endpoint server_endpoint)
    : options(opts),
      server(server_endpoint),
      run(random_run_id()),
      started_unix_ms(unix_now_ms()),
      deadline(std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(opts.duration_limit))),
      tls(net::make_client_context()),
      delivered(std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(opts.clients) * opts.messages)) {
  const auto bytes = crypto::random_bytes(opts.size - kEnvelopeStampBytes);
  filler.assign(bytes.begin(), bytes.end());
}

void atomic_min(std::atomic<std::int64_t>& target, std::int64_t value) {
  std::int64_t seen = target.load(std::memory_order_relaxed);
  while (value < seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

void atomic_max(std::atomic<std::int64_t>& target, std::int64_t value) {
  std::int64_t seen = target.load(std::memory_order_relaxed);
  while (value > seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace sotto::relay_load
