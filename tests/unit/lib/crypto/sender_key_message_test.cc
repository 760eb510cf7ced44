#include "lib/crypto/sender_key_message.h"

#include <gtest/gtest.h>

#include "lib/crypto/error.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;
using testing::group_id_from;

TEST(SenderKeyMessage, HeaderIsVersionGroupIdAndBigEndianCounters) {
  std::array<std::uint8_t, kSenderKeyHeaderSize> out{};
  encode_sender_key_header({group_id_from(0x10), 0x01020304, 0xA0B0C0D0}, out);
  EXPECT_EQ(to_hex(out), "03101112131415161718191a1b1c1d1e1f01020304a0b0c0d0");
}

TEST(SenderKeyMessage, ParseSplitsHeaderCiphertextAndSignature) {
  Bytes message(kSenderKeyMessageMinSize + 5);
  encode_sender_key_header({group_id_from(0x40), 7, 9},
                           std::span<std::uint8_t, kSenderKeyHeaderSize>(message.data(), kSenderKeyHeaderSize));
  for (std::size_t i = kSenderKeyHeaderSize; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i);
  const ParsedSenderKeyMessage m = parse_sender_key_message(message);
  EXPECT_EQ(m.header, (SenderKeyHeader{group_id_from(0x40), 7, 9}));
  EXPECT_EQ(m.header_bytes.size(), kSenderKeyHeaderSize);
  EXPECT_EQ(m.ciphertext_and_tag.size(), 5 + kGcmTagSize);
  EXPECT_EQ(m.ciphertext_and_tag.data(), message.data() + kSenderKeyHeaderSize);
  EXPECT_EQ(m.signed_part.size(), message.size() - kEd25519SignatureSize);
  EXPECT_EQ(m.signature.size(), kEd25519SignatureSize);
  EXPECT_EQ(m.signature.data(), message.data() + message.size() - kEd25519SignatureSize);
}

TEST(SenderKeyMessage, RejectsMessagesTooShortForHeaderTagAndSignature) {
  Bytes message(kSenderKeyMessageMinSize, 0);
  message[0] = kSenderKeyMessageVersion;
  EXPECT_NO_THROW(parse_sender_key_message(message));
  for (std::size_t n = 0; n < message.size(); ++n) {
    EXPECT_THROW(parse_sender_key_message(ByteView(message.data(), n)), CryptoError) << "length " << n;
  }
}

TEST(SenderKeyMessage, RejectsAnUnknownVersionByName) {
  Bytes message(kSenderKeyMessageMinSize, 0);
  for (const std::uint8_t version : {0x00, 0x01, 0x02, 0x04, 0xff}) {
    message[0] = version;
    expect_crypto_error([&] { parse_sender_key_message(message); }, "unsupported format version");
  }
}

TEST(SenderKeyMessage, AssociatedDataIsTheHeaderFollowedByTheContext) {
  const Bytes header{1, 2, 3};
  const Bytes context{4, 5};
  EXPECT_EQ(sender_key_message_aad(header, context), (Bytes{1, 2, 3, 4, 5}));
  EXPECT_EQ(sender_key_message_aad(header, {}), header);
}

}  // namespace
}  // namespace sotto::crypto
