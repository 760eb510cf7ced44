#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <span>

#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// Tokens revoked in the last minute, as read from the store's revocation log.
// Closing the live sessions of a revoked token leaves one race: a Resume
// whose find_token read the row just before it was deleted, and which
// authenticates only after the revocation was handed to the sessions. Such
// a session checks here before it authenticates. A minute is far longer
// than that window (one store read); older entries go. Thread-safe.
class RevokedTokens {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kKeep = std::chrono::minutes(1);

  void add(std::span<const crypto::Sha256Digest> hashes, Clock::time_point now);
  bool contains(const crypto::Sha256Digest& hash, Clock::time_point now) const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<crypto::Sha256Digest, Clock::time_point> revoked_at_;
};

}  // namespace sotto::relayd
