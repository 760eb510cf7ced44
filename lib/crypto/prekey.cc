#include "lib/crypto/prekey.h"

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/stored_blob.h"

namespace sotto::crypto {

namespace {
constexpr std::string_view kSignedMagic = "SOSP";
constexpr std::string_view kOneTimeMagic = "SOOP";
constexpr std::uint8_t kVersion = 1;
}  // namespace

bool SignedPrekeyPublic::verify(const Ed25519PublicKey& identity_signing_key) const {
  return ed25519_verify(identity_signing_key, public_key, signature);
}

SignedPrekeyPair SignedPrekeyPair::generate(std::uint32_t id, const IdentityKeyPair& identity) {
  X25519KeyPair key = X25519KeyPair::generate();
  SignedPrekeyPublic pub{id, key.public_key(), identity.sign(key.public_key())};
  return {std::move(key), pub};
}

SecretBytes SignedPrekeyPair::serialize() const {
  return seal_stored_blob(kSignedMagic, kVersion, 4 + kX25519KeySize + kEd25519SignatureSize, [&](ByteWriter& w) {
    w.u32(public_.id);
    w.bytes(key_.private_key().view());
    w.bytes(public_.signature);
  });
}

SignedPrekeyPair SignedPrekeyPair::deserialize(ByteView stored) {
  constexpr std::string_view kWhat = "signed prekey";
  ByteReader r(open_stored_blob(stored, kSignedMagic, kVersion, kWhat), kWhat);
  SignedPrekeyPublic pub;
  pub.id = r.u32("id");
  X25519KeyPair key = X25519KeyPair::from_private(r.bytes(kX25519KeySize, "private key"));
  r.copy_to(pub.signature, "signature");
  r.expect_end();
  pub.public_key = key.public_key();
  return {std::move(key), pub};
}

OneTimePrekeyPair OneTimePrekeyPair::generate(std::uint32_t id) {
  X25519KeyPair key = X25519KeyPair::generate();
  const OneTimePrekeyPublic pub{id, key.public_key()};
  return {std::move(key), pub};
}

SecretBytes OneTimePrekeyPair::serialize() const {
  return seal_stored_blob(kOneTimeMagic, kVersion, 4 + kX25519KeySize, [&](ByteWriter& w) {
    w.u32(public_.id);
    w.bytes(key_.private_key().view());
  });
}

OneTimePrekeyPair OneTimePrekeyPair::deserialize(ByteView stored) {
  constexpr std::string_view kWhat = "one-time prekey";
  ByteReader r(open_stored_blob(stored, kOneTimeMagic, kVersion, kWhat), kWhat);
  OneTimePrekeyPublic pub;
  pub.id = r.u32("id");
  X25519KeyPair key = X25519KeyPair::from_private(r.bytes(kX25519KeySize, "private key"));
  r.expect_end();
  pub.public_key = key.public_key();
  return {std::move(key), pub};
}

}  // namespace sotto::crypto
