#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_message.h"

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
//   kind 4 (group update):     u32 length | the group's new state (group_state.h), from an admin or a leaving member
//   kind 5 (group sender key): u64 epoch | the sender's sender-key distribution for that group (89 bytes,
//                              lib/crypto/sender_key_distribution.h)
// Kinds 4 and 5 travel only inside a pairwise session, which authenticates
// who sent them. Inside a group message (envelope type 3) only kinds 1 and 3.
// The message id repeats the relay's Send.message_id inside the encryption, so
// a relay that swaps ids is caught.
enum class ContentKind : std::uint8_t { kText = 1, kReceipt = 2, kFile = 3, kGroupUpdate = 4, kSenderKey = 5 };
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
  crypto::Bytes group_state;                              // kGroupUpdate: the encoded state
  std::uint64_t group_epoch = 0;                          // kSenderKey
  crypto::SecretBytes sender_key;                         // kSenderKey: the encoded distribution
};
// The largest encoded group state: 1000 members of 32-byte names and more.
inline constexpr std::size_t kMaxGroupStateBytes = 64 * 1024;

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
//   type 3: a group message: 16 bytes group id | u64 epoch | 32 bytes SHA-256 of the group state it was
//           sent under | a sender-key message (lib/crypto/sender_key_message.h) whose plaintext is padded
//           content of kind 1 or 3
enum class EnvelopeType : std::uint8_t { kInitial = 1, kRatchet = 2, kGroup = 3 };

struct Envelope {
  EnvelopeType type = EnvelopeType::kRatchet;
  crypto::ByteView body;  // points into the parsed bytes
};

crypto::Bytes encode_envelope(EnvelopeType type, crypto::ByteView body);
Envelope parse_envelope(crypto::ByteView bytes);  // throws ContentError

struct GroupEnvelope {
  crypto::GroupId group_id{};
  std::uint64_t epoch = 0;
  std::array<std::uint8_t, 32> state_hash{};
  crypto::ByteView message;  // the sender-key message; points into the parsed bytes
};
inline constexpr std::size_t kGroupEnvelopeHeaderSize = 16 + 8 + 32;
crypto::Bytes encode_group_envelope(const GroupEnvelope& envelope);  // with its type byte
// The body of a type-3 envelope (after the type byte). Throws ContentError
// when it is too short to hold the header and a sender-key message, or when
// that message names another group.
GroupEnvelope parse_group_envelope(crypto::ByteView body);
// What a group message's AEAD binds besides its header: the sender's
// username, the epoch and the state hash, each unambiguous (length-prefixed
// or fixed), so that a ciphertext cannot be moved to another sender, epoch
// or view of the group.
crypto::Bytes group_message_context(std::string_view sender, std::uint64_t epoch,
                                    const std::array<std::uint8_t, 32>& state_hash);

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
