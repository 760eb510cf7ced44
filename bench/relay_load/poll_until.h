#pragma once

#include <chrono>
#include <functional>

namespace sotto::relay_load {

// Calls done() every `interval` until it returns true (then true) or the
// deadline passes (then false). The coordinator thread waits on the clients'
// counters this way; the clients time their own events, so the interval only
// decides how soon the wait notices, not what is measured.
bool poll_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline,
                std::chrono::milliseconds interval);

}  // namespace sotto::relay_load
