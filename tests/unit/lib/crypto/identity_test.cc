#include "lib/crypto/identity.h"

#include <gtest/gtest.h>

#include "lib/crypto/error.h"
#include "lib/crypto/prekey.h"

namespace sotto::crypto {
namespace {

Bytes copy(const SecretBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

// Every prefix and every single-bit change of a stored blob must be refused.
template <typename Load>
void expect_every_truncation_and_flip_rejected(const Bytes& stored, Load load) {
  for (std::size_t n = 0; n < stored.size(); ++n) {
    EXPECT_THROW(load(ByteView(stored.data(), n)), CryptoError) << "length " << n;
  }
  for (std::size_t i = 0; i < stored.size(); ++i) {
    Bytes bad = stored;
    bad[i] ^= 0x20;
    EXPECT_THROW(load(bad), CryptoError) << "byte " << i;
  }
  Bytes longer = stored;
  longer.push_back(0);
  EXPECT_THROW(load(longer), CryptoError);
}

TEST(IdentityKeyPair, AGeneratedIdentityVerifies) {
  const IdentityKeyPair id = IdentityKeyPair::generate();
  EXPECT_TRUE(id.public_key().verify());
  EXPECT_EQ(id.public_key().dh_key, id.dh_key_pair().public_key());
  EXPECT_NE(IdentityKeyPair::generate().public_key(), id.public_key());
}

TEST(IdentityKeyPair, AnyChangeToThePublicIdentityBreaksVerification) {
  const IdentityPublicKey good = IdentityKeyPair::generate().public_key();
  for (std::size_t i = 0; i < 32; ++i) {
    IdentityPublicKey bad = good;
    bad.dh_key[i] ^= 0x01;
    EXPECT_FALSE(bad.verify()) << "dh_key byte " << i;
  }
  IdentityPublicKey bad = good;
  bad.signature[63] ^= 0x01;
  EXPECT_FALSE(bad.verify());
  bad = good;
  bad.signing_key = IdentityKeyPair::generate().public_key().signing_key;
  EXPECT_FALSE(bad.verify());
}

TEST(IdentityKeyPair, SerializeRoundTripKeepsTheSameKeys) {
  const IdentityKeyPair id = IdentityKeyPair::generate();
  const SecretBytes stored = id.serialize();
  const IdentityKeyPair loaded = IdentityKeyPair::deserialize(stored.view());
  EXPECT_EQ(loaded.public_key(), id.public_key());
  EXPECT_TRUE(loaded.dh_key_pair().private_key() == id.dh_key_pair().private_key());
  EXPECT_EQ(loaded.sign(as_bytes("m")), id.sign(as_bytes("m")));
  EXPECT_EQ(stored.size(), 4u + 1 + 32 + 32 + 32);
}

TEST(IdentityKeyPair, DeserializeRejectsEveryTruncationAndCorruption) {
  expect_every_truncation_and_flip_rejected(copy(IdentityKeyPair::generate().serialize()),
                                            [](ByteView b) { return IdentityKeyPair::deserialize(b); });
}

TEST(IdentityKeyPair, TheDocumentedStoredFormLoads) {
  // session_vectors.py: seed 01..20, DH private 21..40.
  const IdentityKeyPair id = IdentityKeyPair::deserialize(from_hex(
      "534f4944010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"
      "3435363738393a3b3c3d3e3f408978ba2a9b21a15f4efc933b51d6e852fa5e976afb9c4d44b500eb1dedfe6034"));
  EXPECT_EQ(to_hex(id.public_key().signing_key), "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664");
  EXPECT_TRUE(id.public_key().verify());
}

TEST(SignedPrekeyPair, IsSignedByItsIdentityOnly) {
  const IdentityKeyPair id = IdentityKeyPair::generate();
  const SignedPrekeyPair spk = SignedPrekeyPair::generate(42, id);
  EXPECT_EQ(spk.id(), 42u);
  EXPECT_EQ(spk.public_prekey().public_key, spk.key_pair().public_key());
  EXPECT_TRUE(spk.public_prekey().verify(id.public_key().signing_key));
  EXPECT_FALSE(spk.public_prekey().verify(IdentityKeyPair::generate().public_key().signing_key));
}

TEST(SignedPrekeyPair, SerializeRoundTripAndCorruptionRejected) {
  const IdentityKeyPair id = IdentityKeyPair::generate();
  const SignedPrekeyPair spk = SignedPrekeyPair::generate(0xdeadbeef, id);
  const SignedPrekeyPair loaded = SignedPrekeyPair::deserialize(spk.serialize().view());
  EXPECT_EQ(loaded.public_prekey(), spk.public_prekey());
  EXPECT_TRUE(loaded.key_pair().private_key() == spk.key_pair().private_key());
  expect_every_truncation_and_flip_rejected(copy(spk.serialize()),
                                            [](ByteView b) { return SignedPrekeyPair::deserialize(b); });
}

TEST(OneTimePrekeyPair, SerializeRoundTripAndCorruptionRejected) {
  const OneTimePrekeyPair opk = OneTimePrekeyPair::generate(7);
  const OneTimePrekeyPair loaded = OneTimePrekeyPair::deserialize(opk.serialize().view());
  EXPECT_EQ(loaded.public_prekey(), opk.public_prekey());
  EXPECT_EQ(loaded.id(), 7u);
  EXPECT_TRUE(loaded.key_pair().private_key() == opk.key_pair().private_key());
  expect_every_truncation_and_flip_rejected(copy(opk.serialize()),
                                            [](ByteView b) { return OneTimePrekeyPair::deserialize(b); });
}

TEST(StoredKeys, OneKindOfBlobCannotBeLoadedAsAnother) {
  const IdentityKeyPair id = IdentityKeyPair::generate();
  const SecretBytes identity = id.serialize();
  const SecretBytes signed_prekey = SignedPrekeyPair::generate(1, id).serialize();
  const SecretBytes one_time = OneTimePrekeyPair::generate(1).serialize();
  EXPECT_THROW(SignedPrekeyPair::deserialize(identity.view()), CryptoError);
  EXPECT_THROW(OneTimePrekeyPair::deserialize(identity.view()), CryptoError);
  EXPECT_THROW(IdentityKeyPair::deserialize(signed_prekey.view()), CryptoError);
  EXPECT_THROW(OneTimePrekeyPair::deserialize(signed_prekey.view()), CryptoError);
  EXPECT_THROW(IdentityKeyPair::deserialize(one_time.view()), CryptoError);
  EXPECT_THROW(SignedPrekeyPair::deserialize(one_time.view()), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
