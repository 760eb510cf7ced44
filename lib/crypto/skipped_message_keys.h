#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

#include "lib/crypto/secret_bytes.h"
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

// Message keys derived for messages that have not arrived yet, kept in the
// order they were derived so that the oldest is evicted first when the cap
// is reached.
class SkippedMessageKeys {
 public:
  SkippedMessageKeys() = default;
  explicit SkippedMessageKeys(std::size_t capacity) : capacity_(capacity) {}

  // nullptr when no key is held for id.
  const SecretBytes* find(const SkippedKeyId& id) const;
  void erase(const SkippedKeyId& id);
  // Adds a key (replacing one with the same id), evicting the oldest keys
  // beyond the capacity.
  void insert(const SkippedKeyId& id, SecretBytes message_key);

  std::size_t size() const { return keys_.size(); }
  std::size_t capacity() const { return capacity_; }

  // Calls f(id, key) for every key, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (const SkippedKeyId& id : order_) f(id, keys_.at(id));
  }

 private:
  std::size_t capacity_ = kMaxStoredSkippedKeys;
  std::map<SkippedKeyId, SecretBytes> keys_;
  std::deque<SkippedKeyId> order_;  // oldest first; always the same ids as keys_
};

}  // namespace sotto::crypto
