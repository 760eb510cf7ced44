#pragma once

// The byte layout of one group message under a sender key (docs/crypto.md,
// "Groups: sender keys"):
//
//   version/type (u8, 0x03) || group id (16) || key id (u32 BE) || iteration (u32 BE)   <- header, 25 bytes
//   || AES-256-GCM ciphertext || tag (16)
//   || Ed25519 signature (64) by the chain's signing key over every byte before it
//
// The first byte names the format and differs from the pairwise formats
// (0x01 ratchet message, 0x02 initial message), so one can never be parsed as
// another. This file only splits and bounds-checks; the checks that need
// keys are SenderKeyReceiver's.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/crypto/aead.h"
#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"

namespace sotto::crypto {

inline constexpr std::uint8_t kSenderKeyMessageVersion = 0x03;
// A group is named by 16 random bytes chosen by its creator: long enough that
// two groups never share an id by chance, so a ciphertext bound to one group
// id cannot be replayed into another.
inline constexpr std::size_t kGroupIdSize = 16;
using GroupId = std::array<std::uint8_t, kGroupIdSize>;

inline constexpr std::size_t kSenderKeyHeaderSize = 1 + kGroupIdSize + 4 + 4;
inline constexpr std::size_t kSenderKeyMessageMinSize = kSenderKeyHeaderSize + kGcmTagSize + kEd25519SignatureSize;

struct SenderKeyHeader {
  GroupId group_id{};
  std::uint32_t key_id = 0;     // names the sender's chain
  std::uint32_t iteration = 0;  // the message's position in that chain

  friend bool operator==(const SenderKeyHeader&, const SenderKeyHeader&) = default;
};

// Writes exactly kSenderKeyHeaderSize bytes into out.
void encode_sender_key_header(const SenderKeyHeader& header, std::span<std::uint8_t, kSenderKeyHeaderSize> out);

struct ParsedSenderKeyMessage {
  SenderKeyHeader header;
  ByteView header_bytes;        // the 25 header bytes, part of the AEAD's associated data
  ByteView ciphertext_and_tag;  // at least the 16-byte tag
  ByteView signed_part;         // header || ciphertext || tag: what the signature covers
  ByteView signature;           // the last 64 bytes
};

// Splits a message; views point into message. Throws CryptoError for an
// empty message, an unknown version or one too short to hold a header, a tag
// and a signature. msgd uses the header to find the receiver state (group,
// sender, key id) before decrypting.
ParsedSenderKeyMessage parse_sender_key_message(ByteView message);

// The AEAD's associated data: the encoded header followed by the caller's
// context. The header has a fixed length, so the split is unambiguous; the
// context must itself be an unambiguous encoding (docs/crypto.md).
Bytes sender_key_message_aad(ByteView header_bytes, ByteView context);

}  // namespace sotto::crypto
