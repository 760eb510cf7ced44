#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sotto::relayd {

// The time source of the rate limiter. Only durations between two readings
// matter, so this is monotonic time (never wall-clock time, which jumps when
// NTP or an admin sets it). Implementations must be safe to call from several
// threads at once.
class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

// The real clock for the server.
class SteadyClock final : public Clock {
 public:
  time_point now() const override;
};

// A clock that moves only when told to, so tests can step through refill
// periods without sleeping. advance() may race with now() on other threads;
// each reading is a whole value (an atomic), never a torn one.
class ManualClock final : public Clock {
 public:
  // Starts one hour after the epoch of steady_clock, so that tests never see
  // a time_point at or near zero that could hide an underflow.
  ManualClock();

  time_point now() const override;
  void advance(std::chrono::nanoseconds by);

 private:
  std::atomic<std::int64_t> nanoseconds_;
};

}  // namespace sotto::relayd
