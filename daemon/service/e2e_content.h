#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::msgd {

// What two msgds say to each other inside the Double Ratchet. The relay sees
// only the envelope (below); everything here is encrypted and padded.
//
// Content, version 1 (big-endian):
//   u8 version (1) | u8 kind | 16 bytes message id | u32 sent_at high | u32 sent_at low (ms since the epoch)
//   kind 1 (text):    u32 length | UTF-8 text
//   kind 2 (receipt): u8 state (1 delivered, 2 read) | 16 bytes id of the message it acknowledges
//   kind 3 (file):    u8 blob id length (1-64) | blob id (the relay's, ASCII) | 32 bytes file key |
//                     32 bytes SHA-256 of the encrypted blob | u32 size high | u32 size low (plaintext bytes) |
//                     u16 name length (1-1024) | name (as the sender named it: untrusted) |
//                     u8 MIME type length | MIME type | u32 caption length (at most 64 KiB) | caption
// The message id repeats the relay's Send.message_id inside the encryption, so
// a relay that swaps ids is caught.
enum class ContentKind : std::uint8_t { kText = 1, kReceipt = 2, kFile = 3 };
enum class ReceiptState : std::uint8_t { kDelivered = 1, kRead = 2 };

using MessageId = std::array<std::uint8_t, 16>;

// What a file message carries: everything needed to fetch, check and
// decrypt the blob. Nothing of it is ever sent in the clear.
struct FileOffer {
  std::string blob_id;
  crypto::SecretBytes key;  // kFileKeySize bytes
  std::array<std::uint8_t, 32> ciphertext_sha256{};
  std::uint64_t size = 0;  // plaintext bytes
  std::string name;        // untrusted: see file_name.h before using it
  std::string mime;
};

inline constexpr std::size_t kMaxFileNameBytes = 1024;
inline constexpr std::size_t kMaxMimeBytes = 255;

struct Content {
  ContentKind kind = ContentKind::kText;
  MessageId id{};
  std::uint64_t sent_at_ms = 0;
  std::string text;                                       // kText; kFile: the caption
  FileOffer file;                                         // kFile
  ReceiptState receipt_state = ReceiptState::kDelivered;  // kReceipt
  MessageId acknowledged{};                               // kReceipt
};

inline constexpr std::size_t kMaxTextBytes = 64 * 1024;

class ContentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

crypto::Bytes encode_content(const Content& content);
Content parse_content(crypto::ByteView bytes);  // throws ContentError

// The envelope the relay carries: u8 type | body.
//   type 1: an X3DH initial message (lib/crypto/initial_message.h) carrying the first ratchet message
//   type 2: a Double Ratchet message
enum class EnvelopeType : std::uint8_t { kInitial = 1, kRatchet = 2 };

struct Envelope {
  EnvelopeType type = EnvelopeType::kRatchet;
  crypto::ByteView body;  // points into the parsed bytes
};

crypto::Bytes encode_envelope(EnvelopeType type, crypto::ByteView body);
Envelope parse_envelope(crypto::ByteView bytes);  // throws ContentError

std::string message_id_hex(const MessageId& id);
MessageId message_id_from_hex(std::string_view hex);      // throws ContentError
MessageId message_id_from_bytes(crypto::ByteView bytes);  // throws ContentError unless 16 bytes
// A new message id, laid out like a UUIDv7 (RFC 9562) without its version
// bits: the first kMessageIdTimeBytes are Unix time in milliseconds, big-endian,
// the other 80 bits random. Time first, so the relay's duplicate-check index
// (message_id leads) takes new ids at its end instead of on a random page,
// which cuts the pages each of its group commits writes. It tells the relay
// nothing new (it stamps its own time on every envelope); 80 random bits
// keep ids unique even for many ids in one millisecond.
MessageId new_message_id();
inline constexpr std::size_t kMessageIdTimeBytes = 6;

}  // namespace sotto::msgd
