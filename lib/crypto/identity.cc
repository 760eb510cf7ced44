#include "lib/crypto/identity.h"

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/stored_blob.h"

namespace sotto::crypto {

namespace {
constexpr std::string_view kMagic = "SOID";
constexpr std::uint8_t kVersion = 1;
}  // namespace

bool IdentityPublicKey::verify() const { return ed25519_verify(signing_key, dh_key, signature); }

IdentityKeyPair::IdentityKeyPair(Ed25519KeyPair signing, X25519KeyPair dh)
    : signing_(std::move(signing)), dh_(std::move(dh)) {
  public_.signing_key = signing_.public_key();
  public_.dh_key = dh_.public_key();
  // Ed25519 is deterministic (RFC 8032 §5.1.6), so the signature need not be
  // stored: it is the same every time it is made.
  public_.signature = signing_.sign(dh_.public_key());
}

IdentityKeyPair IdentityKeyPair::generate() { return {Ed25519KeyPair::generate(), X25519KeyPair::generate()}; }

SecretBytes IdentityKeyPair::serialize() const {
  return seal_stored_blob(kMagic, kVersion, kEd25519SeedSize + kX25519KeySize, [&](ByteWriter& w) {
    w.bytes(signing_.seed().view());
    w.bytes(dh_.private_key().view());
  });
}

IdentityKeyPair IdentityKeyPair::deserialize(ByteView stored) {
  ByteReader r(open_stored_blob(stored, kMagic, kVersion, "identity key"), "identity key");
  const ByteView seed = r.bytes(kEd25519SeedSize, "signing key");
  const ByteView dh = r.bytes(kX25519KeySize, "DH key");
  r.expect_end();
  return {Ed25519KeyPair::from_seed(seed), X25519KeyPair::from_private(dh)};
}

}  // namespace sotto::crypto
