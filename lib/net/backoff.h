#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace sotto::net {

// A fresh seed from the system's random source.
std::uint64_t random_backoff_seed();

// Waits between reconnection attempts: exponential growth from initial,
// doubling each attempt up to cap, with "equal jitter" (AWS architecture
// blog, "Exponential Backoff and Jitter"): each wait is uniform in
// [ceiling/2, ceiling], so a relay restart is not met by every client at once
// yet the wait still grows. Never above cap; never below initial/2.
class Backoff {
 public:
  // Throws std::invalid_argument unless 0 < initial <= cap.
  Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds(250),
          std::chrono::milliseconds cap = std::chrono::seconds(30), std::uint64_t seed = random_backoff_seed());

  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }

  std::chrono::milliseconds initial() const { return initial_; }
  std::chrono::milliseconds cap() const { return cap_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  std::uint32_t attempt_ = 0;
  std::mt19937_64 random_;
};

}  // namespace sotto::net
