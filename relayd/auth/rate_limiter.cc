#include "relayd/auth/rate_limiter.h"

#include <limits>
#include <stdexcept>

#include "lib/crypto/sha256.h"

namespace sotto::relayd {
namespace {

// Keys up to this length are stored as they are; longer ones (a caller that
// passed an unvalidated name) as a marker byte and their SHA-256, so that no
// key costs more than this much memory. A 33-byte key that starts with 0xff
// and equals some long key's digest would share its bucket: that needs a
// SHA-256 preimage.
constexpr std::size_t kMaxStoredKeyBytes = 64;

std::string stored_key(std::string_view key) {
  if (key.size() <= kMaxStoredKeyBytes) return std::string(key);
  const crypto::Sha256Digest digest = crypto::sha256(crypto::as_bytes(key));
  std::string out(1, '\xff');
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

std::uint32_t saturate_ms(std::uint64_t ms) {
  return ms > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                        : static_cast<std::uint32_t>(ms);
}

}  // namespace

std::optional<std::string> check_rate_limit(const RateLimit& limit) {
  if (limit.rate < 1 || limit.rate > kMaxRateLimitRate) {
    return "rate must be between 1 and " + std::to_string(kMaxRateLimitRate) + ", got " + std::to_string(limit.rate);
  }
  if (limit.period < std::chrono::milliseconds(1) || limit.period > kMaxRateLimitPeriod) {
    return "period must be between 1 ms and " + std::to_string(kMaxRateLimitPeriod.count()) + " ms (7 days), got " +
           std::to_string(limit.period.count()) + " ms";
  }
  if (limit.burst < 1 || limit.burst > kMaxRateLimitBurst) {
    return "burst must be between 1 and " + std::to_string(kMaxRateLimitBurst) + ", got " + std::to_string(limit.burst);
  }
  return std::nullopt;
}

RateLimiter::RateLimiter(const RateLimit& limit, const Clock& clock, std::size_t max_keys)
    : limit_(limit),
      clock_(clock),
      max_keys_(max_keys),
      period_ms_(static_cast<std::uint64_t>(limit.period.count())),
      capacity_(static_cast<std::uint64_t>(limit.burst) * static_cast<std::uint64_t>(limit.period.count())) {
  if (const auto reason = check_rate_limit(limit)) throw std::invalid_argument("rate limit: " + *reason);
  if (max_keys == 0) throw std::invalid_argument("rate limit: max_keys must be at least 1");
}

std::uint64_t RateLimiter::ceil_div_rate(std::uint64_t units) const { return (units + limit_.rate - 1) / limit_.rate; }

void RateLimiter::refill(Bucket& bucket, TimePoint now) const {
  if (now <= bucket.updated) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - bucket.updated);
  const auto elapsed_ms = static_cast<std::uint64_t>(elapsed.count());
  if (elapsed_ms == 0) return;
  const std::uint64_t deficit = capacity_ - bucket.level;
  if (elapsed_ms >= ceil_div_rate(deficit)) {
    // Full: nothing carries over, so the sub-millisecond remainder can go.
    bucket.level = capacity_;
    bucket.updated = now;
    return;
  }
  // elapsed_ms * rate < deficit + rate: no overflow. Advancing `updated` by
  // exactly the whole milliseconds counted keeps the remainder for next time.
  bucket.level += elapsed_ms * limit_.rate;
  bucket.updated += elapsed;
}

RateLimiter::TimePoint RateLimiter::full_time(const Bucket& bucket) const {
  return bucket.updated + std::chrono::milliseconds(ceil_div_rate(capacity_ - bucket.level));
}

RateDecision RateLimiter::check(std::string_view key) {
  const std::string stored = stored_key(key);
  const std::lock_guard lock(mutex_);
  // Read inside the lock: every check sees a time no earlier than the one
  // before it, so buckets only ever move forward.
  const TimePoint now = clock_.now();

  auto it = buckets_.find(stored);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      const auto first = by_full_time_.begin();
      if (first->first > now) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(first->first - now);
        return {false, saturate_ms(static_cast<std::uint64_t>(wait.count()))};
      }
      const auto victim = buckets_.find(first->second);
      by_full_time_.erase(first);
      buckets_.erase(victim);
    }
    it = buckets_.emplace(stored, Bucket{capacity_, now, now}).first;
    by_full_time_.emplace(now, it->first);
  } else {
    refill(it->second, now);
  }

  Bucket& bucket = it->second;
  RateDecision decision;
  if (bucket.level >= period_ms_) {
    bucket.level -= period_ms_;
    decision.allowed = true;
  } else {
    decision.retry_after_ms = saturate_ms(ceil_div_rate(period_ms_ - bucket.level));
  }

  const TimePoint full_at = full_time(bucket);
  if (full_at != bucket.full_at) {
    by_full_time_.erase({bucket.full_at, it->first});
    by_full_time_.emplace(full_at, it->first);
    bucket.full_at = full_at;
  }
  return decision;
}

std::size_t RateLimiter::size() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace sotto::relayd
