#pragma once

// The byte layout of one Double Ratchet message (docs/crypto.md, "Message format"):
//
//   version (u8, 0x01) || ratchet public key (32) || PN (u32 BE) || N (u32 BE)   <- header, 41 bytes
//   || AES-256-GCM ciphertext || tag (16)
//
// The first byte names the format; a later format gets another value, and
// this parser rejects anything it does not know.

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/crypto/bytes.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

inline constexpr std::uint8_t kRatchetMessageVersion = 0x01;
inline constexpr std::size_t kRatchetHeaderSize = 1 + kX25519KeySize + 4 + 4;
inline constexpr std::size_t kRatchetTagSize = 16;

struct RatchetHeader {
  X25519PublicKey ratchet_key{};
  std::uint32_t previous_chain_length = 0;  // PN
  std::uint32_t message_number = 0;         // N

  friend bool operator==(const RatchetHeader&, const RatchetHeader&) = default;
};

// Writes exactly kRatchetHeaderSize bytes into out.
void encode_ratchet_header(const RatchetHeader& header, std::span<std::uint8_t, kRatchetHeaderSize> out);

struct ParsedRatchetMessage {
  RatchetHeader header;
  ByteView header_bytes;        // the 41 header bytes, authenticated as AAD
  ByteView ciphertext_and_tag;  // at least the 16-byte tag
};

// Splits a message; views point into message. Throws CryptoError for an
// unknown version or a message too short to hold a header and a tag.
ParsedRatchetMessage parse_ratchet_message(ByteView message);

}  // namespace sotto::crypto
