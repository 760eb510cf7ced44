#include "relayd/server/owed_wakes.h"

#include <algorithm>

namespace sotto::relayd {

OwedWakes::OwedWakes(std::size_t max_recipients) : max_recipients_(max_recipients) {}

void OwedWakes::owe(std::span<const Wake> wakes) {
  const std::lock_guard lock(mutex_);
  for (const Wake& w : wakes) {
    if (auto it = highest_.find(w.recipient); it != highest_.end()) {
      it->second = std::max(it->second, w.delivery_id);
    } else if (highest_.size() < max_recipients_) {
      highest_.emplace(w.recipient, w.delivery_id);
    } else {
      ++dropped_;
    }
  }
}

std::vector<Wake> OwedWakes::take() {
  std::unordered_map<std::string, std::int64_t> owed;
  {
    const std::lock_guard lock(mutex_);
    owed.swap(highest_);
  }
  std::vector<Wake> wakes;
  wakes.reserve(owed.size());
  for (auto& [recipient, id] : owed) wakes.push_back(Wake{recipient, id});
  return wakes;
}

bool OwedWakes::empty() const {
  const std::lock_guard lock(mutex_);
  return highest_.empty();
}

std::uint64_t OwedWakes::dropped() const {
  const std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace sotto::relayd
