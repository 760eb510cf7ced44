// X25519 (lib/crypto/x25519.h) against RFC 7748 and Project Wycheproof.
//
// Policy for Wycheproof's "acceptable" X25519 vectors (also in
// tests/data/wycheproof/README.md):
// - ZeroSharedSecret (a low-order public key, so the result is all zero): we
//   refuse. Both x25519() and X25519KeyPair::diffie_hellman() must throw
//   CryptoError, because a non-contributory secret lets a peer force a known key.
// - every other acceptable vector (twist points, non-canonical u >= p, public
//   keys with the top bit set, edge-case scalars): we follow RFC 7748 §5 — mask
//   the top bit, reduce u mod p — and must produce exactly the listed secret.
// "valid" vectors must produce the listed secret; "invalid" ones (none in this
// file) must throw.

#include "lib/crypto/x25519.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "lib/crypto/error.h"
#include "tests/unit/lib/crypto/wycheproof.h"

namespace sotto::crypto {
namespace {

// The shared secret as hex, or "CryptoError: ..." when the call throws, so that
// one unexpected throw fails one vector instead of ending the whole loop.
std::string raw_x25519_or_error(ByteView scalar, ByteView u) {
  try {
    return to_hex(x25519(scalar, u).view());
  } catch (const CryptoError& e) {
    return std::string("CryptoError: ") + e.what();
  }
}

std::string key_pair_dh_or_error(ByteView private_key, ByteView peer_public) {
  try {
    return to_hex(X25519KeyPair::from_private(private_key).diffie_hellman(peer_public).view());
  } catch (const CryptoError& e) {
    return std::string("CryptoError: ") + e.what();
  }
}

bool is_crypto_error(const std::string& result) { return result.starts_with("CryptoError: "); }

Bytes base_point() {
  Bytes u(kX25519KeySize, 0);
  u[0] = 9;
  return u;
}

TEST(X25519, MatchesRfc7748Section52FirstVector) {
  const Bytes scalar = from_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  const Bytes u = from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
  EXPECT_EQ(to_hex(x25519(scalar, u).view()), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

TEST(X25519, MatchesRfc7748Section52SecondVectorWhoseTopBitOfUIsSet) {
  const Bytes scalar = from_hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
  const Bytes u = from_hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
  ASSERT_NE(u.back() & 0x80, 0) << "the vector exists to show that bit 255 of u is ignored";
  EXPECT_EQ(to_hex(x25519(scalar, u).view()), "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

// RFC 7748 §5.2: start with k = u = 9; each round sets k = X25519(k, u) and u
// to the old k. We stop at 1,000 rounds; the 1,000,000-round value would cost
// minutes on the shared CI machine.
TEST(X25519, MatchesRfc7748IteratedValuesAfterOneAndAThousandRounds) {
  Bytes k = base_point();
  Bytes u = base_point();
  for (int round = 1; round <= 1000; ++round) {
    const SecretBytes next = x25519(k, u);
    u = k;
    k.assign(next.view().begin(), next.view().end());
    if (round == 1) {
      EXPECT_EQ(to_hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
  }
  EXPECT_EQ(to_hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST(X25519, AliceAndBobOfRfc7748Section61DeriveTheListedKeysAndSecret) {
  const X25519KeyPair alice =
      X25519KeyPair::from_private(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const X25519KeyPair bob =
      X25519KeyPair::from_private(from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  EXPECT_EQ(to_hex(alice.public_key()), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob.public_key()), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const std::string expected = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  EXPECT_EQ(to_hex(alice.diffie_hellman(bob.public_key()).view()), expected);
  EXPECT_EQ(to_hex(bob.diffie_hellman(alice.public_key()).view()), expected);
}

TEST(X25519, PublicKeyIsThePrivateScalarTimesTheBasePoint) {
  const X25519KeyPair pair = X25519KeyPair::generate();
  EXPECT_EQ(to_hex(pair.public_key()), to_hex(x25519(pair.private_key().view(), base_point()).view()));
}

TEST(X25519, FromPrivateKeepsTheGivenPrivateKey) {
  const Bytes priv = from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  EXPECT_EQ(to_hex(X25519KeyPair::from_private(priv).private_key().view()), to_hex(priv));
}

TEST(X25519, GeneratedKeyPairsAgreeOnOneSecretAndDifferFromEachOther) {
  const X25519KeyPair a = X25519KeyPair::generate();
  const X25519KeyPair b = X25519KeyPair::generate();
  EXPECT_NE(a.public_key(), b.public_key());
  EXPECT_TRUE(a.diffie_hellman(b.public_key()) == b.diffie_hellman(a.public_key()));
}

TEST(X25519, RejectsKeysThatAreNot32Bytes) {
  const X25519KeyPair pair = X25519KeyPair::generate();
  EXPECT_THROW(X25519KeyPair::from_private(Bytes(31, 1)), CryptoError);
  EXPECT_THROW(X25519KeyPair::from_private(Bytes(33, 1)), CryptoError);
  EXPECT_THROW(X25519KeyPair::from_private(Bytes{}), CryptoError);
  EXPECT_THROW(pair.diffie_hellman(Bytes(31, 9)), CryptoError);
  EXPECT_THROW(pair.diffie_hellman(Bytes(33, 9)), CryptoError);
  EXPECT_THROW(x25519(Bytes(32, 1), Bytes{}), CryptoError);
}

TEST(X25519, RefusesLowOrderPeerKeysThatGiveAnAllZeroSecret) {
  const X25519KeyPair pair = X25519KeyPair::generate();
  Bytes one(kX25519KeySize, 0);
  one[0] = 1;
  EXPECT_THROW(pair.diffie_hellman(Bytes(kX25519KeySize, 0)), CryptoError);  // u = 0
  EXPECT_THROW(pair.diffie_hellman(one), CryptoError);                       // u = 1
}

TEST(X25519, FollowsPolicyOnEveryWycheproofVector) {
  const wycheproof::VectorFile file = wycheproof::load("x25519_test.json");
  ASSERT_EQ(file.algorithm, "XDH");
  ERR_clear_error();
  std::size_t run = 0, refused = 0, produced = 0;
  for (const wycheproof::Vector& v : file.vectors) {
    ++run;
    ASSERT_EQ(v.group.at("curve"), "curve25519") << v.label();
    const Bytes priv = v.bytes("private");
    const Bytes pub = v.bytes("public");
    const Bytes shared = v.bytes("shared");
    // Our reading of the file: exactly the all-zero results carry the flag.
    const bool zero = std::all_of(shared.begin(), shared.end(), [](std::uint8_t b) { return b == 0; });
    EXPECT_EQ(v.has_flag("ZeroSharedSecret"), zero) << v.label();

    const bool must_refuse = v.expectation == wycheproof::Expectation::kInvalid ||
                             (v.expectation == wycheproof::Expectation::kAcceptable && v.has_flag("ZeroSharedSecret"));
    const std::string raw = raw_x25519_or_error(priv, pub);
    const std::string dh = key_pair_dh_or_error(priv, pub);
    if (must_refuse) {
      ++refused;
      EXPECT_TRUE(is_crypto_error(raw)) << v.label() << " gave " << raw;
      EXPECT_TRUE(is_crypto_error(dh)) << v.label() << " gave " << dh;
    } else {
      ++produced;
      EXPECT_EQ(raw, to_hex(shared)) << v.label();
      EXPECT_EQ(dh, to_hex(shared)) << v.label();
    }
  }
  EXPECT_EQ(run, file.declared_count);
  EXPECT_EQ(run, 518u);       // 264 valid + 254 acceptable, counted in the file
  EXPECT_EQ(refused, 31u);    // the acceptable ZeroSharedSecret vectors
  EXPECT_EQ(produced, 487u);  // 264 valid + 223 other acceptable
  // 31 refusals went through OpenSSL; none may leave an error queued for a
  // later, unrelated OpenSSL call (a TLS read would misreport it).
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace sotto::crypto
