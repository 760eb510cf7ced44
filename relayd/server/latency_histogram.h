#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace sotto::relayd {

// A latency histogram for the Prometheus endpoint: fixed buckets from 50 µs
// to 1 s, safe to observe from any thread (relaxed atomics, no lock, one
// clock read by the caller).
//
// Why fixed buckets: the durability path's figures (how long a Send waits
// before its SendAck, how long one fsync takes) span 0.1 ms on a quiet disk to
// tens of ms on a busy one, and an operator or a load tool wants their
// percentiles over any interval, which cumulative bucket counts give by
// subtracting two scrapes (Prometheus's histogram_quantile does the same).
class LatencyHistogram {
 public:
  // Upper bounds of the finite buckets, in microseconds; one more bucket
  // (+Inf) takes the rest.
  static constexpr std::array<std::int64_t, 21> kBoundsUs{50,    100,   200,   300,    500,    750,    1000,
                                                          1500,  2000,  3000,  5000,   7500,   10000,  15000,
                                                          20000, 30000, 50000, 100000, 250000, 500000, 1000000};
  static constexpr std::size_t kBuckets = kBoundsUs.size() + 1;

  void observe(std::chrono::nanoseconds elapsed);

  // The `le` label of finite bucket i, in seconds as Prometheus writes them
  // ("0.00005", "0.0015", "1"); "+Inf" for i == kBoundsUs.size().
  static std::string bucket_label(std::size_t i);

  // Appends the metric in the text exposition format (version 0.0.4):
  // HELP, TYPE histogram, cumulative NAME_bucket{le="..."} lines ending with
  // +Inf, NAME_sum (seconds) and NAME_count. Counts are read once, so the
  // +Inf bucket always equals _count even while other threads observe.
  void render(std::ostream& out, std::string_view name, std::string_view help) const;

  std::uint64_t count() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace sotto::relayd
