#include "relayd/auth/connection_limiter.h"

#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "relayd/auth/address_group.h"

namespace sotto::relayd {

// Counts per group; a group's entry is erased when its count returns to zero,
// so the map never holds more than max_total entries.
struct ConnectionLimiter::State {
  mutable std::mutex mutex;
  std::size_t total = 0;
  std::unordered_map<std::string, std::size_t> per_source;
};

std::optional<std::string> check_connection_limits(const ConnectionLimits& limits) {
  if (limits.max_total < 1) return "the total cap must be at least 1";
  if (limits.max_per_source < 1) return "the per-source cap must be at least 1";
  if (limits.max_per_source > limits.max_total) {
    return "the per-source cap (" + std::to_string(limits.max_per_source) + ") must not exceed the total cap (" +
           std::to_string(limits.max_total) + ")";
  }
  return std::nullopt;
}

ConnectionLimiter::Slot::Slot(std::shared_ptr<State> state, std::string source)
    : state_(std::move(state)), source_(std::move(source)) {}

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    source_ = std::move(other.source_);
  }
  return *this;
}

ConnectionLimiter::Slot::~Slot() { release(); }

void ConnectionLimiter::Slot::release() noexcept {
  if (!state_) return;
  {
    const std::lock_guard lock(state_->mutex);
    --state_->total;
    const auto it = state_->per_source.find(source_);
    if (--it->second == 0) state_->per_source.erase(it);
  }
  state_.reset();
}

ConnectionLimiter::ConnectionLimiter(const ConnectionLimits& limits) : limits_(limits) {
  if (const auto reason = check_connection_limits(limits)) {
    throw std::invalid_argument("connection limits: " + *reason);
  }
  state_ = std::make_shared<State>();
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::try_acquire(std::string_view address) {
  std::string source = source_group(address);
  {
    const std::lock_guard lock(state_->mutex);
    if (state_->total >= limits_.max_total) return std::nullopt;
    auto [it, inserted] = state_->per_source.try_emplace(source, 0);
    if (it->second >= limits_.max_per_source) return std::nullopt;
    ++it->second;
    ++state_->total;
  }
  return Slot(state_, std::move(source));
}

std::size_t ConnectionLimiter::active() const {
  const std::lock_guard lock(state_->mutex);
  return state_->total;
}

std::size_t ConnectionLimiter::active_from(std::string_view address) const {
  const std::string source = source_group(address);
  const std::lock_guard lock(state_->mutex);
  const auto it = state_->per_source.find(source);
  return it == state_->per_source.end() ? 0 : it->second;
}

}  // namespace sotto::relayd
