#include "bench/relay_load/poll_until.h"

#include <thread>

namespace sotto::relay_load {

bool poll_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline,
                std::chrono::milliseconds interval) {
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

}  // namespace sotto::relay_load
