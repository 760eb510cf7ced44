#pragma once

// The whole state of one Double Ratchet session (Signal's Double Ratchet spec
// §3.2 names in comments). Internal to lib/crypto: RatchetSession owns it,
// ratchet_state_codec stores it. Not to be used by the programs directly.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/skipped_message_keys.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

// A re-delivered message from a chain that has ended, whose key is no longer
// held, is reported as a duplicate if its ratchet key is among the last this
// many remote ratchet keys; an older one fails as an unauthenticated message
// (the same outcome, less precisely named, after a wasted DH). 32 keys is
// 1 KiB of state and covers the peer's last 32 turns of the conversation.
inline constexpr std::size_t kMaxRetiredRatchetKeys = 32;

struct RatchetState {
  RatchetState(Bytes ad, SecretBytes root, X25519KeyPair dhs)
      : associated_data(std::move(ad)), root_key(std::move(root)), sending_ratchet_key(std::move(dhs)) {}

  Bytes associated_data;                              // AD from X3DH
  SecretBytes root_key;                               // RK
  X25519KeyPair sending_ratchet_key;                  // DHs
  std::optional<X25519PublicKey> remote_ratchet_key;  // DHr
  std::optional<SecretBytes> sending_chain_key;       // CKs
  std::optional<SecretBytes> receiving_chain_key;     // CKr
  std::uint32_t send_count = 0;                       // Ns
  std::uint32_t receive_count = 0;                    // Nr
  std::uint32_t previous_send_count = 0;              // PN
  std::deque<X25519PublicKey> retired_remote_keys;    // oldest first
  SkippedMessageKeys skipped;                         // MKSKIPPED
};

}  // namespace sotto::crypto
