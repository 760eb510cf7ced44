// The cost of the checks every connection and login passes through.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "relayd/auth/connection_limiter.h"
#include "relayd/auth/rate_limiter.h"

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;

// One hot key (an attacker hammering one account).
void BM_RateLimiterCheckOneKey(benchmark::State& state) {
  SteadyClock clock;
  RateLimiter limiter({10, 1min, 5}, clock);
  for (auto _ : state) benchmark::DoNotOptimize(limiter.check("alice"));
}
BENCHMARK(BM_RateLimiterCheckOneKey);

// A table at its default bound of 100,000 keys, every bucket in debt, and a
// stream of keys both tracked and new (refused for space).
void BM_RateLimiterCheckFullTable(benchmark::State& state) {
  SteadyClock clock;
  RateLimiter limiter({1, 1h, 1}, clock);
  std::vector<std::string> keys;
  for (int i = 0; i < 200'000; ++i) keys.push_back("user" + std::to_string(i));
  for (std::size_t i = 0; i < RateLimiter::kDefaultMaxKeys; ++i) limiter.check(keys[i]);
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.check(keys[next]));
    next = (next + 7919) % keys.size();
  }
  state.counters["keys"] = static_cast<double>(limiter.size());
}
BENCHMARK(BM_RateLimiterCheckFullTable);

void BM_ConnectionLimiterAcquireRelease(benchmark::State& state) {
  ConnectionLimiter limiter({1024, 32});
  for (auto _ : state) benchmark::DoNotOptimize(limiter.try_acquire("2001:db8:1:2::1"));
}
BENCHMARK(BM_ConnectionLimiterAcquireRelease);

}  // namespace
}  // namespace sotto::relayd
