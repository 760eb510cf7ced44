#pragma once

// What a sender gives each member of a group so that the member can read its
// chain (Signal's SenderKeyDistributionMessage). It travels as the plaintext
// of a pairwise Double Ratchet message, which is what authenticates it: the
// member must file it under the pairwise session's peer, never under a name
// found inside it (there is none). Layout (docs/crypto.md, "Groups: sender
// keys"), 89 bytes exactly:
//
//   version/type (u8, 0x04) || group id (16) || key id (u32 BE) || iteration (u32 BE)
//   || chain key (32) || signing public key (Ed25519, 32)

#include <cstddef>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_message.h"

namespace sotto::crypto {

inline constexpr std::uint8_t kSenderKeyDistributionVersion = 0x04;
inline constexpr std::size_t kSenderKeyDistributionSize =
    1 + kGroupIdSize + 4 + 4 + kRatchetKeySize + kEd25519PublicKeySize;

struct SenderKeyDistribution {
  GroupId group_id{};
  std::uint32_t key_id = 0;
  // The iteration chain_key belongs to: the first message the member will be
  // able to read. Earlier messages stay unreadable to it (the chain is one-way).
  std::uint32_t iteration = 0;
  SecretBytes chain_key;  // 32 bytes
  Ed25519PublicKey signing_key{};
};

// The encoding holds the chain key, so it is returned as SecretBytes. Throws
// CryptoError if the chain key is not 32 bytes.
SecretBytes encode_sender_key_distribution(const SenderKeyDistribution& distribution);

// Strict: exactly 89 bytes with the known first byte; anything else is a
// CryptoError naming the problem.
SenderKeyDistribution parse_sender_key_distribution(ByteView encoded);

}  // namespace sotto::crypto
