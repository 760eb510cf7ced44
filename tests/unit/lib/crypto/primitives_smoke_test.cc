#include <gtest/gtest.h>

#include "lib/crypto/aead.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/error.h"
#include "lib/crypto/hkdf.h"
#include "lib/crypto/sha256.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {
namespace {

TEST(X25519, Rfc7748Section52FirstVector) {
  const Bytes scalar = from_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  const Bytes u = from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
  EXPECT_EQ(to_hex(x25519(scalar, u).view()), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

TEST(Sha256, EmptyInput) {
  EXPECT_EQ(to_hex(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Aes256Gcm, RoundTripAndTamperRejected) {
  const Bytes key(32, 7), nonce(12, 1);
  Bytes ct = aes256gcm_seal(key, nonce, as_bytes("ad"), as_bytes("hello"));
  EXPECT_EQ(aes256gcm_open(key, nonce, as_bytes("ad"), ct), Bytes(as_bytes("hello").begin(), as_bytes("hello").end()));
  ct[0] ^= 1;
  EXPECT_THROW(aes256gcm_open(key, nonce, as_bytes("ad"), ct), CryptoError);
}

TEST(Ed25519, SignVerify) {
  const auto k = Ed25519KeyPair::generate();
  const auto sig = k.sign(as_bytes("m"));
  EXPECT_TRUE(ed25519_verify(k.public_key(), as_bytes("m"), sig));
  EXPECT_FALSE(ed25519_verify(k.public_key(), as_bytes("n"), sig));
}

TEST(Hkdf, Rfc5869Case1) {
  const Bytes ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const Bytes salt = from_hex("000102030405060708090a0b0c");
  const Bytes info = from_hex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(to_hex(hkdf_sha256(ikm, salt, info, 42).view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

}  // namespace
}  // namespace sotto::crypto
