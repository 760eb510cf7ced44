#include "lib/crypto/initial_message.h"

#include <limits>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"

namespace sotto::crypto {

namespace {
constexpr std::size_t kFixedSize =
    1 + kEd25519PublicKeySize + kX25519KeySize + kEd25519SignatureSize + kX25519KeySize + 4 + 1 + 4;
}  // namespace

Bytes encode_initial_message(const InitialMessage& m) {
  if (m.ratchet_message.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw CryptoError("initial message: ratchet message too long");
  }
  Bytes out(kFixedSize + (m.one_time_prekey_id ? 4 : 0) + m.ratchet_message.size());
  ByteWriter w(out);
  w.u8(kInitialMessageVersion);
  w.bytes(m.initiator_identity.signing_key);
  w.bytes(m.initiator_identity.dh_key);
  w.bytes(m.initiator_identity.signature);
  w.bytes(m.ephemeral_public);
  w.u32(m.signed_prekey_id);
  w.u8(m.one_time_prekey_id ? 1 : 0);
  if (m.one_time_prekey_id) w.u32(*m.one_time_prekey_id);
  w.u32(static_cast<std::uint32_t>(m.ratchet_message.size()));
  w.bytes(m.ratchet_message);
  w.expect_full();
  return out;
}

InitialMessage parse_initial_message(ByteView encoded) {
  ByteReader r(encoded, "initial message");
  if (r.u8("version") != kInitialMessageVersion) throw CryptoError("initial message: unsupported format version");
  InitialMessage m;
  r.copy_to(m.initiator_identity.signing_key, "identity signing key");
  r.copy_to(m.initiator_identity.dh_key, "identity DH key");
  r.copy_to(m.initiator_identity.signature, "identity signature");
  r.copy_to(m.ephemeral_public, "ephemeral key");
  m.signed_prekey_id = r.u32("signed prekey id");
  const std::uint8_t has_one_time = r.u8("one-time prekey flag");
  if (has_one_time > 1) throw CryptoError("initial message: one-time prekey flag must be 0 or 1");
  if (has_one_time == 1) m.one_time_prekey_id = r.u32("one-time prekey id");
  const std::uint32_t length = r.u32("ratchet message length");
  if (length != r.remaining()) throw CryptoError("initial message: ratchet message length does not match the input");
  const ByteView ratchet = r.bytes(length, "ratchet message");
  m.ratchet_message.assign(ratchet.begin(), ratchet.end());
  r.expect_end();
  return m;
}

bool is_initial_message(ByteView encoded) { return !encoded.empty() && encoded[0] == kInitialMessageVersion; }

}  // namespace sotto::crypto
