#include "lib/crypto/skipped_message_keys.h"

#include <algorithm>
#include <utility>

namespace sotto::crypto {

const StoredSkippedKey* SkippedMessageKeys::find(const SkippedKeyId& id) const {
  const auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

void SkippedMessageKeys::erase(const SkippedKeyId& id) {
  if (keys_.erase(id) == 0) return;
  // Linear, but only on the rare path where a late message arrives; the
  // deque holds at most kMaxStoredSkippedKeys ids.
  order_.erase(std::find(order_.begin(), order_.end(), id));
}

void SkippedMessageKeys::insert(const SkippedKeyId& id, SecretBytes message_key, std::chrono::sys_seconds stored_at) {
  if (const auto it = keys_.find(id); it != keys_.end()) {
    it->second.key = std::move(message_key);  // already in order_; keeps its age
    return;
  }
  keys_.emplace(id, StoredSkippedKey{std::move(message_key), storable_skipped_key_time(stored_at)});
  order_.push_back(id);
  while (keys_.size() > capacity_) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
}

std::size_t SkippedMessageKeys::expire(const SkippedKeyExpiry& expiry) {
  const std::size_t before = keys_.size();
  // remove_if (inside erase_if) calls the predicate exactly once per id, and
  // nothing here can throw halfway, so keys_ and order_ stay in step.
  std::erase_if(order_, [&](const SkippedKeyId& id) {
    const auto it = keys_.find(id);
    if (expiry.expired(it->second.stored_at)) {
      keys_.erase(it);
      return true;
    }
    if (it->second.stored_at > expiry.now()) it->second.stored_at = expiry.now();
    return false;
  });
  return before - keys_.size();
}

}  // namespace sotto::crypto
