#pragma once

// X3DH key agreement (Signal, "The X3DH Key Agreement Protocol", rev. 1,
// 2016-11-04) with Sotto's identity keys: the X25519 half of each identity
// takes part in the DHs, the Ed25519 half signs. docs/crypto.md, "X3DH",
// gives every byte of it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

inline constexpr std::size_t kX3dhSharedSecretSize = 32;
// Usernames enter the AD with a one-byte length. The relay allows 3..32 bytes
// (relay.proto Register); 255 is the most a one-byte length can say.
inline constexpr std::size_t kMaxUsernameSize = 255;

// What the initiator learns and must send to the responder (see InitialMessage).
struct X3dhInitiation {
  SecretBytes shared_secret;  // SK, 32 bytes: the Double Ratchet's first root key
  Bytes associated_data;      // AD: binds both identities and both usernames
  X25519PublicKey ephemeral_public{};
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
};

struct X3dhResponse {
  SecretBytes shared_secret;
  Bytes associated_data;
};

// Verifies the bundle's identity signature and signed-prekey signature (throws
// CryptoError naming which one failed), then runs X3DH with a fresh ephemeral
// key. Throws CryptoError for an empty or over-long username.
X3dhInitiation x3dh_initiate(const IdentityKeyPair& me, std::string_view my_username, const PrekeyBundle& peer);

// The responder's half. one_time_prekey is nullptr when the initiator used
// none; the caller looks both prekeys up by the ids the initiator sent. The
// initiator's identity signature is verified (CryptoError if bad).
X3dhResponse x3dh_respond(const IdentityKeyPair& me, std::string_view my_username,
                          const SignedPrekeyPair& signed_prekey, const OneTimePrekeyPair* one_time_prekey,
                          const IdentityPublicKey& initiator_identity, std::string_view initiator_username,
                          const X25519PublicKey& initiator_ephemeral);

// AD = initiator's (username, identity), then the responder's, each as
// u8 username length || username || signing key (32) || DH key (32).
Bytes x3dh_associated_data(const IdentityPublicKey& initiator, std::string_view initiator_username,
                           const IdentityPublicKey& responder, std::string_view responder_username);

namespace detail {
// x3dh_initiate with a given ephemeral key, for known-answer tests only:
// production code must never reuse an ephemeral key.
X3dhInitiation x3dh_initiate_with_ephemeral(const IdentityKeyPair& me, std::string_view my_username,
                                            const PrekeyBundle& peer, const X25519KeyPair& ephemeral);
}  // namespace detail

}  // namespace sotto::crypto
