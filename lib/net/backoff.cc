#include "lib/net/backoff.h"

#include <algorithm>
#include <stdexcept>

namespace sotto::net {

namespace {
// 2^40 times any sane initial wait is far past any cap; stopping the exponent
// there keeps the shift from overflowing however many attempts fail.
constexpr std::uint32_t kMaxDoublings = 40;
}  // namespace

std::uint64_t random_backoff_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, std::uint64_t seed)
    : initial_(initial), cap_(cap), random_(seed) {
  if (initial.count() <= 0) throw std::invalid_argument("backoff: the initial wait must be positive");
  if (cap < initial) throw std::invalid_argument("backoff: the cap must not be below the initial wait");
}

std::chrono::milliseconds Backoff::next() {
  const std::uint32_t doublings = std::min(attempt_, kMaxDoublings);
  if (attempt_ < kMaxDoublings) ++attempt_;
  // initial * 2^doublings, saturating at cap without overflowing.
  const auto cap = static_cast<std::uint64_t>(cap_.count());
  const auto initial = static_cast<std::uint64_t>(initial_.count());
  const std::uint64_t ceiling = (initial > (cap >> doublings)) ? cap : std::min(cap, initial << doublings);
  std::uniform_int_distribution<std::uint64_t> jitter(ceiling / 2, ceiling);
  return std::chrono::milliseconds(static_cast<std::int64_t>(jitter(random_)));
}

}  // namespace sotto::net
