#include "lib/crypto/skipped_key_expiry.h"

#include <algorithm>

#include "lib/crypto/error.h"

namespace sotto::crypto {

std::chrono::sys_seconds storable_skipped_key_time(std::chrono::sys_seconds t) {
  return std::clamp(t, kEarliestSkippedKeyTime, kLatestSkippedKeyTime);
}

SkippedKeyExpiry::SkippedKeyExpiry(std::chrono::sys_seconds now, std::chrono::seconds max_age)
    : now_(storable_skipped_key_time(now)), max_age_(max_age) {
  if (max_age < std::chrono::seconds::zero()) throw CryptoError("skipped key expiry: negative maximum age");
}

SkippedKeyExpiry SkippedKeyExpiry::at_system_time(std::chrono::seconds max_age) {
  return SkippedKeyExpiry(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), max_age);
}

bool SkippedKeyExpiry::expired(std::chrono::sys_seconds stored_at) const {
  // Clamped like now_, so that the difference cannot overflow whatever the
  // caller passes.
  const std::chrono::sys_seconds t = storable_skipped_key_time(stored_at);
  if (t >= now_) return false;
  return now_ - t > max_age_;
}

}  // namespace sotto::crypto
