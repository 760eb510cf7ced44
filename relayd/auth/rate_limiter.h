#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "relayd/auth/clock.h"

namespace sotto::relayd {

// A token bucket: `rate` tokens are added every `period`, spread evenly over
// it, and the bucket holds at most `burst` tokens (what a key may spend at
// once after a quiet spell). Example: {10, 1 min, 5} allows five attempts in a
// row, then one every 6 s.
struct RateLimit {
  std::uint32_t rate = 0;
  std::chrono::milliseconds period{0};
  std::uint32_t burst = 0;
};

// Bounds that keep the bucket arithmetic in 64-bit integers (burst x period
// in ms stays under 2^50) and retry_after_ms in 32 bits (the wire's type):
// rate and burst up to 1,000,000, period from 1 ms to 7 days.
inline constexpr std::uint32_t kMaxRateLimitRate = 1'000'000;
inline constexpr std::uint32_t kMaxRateLimitBurst = 1'000'000;
inline constexpr std::chrono::milliseconds kMaxRateLimitPeriod = std::chrono::hours(24 * 7);

// Empty when `limit` is usable; otherwise the reason, naming the field.
std::optional<std::string> check_rate_limit(const RateLimit& limit);

struct RateDecision {
  bool allowed = false;
  // When refused: how long until a request for this key would be allowed
  // (exact for a tracked key, see RateLimiter on the table-full case). Zero
  // when allowed. Saturates at 2^32 - 1.
  std::uint32_t retry_after_ms = 0;
};

// Token buckets keyed by a string: an account name for login attempts
// (existing or not, so probing unknown names costs the same), or an address
// group (source_group() in address_group.h) for logins and registrations.
// Thread-safe: one mutex around a small amount of integer work per check.
//
// Memory is bounded by max_keys entries (about 250 bytes each, so ~25 MB for
// the default 100,000; keys longer than 64 bytes are stored as their 32-byte
// SHA-256). A bucket that has refilled completely behaves exactly like a new
// one, so it can be dropped without changing any answer; when the table is at
// max_keys, a new key takes the place of the bucket that became full first.
// If no bucket is full, the new key is refused (allowed = false, and
// retry_after_ms says when the first bucket will be full) and the table does
// not grow. Keys already tracked keep working normally. The alternative,
// evicting a bucket that still has a debt, would let an attacker erase its
// own limits by spraying new keys; refusing keeps every limit exact at the
// cost that, during such a flood, first-time keys wait for space.
class RateLimiter {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 100'000;

  // Throws std::invalid_argument when check_rate_limit refuses `limit` or
  // max_keys is 0. `clock` must outlive the limiter.
  RateLimiter(const RateLimit& limit, const Clock& clock, std::size_t max_keys = kDefaultMaxKeys);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `key`'s bucket if it has one.
  RateDecision check(std::string_view key);

  // How many keys are tracked now (for metrics and tests).
  std::size_t size() const;

  const RateLimit& limit() const { return limit_; }

 private:
  using TimePoint = Clock::time_point;

  // Token counts are kept in units of 1/period_ms of a token, so that refill
  // is `rate` units per elapsed millisecond: exact integers, no drift.
  struct Bucket {
    std::uint64_t level = 0;  // units; at most capacity_
    TimePoint updated;        // the instant `level` is correct for (moves in whole ms)
    TimePoint full_at;        // when `level` reaches capacity_ if left alone
  };
  using Buckets = std::map<std::string, Bucket, std::less<>>;

  void refill(Bucket& bucket, TimePoint now) const;
  TimePoint full_time(const Bucket& bucket) const;
  std::uint64_t ceil_div_rate(std::uint64_t units) const;

  const RateLimit limit_;
  const Clock& clock_;
  const std::size_t max_keys_;
  const std::uint64_t period_ms_;  // units per token
  const std::uint64_t capacity_;   // burst * period_ms_

  mutable std::mutex mutex_;
  Buckets buckets_;
  // Every bucket ordered by full_at: the first is the next one that can be
  // dropped. The views point at the map's keys, which never move.
  std::set<std::pair<TimePoint, std::string_view>> by_full_time_;
};

}  // namespace sotto::relayd
