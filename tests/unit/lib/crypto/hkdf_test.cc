// HKDF-SHA256 (lib/crypto/hkdf.h) against RFC 5869 Appendix A and Project Wycheproof.
//
// Policy for Wycheproof's HKDF-SHA256 vectors (also in tests/data/wycheproof/README.md):
// the file has no "acceptable" vectors. "valid" vectors (including empty salt and
// the maximal 8160-byte output) must give exactly okm; the "invalid" ones ask for
// more than 255 * 32 = 8160 bytes (RFC 5869 §2.3) and must throw CryptoError.
// We also refuse a zero-length output, which the file does not test.

#include "lib/crypto/hkdf.h"

#include <gtest/gtest.h>

#include <string>

#include "lib/crypto/error.h"
#include "lib/crypto/hmac.h"
#include "tests/unit/lib/crypto/wycheproof.h"

namespace sotto::crypto {
namespace {

// RFC 5869 §2.3: L <= 255 * HashLen.
constexpr std::size_t kMaxOutput = 255 * 32;

struct Rfc5869Case {
  const char* ikm;
  const char* salt;
  const char* info;
  std::size_t length;
  const char* prk;
  const char* okm;
};

// Checks the output and, through HMAC, the extract step: PRK = HMAC-SHA256(salt,
// IKM), where an absent salt is HashLen zero bytes (RFC 5869 §2.2).
void expect_rfc5869_case(const Rfc5869Case& c) {
  const Bytes ikm = from_hex(c.ikm);
  const Bytes salt = from_hex(c.salt);
  EXPECT_EQ(to_hex(hkdf_sha256(ikm, salt, from_hex(c.info), c.length).view()), c.okm);
  const Bytes extract_key = salt.empty() ? Bytes(32, 0) : salt;
  EXPECT_EQ(to_hex(hmac_sha256(extract_key, ikm)), c.prk);
}

TEST(Hkdf, MatchesRfc5869Case1BasicSha256) {
  expect_rfc5869_case({"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
                       "f0f1f2f3f4f5f6f7f8f9", 42, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"});
}

TEST(Hkdf, MatchesRfc5869Case2WithLongerInputsAndOutput) {
  expect_rfc5869_case(
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363"
       "738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596"
       "9798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6"
       "e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b"
       "8"
       "367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"});
}

TEST(Hkdf, MatchesRfc5869Case3WithEmptySaltAndInfo) {
  expect_rfc5869_case({"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
                       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"});
}

TEST(Hkdf, EmptySaltEqualsHashLenZeroBytes) {
  const Bytes ikm(22, 0x0b);
  EXPECT_TRUE(hkdf_sha256(ikm, {}, as_bytes("info"), 42) == hkdf_sha256(ikm, Bytes(32, 0), as_bytes("info"), 42));
}

// RFC 5869 allows any IKM, including none; the result must still follow the
// definition: PRK = HMAC(salt, ""), T(1) = HMAC(PRK, info || 0x01).
TEST(Hkdf, EmptyInputKeyMaterialFollowsTheDefinition) {
  const Bytes salt(32, 0x33);
  const HmacSha256Tag prk = hmac_sha256(salt, {});
  Bytes block(as_bytes("info").begin(), as_bytes("info").end());
  block.push_back(0x01);
  EXPECT_EQ(to_hex(hkdf_sha256({}, salt, as_bytes("info"), 32).view()), to_hex(hmac_sha256(prk, block)));
}

TEST(Hkdf, ShorterOutputIsAPrefixOfLongerOutput) {
  const Bytes ikm(32, 7);
  const SecretBytes long_out = hkdf_sha256(ikm, as_bytes("salt"), as_bytes("info"), 100);
  const SecretBytes short_out = hkdf_sha256(ikm, as_bytes("salt"), as_bytes("info"), 33);
  EXPECT_EQ(to_hex(long_out.view().first(33)), to_hex(short_out.view()));
}

TEST(Hkdf, DifferentInfoGivesUnrelatedKeys) {
  const Bytes ikm(32, 7);
  EXPECT_FALSE(hkdf_sha256(ikm, {}, as_bytes("a"), 32) == hkdf_sha256(ikm, {}, as_bytes("b"), 32));
}

TEST(Hkdf, GivesTheMaximumOutputAndRefusesZeroOrMore) {
  EXPECT_EQ(hkdf_sha256(Bytes(32, 1), {}, {}, kMaxOutput).size(), kMaxOutput);
  EXPECT_EQ(hkdf_sha256(Bytes(32, 1), {}, {}, 1).size(), 1u);
  EXPECT_THROW(hkdf_sha256(Bytes(32, 1), {}, {}, kMaxOutput + 1), CryptoError);
  EXPECT_THROW(hkdf_sha256(Bytes(32, 1), {}, {}, 0), CryptoError);
}

std::string okm_or_error(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  try {
    return to_hex(hkdf_sha256(ikm, salt, info, length).view());
  } catch (const CryptoError& e) {
    return std::string("CryptoError: ") + e.what();
  }
}

TEST(Hkdf, FollowsPolicyOnEveryWycheproofVector) {
  const wycheproof::VectorFile file = wycheproof::load("hkdf_sha256_test.json");
  ASSERT_EQ(file.algorithm, "HKDF-SHA-256");
  std::size_t run = 0, derived = 0, refused = 0;
  for (const wycheproof::Vector& v : file.vectors) {
    ++run;
    const std::size_t size = v.fields.at("size").get<std::size_t>();
    const std::string result = okm_or_error(v.bytes("ikm"), v.bytes("salt"), v.bytes("info"), size);
    switch (v.expectation) {
      case wycheproof::Expectation::kValid:
        ++derived;
        EXPECT_EQ(result, to_hex(v.bytes("okm"))) << v.label();
        break;
      case wycheproof::Expectation::kInvalid:
        ++refused;
        EXPECT_GT(size, kMaxOutput) << v.label() << ": the only invalid vectors we know ask for too much output";
        EXPECT_TRUE(result.starts_with("CryptoError: ")) << v.label() << " gave " << result;
        break;
      case wycheproof::Expectation::kAcceptable:
        ADD_FAILURE() << v.label() << ": no policy for acceptable HKDF vectors; write one";
        break;
    }
  }
  EXPECT_EQ(run, file.declared_count);
  EXPECT_EQ(run, 86u);
  EXPECT_EQ(derived, 83u);
  EXPECT_EQ(refused, 3u);
}

}  // namespace
}  // namespace sotto::crypto
