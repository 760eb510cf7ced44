// HMAC-SHA256 (lib/crypto/hmac.h) against RFC 4231 and Project Wycheproof.
//
// Policy for Wycheproof's HMAC-SHA256 vectors (also in tests/data/wycheproof/README.md):
// the file has no "acceptable" vectors. Each group fixes a tag size: 256 bits
// (the full tag) or 128 bits (the tag truncated to its first 16 bytes, as
// RFC 2104 §5 allows). hmac_sha256_verify takes only full tags;
// hmac_sha256_verify_truncated takes a tag of exactly the length its caller
// fixes. Each group is checked with the group's own length: each "valid" tag
// verifies and also equals the prefix of hmac_sha256's output; each "invalid"
// tag (a modified bit or byte, at the group's own length) is refused.
//
// A tag whose length the caller did not fix is never accepted: verify refuses
// a correct 16-byte prefix of a full tag
// (Hmac.VerifyRefusesEveryLengthButTheFullTag).

#include "lib/crypto/hmac.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/unit/lib/crypto/wycheproof.h"

namespace sotto::crypto {
namespace {

Bytes repeated(std::uint8_t byte, std::size_t n) { return Bytes(n, byte); }
Bytes text(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

// RFC 4231 §4: each case's HMAC-SHA-256 value, checked by both functions.
void expect_rfc4231(const Bytes& key, const Bytes& data, const std::string& expected) {
  EXPECT_EQ(to_hex(hmac_sha256(key, data)), expected);
  EXPECT_TRUE(hmac_sha256_verify(key, data, from_hex(expected)));
}

TEST(Hmac, MatchesRfc4231TestCase1) {
  expect_rfc4231(repeated(0x0b, 20), text("Hi There"),
                 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Hmac, MatchesRfc4231TestCase2WithAKeyShorterThanTheTag) {
  expect_rfc4231(text("Jefe"), text("what do ya want for nothing?"),
                 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, MatchesRfc4231TestCase3WithCombinedKeyAndDataOf50Bytes) {
  expect_rfc4231(repeated(0xaa, 20), repeated(0xdd, 50),
                 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(Hmac, MatchesRfc4231TestCase4) {
  expect_rfc4231(from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeated(0xcd, 50),
                 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

// RFC 4231 §4.6 gives only the first 128 bits of this case's output.
TEST(Hmac, MatchesRfc4231TestCase5TruncatedTo128Bits) {
  const Bytes key = repeated(0x0c, 20);
  const Bytes data = text("Test With Truncation");
  const HmacSha256Tag tag = hmac_sha256(key, data);
  EXPECT_EQ(to_hex(ByteView(tag).first(16)), "a3b6167473100ee06e0c796c2955552b");
  EXPECT_TRUE(hmac_sha256_verify_truncated(key, data, from_hex("a3b6167473100ee06e0c796c2955552b"), 16));
  EXPECT_FALSE(hmac_sha256_verify_truncated(key, data, from_hex("a3b6167473100ee06e0c796c2955552c"), 16));
  EXPECT_FALSE(hmac_sha256_verify(key, data, from_hex("a3b6167473100ee06e0c796c2955552b")))
      << "a truncated tag is not a full one";
}

TEST(Hmac, MatchesRfc4231TestCase6WithAKeyLongerThanABlock) {
  expect_rfc4231(repeated(0xaa, 131), text("Test Using Larger Than Block-Size Key - Hash Key First"),
                 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Hmac, MatchesRfc4231TestCase7WithKeyAndDataLongerThanABlock) {
  expect_rfc4231(repeated(0xaa, 131),
                 text("This is a test using a larger than block-size key and a larger than block-size data. The key "
                      "needs to be hashed before being used by the HMAC algorithm."),
                 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// An empty key over an empty message; the expected value was computed with an
// independent implementation (Python's hmac module). OpenSSL refuses a null key
// pointer, so this is the case hmac.cc works around.
TEST(Hmac, AcceptsAnEmptyKeyAndAnEmptyMessage) {
  EXPECT_EQ(to_hex(hmac_sha256({}, {})), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Hmac, VerifyRefusesEveryLengthButTheFullTag) {
  const HmacSha256Tag tag = hmac_sha256(text("key"), text("data"));
  EXPECT_TRUE(hmac_sha256_verify(text("key"), text("data"), tag));
  for (std::size_t n = 0; n < 32; ++n) {
    EXPECT_FALSE(hmac_sha256_verify(text("key"), text("data"), ByteView(tag).first(n))) << n << " bytes";
  }
  Bytes longer(tag.begin(), tag.end());
  longer.push_back(0);
  EXPECT_FALSE(hmac_sha256_verify(text("key"), text("data"), longer));
}

TEST(Hmac, VerifyTruncatedTakesExactlyTheLengthTheCallerFixes) {
  const HmacSha256Tag tag = hmac_sha256(text("key"), text("data"));
  for (std::size_t n = 16; n <= 32; ++n) {
    EXPECT_TRUE(hmac_sha256_verify_truncated(text("key"), text("data"), ByteView(tag).first(n), n)) << n;
    EXPECT_FALSE(hmac_sha256_verify_truncated(text("key"), text("data"), ByteView(tag).first(n - 1), n)) << n;
  }
  EXPECT_FALSE(hmac_sha256_verify_truncated(text("key"), text("data"), tag, 20)) << "longer than fixed";
  for (std::size_t n : {std::size_t{0}, std::size_t{8}, std::size_t{15}, std::size_t{33}}) {
    EXPECT_FALSE(
        hmac_sha256_verify_truncated(text("key"), text("data"), ByteView(tag).first(std::min<std::size_t>(n, 32)), n))
        << "length " << n << " is outside 16..32";
  }
}

TEST(Hmac, VerifyRefusesAChangeInAnyByteOfTheTag) {
  const HmacSha256Tag tag = hmac_sha256(text("key"), text("data"));
  for (std::size_t i = 0; i < tag.size(); ++i) {
    HmacSha256Tag bad = tag;
    bad[i] ^= 0x01;
    EXPECT_FALSE(hmac_sha256_verify(text("key"), text("data"), bad)) << "byte " << i;
  }
}

TEST(Hmac, VerifyRefusesTheRightTagForAnotherKeyOrMessage) {
  const HmacSha256Tag tag = hmac_sha256(text("key"), text("data"));
  EXPECT_FALSE(hmac_sha256_verify(text("kez"), text("data"), tag));
  EXPECT_FALSE(hmac_sha256_verify(text("key"), text("datb"), tag));
}

TEST(Hmac, FollowsPolicyOnEveryWycheproofVector) {
  const wycheproof::VectorFile file = wycheproof::load("hmac_sha256_test.json");
  ASSERT_EQ(file.algorithm, "HMACSHA256");
  std::size_t run = 0, verified = 0, rejected = 0, truncated = 0;
  for (const wycheproof::Vector& v : file.vectors) {
    ++run;
    const std::size_t tag_bytes = static_cast<std::size_t>(v.group_int("tagSize")) / 8;
    const Bytes key = v.bytes("key");
    const Bytes msg = v.bytes("msg");
    const Bytes tag = v.bytes("tag");
    ASSERT_EQ(tag.size(), tag_bytes) << v.label() << ": every tag has its group's length";
    if (tag_bytes < 32) ++truncated;
    const bool ok =
        tag_bytes == 32 ? hmac_sha256_verify(key, msg, tag) : hmac_sha256_verify_truncated(key, msg, tag, tag_bytes);
    switch (v.expectation) {
      case wycheproof::Expectation::kValid:
        ++verified;
        EXPECT_TRUE(ok) << v.label();
        EXPECT_EQ(to_hex(ByteView(hmac_sha256(key, msg)).first(tag_bytes)), to_hex(tag)) << v.label();
        break;
      case wycheproof::Expectation::kInvalid:
        ++rejected;
        EXPECT_FALSE(ok) << v.label();
        break;
      case wycheproof::Expectation::kAcceptable:
        ADD_FAILURE() << v.label() << ": no policy for acceptable HMAC vectors; write one";
        break;
    }
  }
  EXPECT_EQ(run, file.declared_count);
  EXPECT_EQ(run, 174u);
  EXPECT_EQ(verified, 66u);
  EXPECT_EQ(rejected, 108u);
  EXPECT_EQ(truncated, 87u);  // the three tagSize-128 groups: 81 + 3 + 3
}

}  // namespace
}  // namespace sotto::crypto
