#pragma once

#include <chrono>

namespace sotto::notify {

// Delays between attempts to reach a bus peer that is not there: the first
// retry comes soon (a server that is starting is usually up within a second),
// later ones less often so that a long absence costs nearly nothing.
class RetryBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{500};
  static constexpr std::chrono::milliseconds kMax{30'000};

  // The delay before the next attempt; each call doubles the one after, up to kMax.
  std::chrono::milliseconds next();
  // After a success: the next failure starts again at kFirst.
  void reset() { next_ = kFirst; }

 private:
  std::chrono::milliseconds next_ = kFirst;
};

}  // namespace sotto::notify
