#include "frontends/notify/retry_backoff.h"

#include <algorithm>

namespace sotto::notify {

std::chrono::milliseconds RetryBackoff::next() {
  const std::chrono::milliseconds delay = next_;
  next_ = std::min(next_ * 2, kMax);
  return delay;
}

}  // namespace sotto::notify
