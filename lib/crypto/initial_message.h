#pragma once

// What the X3DH initiator sends until the responder has answered (Signal's
// PreKeySignalMessage): the values the responder needs to run X3DH, and a
// ratchet message. docs/crypto.md, "Message format", gives the layout:
//
//   0x02 || identity signing key (32) || identity DH key (32) || identity signature (64)
//   || ephemeral key (32) || signed prekey id (u32 BE)
//   || 0x00 | 0x01 || [one-time prekey id (u32 BE), present iff 0x01]
//   || ratchet message length (u32 BE) || ratchet message

#include <cstdint>
#include <optional>

#include "lib/crypto/bytes.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

// First byte of an initial message. A plain ratchet message starts with
// kRatchetMessageVersion (0x01), so one byte tells the two apart.
inline constexpr std::uint8_t kInitialMessageVersion = 0x02;

struct InitialMessage {
  IdentityPublicKey initiator_identity;
  X25519PublicKey ephemeral_public{};
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
  Bytes ratchet_message;

  friend bool operator==(const InitialMessage&, const InitialMessage&) = default;
};

Bytes encode_initial_message(const InitialMessage& message);

// Throws CryptoError for an unknown version, a truncated message, a bad flag
// byte, a length that disagrees with the input, or trailing bytes. The
// identity signature is not checked here; x3dh_respond checks it.
InitialMessage parse_initial_message(ByteView encoded);

// True when encoded starts like an initial message (its first byte).
bool is_initial_message(ByteView encoded);

}  // namespace sotto::crypto
