#include "relayd/server/latency_histogram.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace sotto::relayd {

void LatencyHistogram::observe(std::chrono::nanoseconds elapsed) {
  const std::int64_t ns = std::max<std::int64_t>(elapsed.count(), 0);
  // A value on a bound belongs to that bound's bucket ("le": less or equal).
  const auto it = std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), ns,
                                   [](std::int64_t bound_us, std::int64_t v) { return bound_us * 1000 < v; });
  counts_[static_cast<std::size_t>(it - kBoundsUs.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

std::string LatencyHistogram::bucket_label(std::size_t i) {
  if (i >= kBoundsUs.size()) return "+Inf";
  // Exact decimal seconds from whole microseconds, without trailing zeros.
  const std::int64_t us = kBoundsUs[i];
  std::string text = std::to_string(us / 1'000'000);
  std::string fraction = std::to_string(us % 1'000'000);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) text += "." + fraction;
  return text;
}

void LatencyHistogram::render(std::ostream& out, std::string_view name, std::string_view help) const {
  std::array<std::uint64_t, kBuckets> snapshot{};
  for (std::size_t i = 0; i < kBuckets; ++i) snapshot[i] = counts_[i].load(std::memory_order_relaxed);
  const std::uint64_t sum_ns = sum_ns_.load(std::memory_order_relaxed);

  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    cumulative += snapshot[i];
    out << name << "_bucket{le=\"" << bucket_label(i) << "\"} " << cumulative << '\n';
  }
  std::ostringstream seconds;
  seconds << std::fixed << std::setprecision(9) << static_cast<double>(sum_ns) / 1e9;
  out << name << "_sum " << seconds.str() << '\n' << name << "_count " << cumulative << '\n';
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t total = 0;
  for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
  return total;
}

}  // namespace sotto::relayd
