#include "relayd/server/revoked_tokens.h"

namespace sotto::relayd {

void RevokedTokens::add(std::span<const crypto::Sha256Digest> hashes, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  std::erase_if(revoked_at_, [now](const auto& entry) { return now - entry.second > kKeep; });
  for (const auto& hash : hashes) revoked_at_.insert_or_assign(hash, now);
}

bool RevokedTokens::contains(const crypto::Sha256Digest& hash, Clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto found = revoked_at_.find(hash);
  return found != revoked_at_.end() && now - found->second <= kKeep;
}

std::size_t RevokedTokens::size() const {
  const std::lock_guard lock(mutex_);
  return revoked_at_.size();
}

}  // namespace sotto::relayd
