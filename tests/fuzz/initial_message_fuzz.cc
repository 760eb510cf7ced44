// Feeds arbitrary bytes to parse_initial_message. The layout is fixed by
// docs/crypto.md ("Message format"), and this target holds the parser to it
// from both sides:
//  - an input is accepted exactly when it is well formed by that layout, as
//    judged by the independent reading below (offsets written out from the
//    document, not taken from the parser);
//  - every field of an accepted input is the bytes at its documented offset
//    with its documented size, and encoding the result gives back the input,
//    so no two byte strings mean the same initial message.
// Refusal must be a CryptoError; any other exception escapes and fails the run.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "lib/crypto/bytes.h"
#include "lib/crypto/error.h"
#include "lib/crypto/initial_message.h"

namespace {

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;

// docs/crypto.md, "Message format": offsets and sizes of the initial message.
constexpr std::size_t kVersionAt = 0;
constexpr std::size_t kSigningKeyAt = 1;        // 32 bytes
constexpr std::size_t kDhKeyAt = 33;            // 32 bytes
constexpr std::size_t kSignatureAt = 65;        // 64 bytes
constexpr std::size_t kEphemeralAt = 129;       // 32 bytes
constexpr std::size_t kSignedPrekeyIdAt = 161;  // u32 BE
constexpr std::size_t kOneTimeFlagAt = 165;     // 0x00 or 0x01
constexpr std::size_t kAfterFlag = 166;         // [one-time id u32 BE] then length u32 BE
constexpr std::uint8_t kVersion = 0x02;

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "initial_message_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

std::uint32_t be32_at(ByteView in, std::size_t at) {
  return static_cast<std::uint32_t>(in[at]) << 24 | static_cast<std::uint32_t>(in[at + 1]) << 16 |
         static_cast<std::uint32_t>(in[at + 2]) << 8 | static_cast<std::uint32_t>(in[at + 3]);
}

template <std::size_t N>
bool field_is(const std::array<std::uint8_t, N>& field, ByteView in, std::size_t at) {
  return at + N <= in.size() && std::equal(field.begin(), field.end(), in.begin() + static_cast<long>(at));
}

// Where the ratchet message length sits, or nothing when the input is not a
// well-formed initial message.
std::optional<std::size_t> well_formed_length_at(ByteView in) {
  if (in.size() <= kOneTimeFlagAt || in[kVersionAt] != kVersion) return std::nullopt;
  const std::uint8_t flag = in[kOneTimeFlagAt];
  if (flag > 1) return std::nullopt;
  const std::size_t length_at = kAfterFlag + (flag == 1 ? 4 : 0);
  if (in.size() < length_at + 4) return std::nullopt;
  if (be32_at(in, length_at) != in.size() - length_at - 4) return std::nullopt;
  return length_at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const std::optional<std::size_t> length_at = well_formed_length_at(input);

  std::optional<sotto::crypto::InitialMessage> parsed;
  try {
    parsed = sotto::crypto::parse_initial_message(input);
  } catch (const sotto::crypto::CryptoError&) {
    check(!length_at, "a well-formed initial message is accepted");
    return 0;
  }
  check(length_at.has_value(), "only a well-formed initial message is accepted");
  const sotto::crypto::InitialMessage& m = *parsed;

  check(sotto::crypto::is_initial_message(input), "an accepted input is recognised as an initial message");
  check(field_is(m.initiator_identity.signing_key, input, kSigningKeyAt), "identity signing key: bytes 1..32");
  check(field_is(m.initiator_identity.dh_key, input, kDhKeyAt), "identity DH key: bytes 33..64");
  check(field_is(m.initiator_identity.signature, input, kSignatureAt), "identity signature: bytes 65..128");
  check(field_is(m.ephemeral_public, input, kEphemeralAt), "ephemeral key: bytes 129..160");
  check(m.signed_prekey_id == be32_at(input, kSignedPrekeyIdAt), "signed prekey id: u32 BE at 161");
  check(m.one_time_prekey_id.has_value() == (input[kOneTimeFlagAt] == 1), "one-time prekey id present iff flag 1");
  if (m.one_time_prekey_id) check(*m.one_time_prekey_id == be32_at(input, kAfterFlag), "one-time prekey id at 166");
  const ByteView ratchet = input.subspan(*length_at + 4);
  check(std::equal(m.ratchet_message.begin(), m.ratchet_message.end(), ratchet.begin(), ratchet.end()),
        "the ratchet message is all the bytes after its length");

  check(sotto::crypto::encode_initial_message(m) == Bytes(input.begin(), input.end()),
        "an accepted input re-encodes to the same bytes");
  return 0;
}
