#include "relayd/auth/clock.h"

namespace sotto::relayd {

Clock::time_point SteadyClock::now() const { return std::chrono::steady_clock::now(); }

ManualClock::ManualClock() : nanoseconds_(std::chrono::nanoseconds(std::chrono::hours(1)).count()) {}

Clock::time_point ManualClock::now() const {
  return time_point(std::chrono::nanoseconds(nanoseconds_.load(std::memory_order_acquire)));
}

void ManualClock::advance(std::chrono::nanoseconds by) {
  nanoseconds_.fetch_add(by.count(), std::memory_order_acq_rel);
}

}  // namespace sotto::relayd
