#include "bench/relay_load/latency_summary.h"

#include <algorithm>
#include <cmath>

namespace sotto::relay_load {

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted_ns, double p) {
  if (sorted_ns.empty()) return 0;
  const double n = static_cast<double>(sorted_ns.size());
  // Rank = ceil(p/100 * n), 1-based; clamp for p at the edges and rounding.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted_ns.size());
  return sorted_ns[rank - 1];
}

LatencySummary summarize_latencies(std::vector<std::int64_t>& samples_ns) {
  LatencySummary s;
  if (samples_ns.empty()) return s;
  std::sort(samples_ns.begin(), samples_ns.end());
  s.count = samples_ns.size();
  s.p50_ns = nearest_rank(samples_ns, 50.0);
  s.p99_ns = nearest_rank(samples_ns, 99.0);
  s.p999_ns = nearest_rank(samples_ns, 99.9);
  s.max_ns = samples_ns.back();
  return s;
}

}  // namespace sotto::relay_load
