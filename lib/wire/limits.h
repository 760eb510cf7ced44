#pragma once

// Every size and count the relay protocol enforces, in one place, with its
// unit and the reason for its value. docs/protocol.md ("Limits") lists the
// same numbers for client writers; request_validator.cc applies them to every
// client request before the server acts on it.
//
// Some of these are protocol ceilings that a server may lower by configuration
// (max frame size, recipients per Send): the server tells the client its
// actual values in HelloOk.

#include <cstddef>
#include <cstdint>

namespace sotto::wire {

// ---- framing ----

// The protocol version this code speaks (Hello.protocol_version, HelloOk.protocol_version).
inline constexpr std::uint32_t kProtocolVersion = 1;

// Bytes of the big-endian length that precedes every serialized Frame.
inline constexpr std::size_t kLengthPrefixBytes = 4;

// Bytes of one serialized Frame (prefix excluded) a server accepts by default.
// 1 MiB holds the largest legal Send (see kMinMaxFrameBytes) with room to spare
// while bounding what one connection can make the server buffer.
inline constexpr std::uint32_t kDefaultMaxFrameBytes = 1U << 20;

// The smallest max frame size a server may be configured with: below this the
// largest legal Send or BlobChunk (checked by the static_asserts at the end of
// this file) would not fit, and a legal request could never be sent.
inline constexpr std::uint32_t kMinMaxFrameBytes = 512U << 10;

// The largest max frame size a server may be configured with. A connection may
// buffer up to one frame, so this times the connection cap is the worst-case
// memory; 16 MiB keeps a misconfiguration from making that unbounded, and
// nothing in the protocol needs bigger frames (files travel as 256 KiB chunks).
inline constexpr std::uint32_t kMaxMaxFrameBytes = 16U << 20;

// ---- keys and identifiers (bytes) ----

// Ed25519 public keys (RFC 8032 section 5.1.5) and X25519 public keys
// (RFC 7748 section 5) are both 32 bytes.
inline constexpr std::size_t kPublicKeyBytes = 32;
// Ed25519 signatures are 64 bytes (RFC 8032 section 5.1.6).
inline constexpr std::size_t kSignatureBytes = 64;
// Session tokens: 256 random bits, as DESIGN.md's account section states.
inline constexpr std::size_t kTokenBytes = 32;
// SHA-256 digests (FIPS 180-4): BlobBegin.sha256.
inline constexpr std::size_t kSha256Bytes = 32;
// Send.message_id: 128 random bits, so two messages of one sender collide
// with negligible probability (birthday bound 2^64 messages).
inline constexpr std::size_t kMessageIdBytes = 16;

// ---- text fields ----

// Usernames: characters after ASCII lower-casing (all ASCII, so characters ==
// bytes). 3 keeps names from being trivially enumerable; 32 keeps them
// readable in a terminal and in a safety-number screen.
inline constexpr std::size_t kMinUsernameChars = 3;
inline constexpr std::size_t kMaxUsernameChars = 32;

// Passwords, in bytes of UTF-8. 8 is NIST SP 800-63B section 5.1.1.2's
// minimum for user-chosen secrets; 1024 allows any passphrase or
// password-manager output while bounding the bytes the server hashes.
inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Free text shown to administrators (device names in "relayd user list") and
// logged (Hello.client, HelloOk.server): 64 bytes is a line's worth.
inline constexpr std::size_t kMaxDeviceNameBytes = 64;
inline constexpr std::size_t kMaxClientStringBytes = 64;

// Invite codes are printed by the server (hex or base32 of 16 random bytes:
// 26-32 characters); 64 leaves room for a future format.
inline constexpr std::size_t kMaxInviteCodeBytes = 64;

// Blob ids are chosen by the server: 1-64 characters of [A-Za-z0-9_-]
// (URL- and file-name-safe; a 128-bit random id in hex is 32 characters).
inline constexpr std::size_t kMaxBlobIdChars = 64;

// ---- counts and payload sizes ----

// Send.recipients: a group fan-out of one envelope. 1000 covers large groups;
// each recipient costs one durable queue row, so this bounds the work one
// request can cause. A server may configure a lower cap (HelloOk.max_recipients).
inline constexpr std::size_t kMaxRecipientsPerSend = 1000;

// Send.envelope: one end-to-end message. Plaintexts are padded to buckets of
// at most a few 64 KiB steps; 256 KiB is four of them, and anything larger
// (a file) travels as a blob instead.
inline constexpr std::size_t kMaxEnvelopeBytes = 256U << 10;

// DeliverAck.delivery_ids: a client acknowledges what it has stored in
// batches; 1000 ids is a few kilobytes and bounds one request's deletes.
inline constexpr std::size_t kMaxDeliveryIdsPerAck = 1000;

// Presence.usernames: one query covers a contact list; 256 names bound the
// lookups (and the answer's size) of one request.
inline constexpr std::size_t kMaxPresenceNames = 256;

// PublishPrekeys.one_time_prekeys: a client uploads 100 and tops up below 20
// (DESIGN.md); 200 allows a full batch plus a top-up and bounds one request.
inline constexpr std::size_t kMaxOneTimePrekeysPerPublish = 200;

// BlobChunk.data and BlobGet answers: 256 KiB is four 64 KiB encrypted file
// chunks (lib/crypto file cipher), large enough that per-frame overhead is
// negligible and small enough to interleave with messages on one connection.
inline constexpr std::size_t kMaxBlobChunkBytes = 256U << 10;

// BlobEnd.readers: who may fetch a finished blob besides its owner. A file
// sent to a group lists each member, so the bound is the fan-out bound of a
// Send; each reader costs one durable row. A server with a lower
// HelloOk.max_recipients applies that instead.
inline constexpr std::size_t kMaxBlobReaders = kMaxRecipientsPerSend;

// ---- consistency between the limits above ----

// Protobuf overhead of one length-delimited field: a 1-byte tag and a varint
// length of at most 5 bytes for sizes below 2^32.
inline constexpr std::size_t kFieldOverheadBytes = 6;

// The largest legal Send: message_id, every recipient at maximum length, the
// largest envelope, a ttl, the request_id and the oneof wrapper.
inline constexpr std::size_t kLargestSendBytes =
    (kFieldOverheadBytes + kMessageIdBytes) + kMaxRecipientsPerSend * (kFieldOverheadBytes + kMaxUsernameChars) +
    (kFieldOverheadBytes + kMaxEnvelopeBytes) + 6 + 11 + kFieldOverheadBytes;
static_assert(kLargestSendBytes <= kMinMaxFrameBytes, "the largest legal Send must fit the smallest max frame");

// The largest BlobChunk or BlobData: the data plus id, offsets and wrappers.
inline constexpr std::size_t kLargestBlobFrameBytes = (kFieldOverheadBytes + kMaxBlobChunkBytes) +
                                                      (kFieldOverheadBytes + kMaxBlobIdChars) + 3 * 11 + 2 +
                                                      kFieldOverheadBytes;
static_assert(kLargestBlobFrameBytes <= kMinMaxFrameBytes, "a full blob chunk must fit the smallest max frame");

// The largest legal BlobEnd: the id and every reader at maximum length.
inline constexpr std::size_t kLargestBlobEndBytes = (kFieldOverheadBytes + kMaxBlobIdChars) +
                                                    kMaxBlobReaders * (kFieldOverheadBytes + kMaxUsernameChars) + 11 +
                                                    kFieldOverheadBytes;
static_assert(kLargestBlobEndBytes <= kMinMaxFrameBytes, "a BlobEnd with every reader must fit the smallest max frame");

static_assert(kMinMaxFrameBytes <= kDefaultMaxFrameBytes && kDefaultMaxFrameBytes <= kMaxMaxFrameBytes);
static_assert(kMaxMaxFrameBytes <= 0x7fffffffU, "protobuf parses at most INT_MAX bytes");

}  // namespace sotto::wire
