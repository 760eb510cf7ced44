#include "bench/relay_load/histogram_quantile.h"

#include <cmath>
#include <cstddef>

namespace sotto::relay_load {

std::optional<double> histogram_quantile(double q, const HistogramCounts& before, const HistogramCounts& after) {
  if (!(q > 0 && q < 1)) return std::nullopt;
  HistogramCounts delta{};
  for (std::size_t i = 0; i < delta.size(); ++i) {
    delta[i] = after[i] - before[i];
    if (!std::isfinite(delta[i]) || delta[i] < 0) return std::nullopt;
    if (i > 0 && delta[i] < delta[i - 1]) return std::nullopt;
  }
  const double total = delta.back();
  if (total <= 0) return std::nullopt;

  const auto& bounds = relayd::LatencyHistogram::kBoundsUs;
  const double rank = q * total;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (delta[i] < rank) continue;
    const double below = i == 0 ? 0.0 : delta[i - 1];
    const double lower_s = i == 0 ? 0.0 : static_cast<double>(bounds[i - 1]) / 1e6;
    const double upper_s = static_cast<double>(bounds[i]) / 1e6;
    const double in_bucket = delta[i] - below;
    if (in_bucket <= 0) return upper_s;
    return lower_s + (upper_s - lower_s) * (rank - below) / in_bucket;
  }
  return static_cast<double>(bounds.back()) / 1e6;
}

}  // namespace sotto::relay_load
