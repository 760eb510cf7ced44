#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/skipped_key_expiry.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

// Stored keys of skipped messages, at most this many per session. Each is 32
// bytes plus bookkeeping, so the cap bounds a session at roughly 200 KiB and
// bounds what a peer can make us hold by skipping ahead (Double Ratchet spec
// §4.2 asks for such a bound). Two full MAX_SKIP chains fit.
inline constexpr std::size_t kMaxStoredSkippedKeys = 2000;

// Identifies a message: the sender's ratchet public key and its number N.
struct SkippedKeyId {
  X25519PublicKey ratchet_key{};
  std::uint32_t message_number = 0;

  friend auto operator<=>(const SkippedKeyId&, const SkippedKeyId&) = default;
};

// One stored key and when it was stored (skipped_key_expiry.h says why in
// wall-clock time).
struct StoredSkippedKey {
  SecretBytes key;
  std::chrono::sys_seconds stored_at{};
};

// Message keys derived for messages that have not arrived yet, kept in the
// order they were derived so that the oldest is evicted first when the cap
// is reached. They also expire by age (expire()); removing a key destroys its
// SecretBytes, which wipes it.
class SkippedMessageKeys {
 public:
  SkippedMessageKeys() = default;
  explicit SkippedMessageKeys(std::size_t capacity) : capacity_(capacity) {}

  // nullptr when no key is held for id. An expired key not yet removed by
  // expire() is still found: the caller decides (RatchetSession refuses it).
  const StoredSkippedKey* find(const SkippedKeyId& id) const;
  void erase(const SkippedKeyId& id);
  // Adds a key stored at stored_at (clamped by storable_skipped_key_time),
  // evicting the oldest keys beyond the capacity. A key with the same id is
  // replaced but keeps its place in line and its time, so that storing it
  // again cannot extend its life.
  void insert(const SkippedKeyId& id, SecretBytes message_key, std::chrono::sys_seconds stored_at);

  // Removes (and so wipes) every key older than expiry allows, and re-stamps
  // with expiry.now() any key stored after it (the clock went back), so that
  // no key outlives max_age from the first pass that sees it. Returns the
  // number of keys removed. Linear in the number of keys (at most 2000).
  std::size_t expire(const SkippedKeyExpiry& expiry);

  std::size_t size() const { return keys_.size(); }
  std::size_t capacity() const { return capacity_; }

  // Calls f(id, stored key) for every key, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (const SkippedKeyId& id : order_) f(id, keys_.at(id));
  }

 private:
  std::size_t capacity_ = kMaxStoredSkippedKeys;
  std::map<SkippedKeyId, StoredSkippedKey> keys_;
  std::deque<SkippedKeyId> order_;  // oldest first; always the same ids as keys_
};

}  // namespace sotto::crypto
