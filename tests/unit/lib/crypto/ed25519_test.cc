// Ed25519 (lib/crypto/ed25519.h) against RFC 8032 §7.1 and Project Wycheproof.
//
// Policy for Wycheproof's Ed25519 vectors (also in tests/data/wycheproof/README.md):
// the file has no "acceptable" vectors, so there is nothing to choose: we verify
// strictly as RFC 8032 §5.1.7 says. Every "valid" signature verifies; every
// "invalid" one — a wrong length, trailing or missing bytes, S >= L
// (malleability), a non-canonical or undecodable R or public key — makes
// ed25519_verify return false without throwing. An "acceptable" vector appearing
// in a future copy of the file fails the test until someone writes its policy.

#include "lib/crypto/ed25519.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <string>

#include "lib/crypto/error.h"
#include "tests/unit/lib/crypto/wycheproof.h"

namespace sotto::crypto {
namespace {

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// Derives the key from the seed, signs, and verifies, each against the RFC.
void expect_rfc8032_vector(const Rfc8032Vector& v) {
  const Ed25519KeyPair key = Ed25519KeyPair::from_seed(from_hex(v.seed));
  const Bytes message = from_hex(v.message);
  EXPECT_EQ(to_hex(key.public_key()), v.public_key);
  const Ed25519Signature signature = key.sign(message);
  EXPECT_EQ(to_hex(signature), v.signature);
  EXPECT_TRUE(ed25519_verify(from_hex(v.public_key), message, from_hex(v.signature)));

  Bytes other_message = message;
  other_message.push_back(0);
  EXPECT_FALSE(ed25519_verify(from_hex(v.public_key), other_message, from_hex(v.signature)));
}

TEST(Ed25519, MatchesRfc8032Test1WithAnEmptyMessage) {
  expect_rfc8032_vector(
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd"
       "25bf5f0595bbe24655141438e7a100b"});
}

TEST(Ed25519, MatchesRfc8032Test2WithAOneByteMessage) {
  expect_rfc8032_vector(
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8"
       "c387b2eaeb4302aeeb00d291612bb0c00"});
}

TEST(Ed25519, MatchesRfc8032Test3WithATwoByteMessage) {
  expect_rfc8032_vector(
      {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc65"
       "94a7c15e9716ed28dc027beceea1ec40a"});
}

TEST(Ed25519, FromSeedKeepsTheSeed) {
  const Bytes seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  EXPECT_EQ(to_hex(Ed25519KeyPair::from_seed(seed).seed().view()), to_hex(seed));
}

TEST(Ed25519, FromSeedRejectsSeedsThatAreNot32Bytes) {
  EXPECT_THROW(Ed25519KeyPair::from_seed(Bytes(31, 1)), CryptoError);
  EXPECT_THROW(Ed25519KeyPair::from_seed(Bytes(33, 1)), CryptoError);
  EXPECT_THROW(Ed25519KeyPair::from_seed(Bytes{}), CryptoError);
}

TEST(Ed25519, GeneratedKeySignsAndOnlyThatMessageVerifies) {
  const Ed25519KeyPair key = Ed25519KeyPair::generate();
  const Ed25519KeyPair other = Ed25519KeyPair::generate();
  const Ed25519Signature signature = key.sign(as_bytes("meet at noon"));
  EXPECT_TRUE(ed25519_verify(key.public_key(), as_bytes("meet at noon"), signature));
  EXPECT_FALSE(ed25519_verify(key.public_key(), as_bytes("meet at one"), signature));
  EXPECT_FALSE(ed25519_verify(other.public_key(), as_bytes("meet at noon"), signature));
}

TEST(Ed25519, SigningIsDeterministic) {
  const Ed25519KeyPair key = Ed25519KeyPair::generate();
  EXPECT_EQ(key.sign(as_bytes("same")), key.sign(as_bytes("same")));
}

TEST(Ed25519, VerifyRejectsEveryFlippedSignatureBit) {
  const Ed25519KeyPair key = Ed25519KeyPair::generate();
  const Ed25519Signature signature = key.sign(as_bytes("m"));
  for (std::size_t bit = 0; bit < signature.size() * 8; ++bit) {
    Ed25519Signature bad = signature;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(ed25519_verify(key.public_key(), as_bytes("m"), bad)) << "bit " << bit;
  }
}

TEST(Ed25519, VerifyReturnsFalseForWrongSizedKeysAndSignatures) {
  const Ed25519KeyPair key = Ed25519KeyPair::generate();
  const Ed25519Signature signature = key.sign(as_bytes("m"));
  const ByteView pub(key.public_key());
  const ByteView sig(signature);
  EXPECT_FALSE(ed25519_verify(pub.first(31), as_bytes("m"), sig));
  EXPECT_FALSE(ed25519_verify({}, as_bytes("m"), sig));
  EXPECT_FALSE(ed25519_verify(pub, as_bytes("m"), sig.first(63)));
  EXPECT_FALSE(ed25519_verify(pub, as_bytes("m"), {}));
  Bytes long_sig(sig.begin(), sig.end());
  long_sig.push_back(0);
  EXPECT_FALSE(ed25519_verify(pub, as_bytes("m"), long_sig));
}

// y = 2 gives x^2 = (y^2 - 1) / (d y^2 + 1), which has no square root mod
// 2^255 - 19, so these 32 bytes decode to no point (RFC 8032 §5.1.3 step 3).
TEST(Ed25519, VerifyReturnsFalseForAPublicKeyThatIsNotACurvePointAndLeavesNoOpenSslError) {
  ERR_clear_error();
  const Bytes not_a_point = from_hex("0200000000000000000000000000000000000000000000000000000000000000");
  const Ed25519KeyPair key = Ed25519KeyPair::generate();
  EXPECT_FALSE(ed25519_verify(not_a_point, as_bytes("m"), key.sign(as_bytes("m"))));
  EXPECT_EQ(ERR_peek_error(), 0u) << "a failed verification must not leave errors for a later, unrelated call";
}

TEST(Ed25519, FollowsPolicyOnEveryWycheproofVector) {
  const wycheproof::VectorFile file = wycheproof::load("ed25519_test.json");
  ASSERT_EQ(file.algorithm, "EDDSA");
  std::size_t run = 0, verified = 0, rejected = 0;
  for (const wycheproof::Vector& v : file.vectors) {
    ++run;
    const nlohmann::json& public_key = v.group.at("publicKey");
    ASSERT_EQ(public_key.at("curve"), "edwards25519") << v.label();
    const Bytes pub = from_hex(public_key.at("pk").get<std::string>());
    const bool ok = ed25519_verify(pub, v.bytes("msg"), v.bytes("sig"));
    switch (v.expectation) {
      case wycheproof::Expectation::kValid:
        ++verified;
        EXPECT_TRUE(ok) << v.label();
        break;
      case wycheproof::Expectation::kInvalid:
        ++rejected;
        EXPECT_FALSE(ok) << v.label();
        break;
      case wycheproof::Expectation::kAcceptable:
        ADD_FAILURE() << v.label() << ": no policy for acceptable Ed25519 vectors; write one";
        break;
    }
  }
  EXPECT_EQ(run, file.declared_count);
  EXPECT_EQ(run, 151u);
  EXPECT_EQ(verified, 88u);
  EXPECT_EQ(rejected, 63u);
}

}  // namespace
}  // namespace sotto::crypto
