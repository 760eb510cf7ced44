#include "lib/crypto/skipped_message_keys.h"

#include <algorithm>

namespace sotto::crypto {

const SecretBytes* SkippedMessageKeys::find(const SkippedKeyId& id) const {
  const auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

void SkippedMessageKeys::erase(const SkippedKeyId& id) {
  if (keys_.erase(id) == 0) return;
  // Linear, but only on the rare path where a late message arrives; the
  // deque holds at most kMaxStoredSkippedKeys ids.
  order_.erase(std::find(order_.begin(), order_.end(), id));
}

void SkippedMessageKeys::insert(const SkippedKeyId& id, SecretBytes message_key) {
  const auto [it, inserted] = keys_.insert_or_assign(id, std::move(message_key));
  if (!inserted) return;  // already in order_, keeps its age
  order_.push_back(id);
  while (keys_.size() > capacity_) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace sotto::crypto
