#pragma once

// When a stored skipped message key is too old to keep (docs/crypto.md,
// "Skipped keys"). A key kept for a message that never arrives would let
// whoever steals the session state read that message if it turns up later,
// for as long as the session lives; DESIGN.md promises that such keys expire.
//
// Ages are measured in wall-clock time (system_clock: UTC seconds since the
// Unix epoch), because a key's age has to survive msgd restarts and reboots,
// across which steady_clock starts again from an arbitrary point. Wall-clock
// time can jump:
//  - forwards: keys expire early. A late message is then refused; nothing is
//    kept longer than promised.
//  - backwards: a key can look as if it was stored in the future. Its age
//    counts as zero, and SkippedMessageKeys::expire() re-stamps it with the
//    current time, so it is kept at most the maximum age from the first
//    expiry pass that notices. Neither a clock set back by a year nor a
//    far-future time in a stored state keeps a key alive for a year longer.

#include <chrono>

namespace sotto::crypto {

// 30 days, the relay's default envelope lifetime (relayd.yaml queue.ttl): by
// then a message skipped over has usually either arrived or been dropped by
// the relay, so its key is of no more use to us, only to a thief.
inline constexpr std::chrono::seconds kDefaultSkippedKeyMaxAge = std::chrono::days(30);

// The range a key's time may take: the Unix epoch up to
// 9999-12-31T23:59:59Z. Bounds the stored field, and keeps every difference
// of two times far from overflowing std::chrono's 64-bit seconds.
inline constexpr std::chrono::sys_seconds kEarliestSkippedKeyTime{std::chrono::seconds(0)};
inline constexpr std::chrono::sys_seconds kLatestSkippedKeyTime{std::chrono::seconds(253402300799)};

// t moved into [kEarliestSkippedKeyTime, kLatestSkippedKeyTime]. A system
// clock outside that range is broken; clamping keeps its readings storable.
std::chrono::sys_seconds storable_skipped_key_time(std::chrono::sys_seconds t);

// The moment an expiry decision is made and the age limit it applies. Passed
// in explicitly, so that tests choose the time and msgd the limit.
class SkippedKeyExpiry {
 public:
  // now is clamped by storable_skipped_key_time(). Throws CryptoError for a
  // negative max_age.
  explicit SkippedKeyExpiry(std::chrono::sys_seconds now, std::chrono::seconds max_age = kDefaultSkippedKeyMaxAge);

  // The system clock's current time, in whole seconds.
  static SkippedKeyExpiry at_system_time(std::chrono::seconds max_age = kDefaultSkippedKeyMaxAge);

  std::chrono::sys_seconds now() const { return now_; }
  std::chrono::seconds max_age() const { return max_age_; }

  // True when a key stored at stored_at is older than max_age: a key is
  // usable through exactly max_age and expired one second later. A time
  // after now (the clock went back) is an age of zero, never negative.
  bool expired(std::chrono::sys_seconds stored_at) const;

 private:
  std::chrono::sys_seconds now_;
  std::chrono::seconds max_age_;
};

}  // namespace sotto::crypto
