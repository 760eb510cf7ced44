#include "lib/crypto/ratchet_message.h"

#include <gtest/gtest.h>

#include "lib/crypto/error.h"

namespace sotto::crypto {
namespace {

TEST(RatchetMessage, HeaderIsVersionKeyAndBigEndianCounters) {
  RatchetHeader h;
  for (std::size_t i = 0; i < h.ratchet_key.size(); ++i) h.ratchet_key[i] = static_cast<std::uint8_t>(i);
  h.previous_chain_length = 0x01020304;
  h.message_number = 0xa0b0c0d0;
  Bytes message(kRatchetHeaderSize + kRatchetTagSize, 0xee);
  encode_ratchet_header(h, std::span<std::uint8_t, kRatchetHeaderSize>(message.data(), kRatchetHeaderSize));
  EXPECT_EQ(to_hex(ByteView(message.data(), kRatchetHeaderSize)),
            "01000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01020304a0b0c0d0");

  const ParsedRatchetMessage parsed = parse_ratchet_message(message);
  EXPECT_EQ(parsed.header, h);
  EXPECT_EQ(parsed.header_bytes.size(), kRatchetHeaderSize);
  EXPECT_EQ(parsed.ciphertext_and_tag.size(), kRatchetTagSize);
}

TEST(RatchetMessage, RejectsMessagesTooShortForHeaderAndTag) {
  Bytes message(kRatchetHeaderSize + kRatchetTagSize - 1, 0);
  message[0] = kRatchetMessageVersion;
  EXPECT_THROW(parse_ratchet_message(message), CryptoError);
  EXPECT_THROW(parse_ratchet_message({}), CryptoError);
}

TEST(RatchetMessage, RejectsAnUnknownVersion) {
  Bytes message(kRatchetHeaderSize + kRatchetTagSize, 0);
  message[0] = 0x02;  // the initial message's tag is not a ratchet message
  EXPECT_THROW(parse_ratchet_message(message), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
