#include "lib/crypto/sender_key_distribution.h"

#include <gtest/gtest.h>

#include "lib/crypto/error.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;
using testing::group_id_from;

SenderKeyDistribution sample_distribution() {
  SenderKeyDistribution d;
  d.group_id = group_id_from(0x10);
  d.key_id = 0x01020304;
  d.iteration = 0x0A0B0C0D;
  Bytes ck(32);
  for (std::size_t i = 0; i < ck.size(); ++i) ck[i] = static_cast<std::uint8_t>(0x20 + i);
  d.chain_key = SecretBytes(ck);
  for (std::size_t i = 0; i < d.signing_key.size(); ++i) d.signing_key[i] = static_cast<std::uint8_t>(0x60 + i);
  return d;
}

Bytes encoded_sample() {
  const SecretBytes e = encode_sender_key_distribution(sample_distribution());
  return Bytes(e.view().begin(), e.view().end());
}

TEST(SenderKeyDistribution, EncodesEveryFieldAsDocumented) {
  EXPECT_EQ(to_hex(encoded_sample()),
            "04"
            "101112131415161718191a1b1c1d1e1f"
            "01020304"
            "0a0b0c0d"
            "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f");
  EXPECT_EQ(encoded_sample().size(), kSenderKeyDistributionSize);
}

TEST(SenderKeyDistribution, ParsesBackToTheSameFields) {
  const SenderKeyDistribution d = parse_sender_key_distribution(encoded_sample());
  const SenderKeyDistribution want = sample_distribution();
  EXPECT_EQ(d.group_id, want.group_id);
  EXPECT_EQ(d.key_id, want.key_id);
  EXPECT_EQ(d.iteration, want.iteration);
  EXPECT_TRUE(d.chain_key == want.chain_key);
  EXPECT_EQ(d.signing_key, want.signing_key);
}

TEST(SenderKeyDistribution, EveryTruncationIsRejected) {
  const Bytes encoded = encoded_sample();
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_THROW(parse_sender_key_distribution(ByteView(encoded.data(), n)), CryptoError) << "length " << n;
  }
}

TEST(SenderKeyDistribution, TrailingBytesAreRejected) {
  Bytes encoded = encoded_sample();
  encoded.push_back(0);
  expect_crypto_error([&] { parse_sender_key_distribution(encoded); }, "wrong length");
}

TEST(SenderKeyDistribution, AnUnknownVersionIsRejected) {
  Bytes encoded = encoded_sample();
  for (const std::uint8_t version : {0x00, 0x01, 0x02, 0x03, 0x05, 0xff}) {
    encoded[0] = version;
    expect_crypto_error([&] { parse_sender_key_distribution(encoded); }, "unsupported format version");
  }
}

TEST(SenderKeyDistribution, AChainKeyOfTheWrongSizeIsNotEncoded) {
  SenderKeyDistribution d = sample_distribution();
  d.chain_key = SecretBytes(31);
  EXPECT_THROW(encode_sender_key_distribution(d), CryptoError);
}

TEST(SenderKeyDistribution, AGroupMessageIsNotADistribution) {
  // Both formats start with a type byte; each parser refuses the other's,
  // even at the other's length.
  Bytes message(kSenderKeyDistributionSize, 0);
  message[0] = kSenderKeyMessageVersion;
  expect_crypto_error([&] { parse_sender_key_distribution(message); }, "unsupported format version");
  Bytes distribution = encoded_sample();
  distribution.resize(kSenderKeyMessageMinSize, 0);
  expect_crypto_error([&] { parse_sender_key_message(distribution); }, "unsupported format version");
}

}  // namespace
}  // namespace sotto::crypto
