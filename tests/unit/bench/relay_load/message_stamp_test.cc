#include "bench/relay_load/message_stamp.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "lib/wire/limits.h"

namespace sotto::relay_load {
namespace {

constexpr RunId kRun{1, 2, 3, 4, 5, 6, 7, 8};

constexpr std::int64_t kStart = 1'765'000'000'000;  // ms, the run's start

TEST(MessageId, HasTheProtocolsLength) {
  EXPECT_EQ(encode_message_id(kRun, MessageKey{1, 2}, kStart).size(), wire::kMessageIdBytes);
}

TEST(MessageId, RoundTripsSenderAndSequence) {
  for (const MessageKey key : {MessageKey{0, 0}, MessageKey{31, 1999}, MessageKey{0xffffffffu, 0x01020304u}}) {
    const auto decoded = decode_message_id(encode_message_id(kRun, key, kStart + 5), kRun, kStart);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, key);
  }
}

TEST(MessageId, IsTimeThenTwoBytesOfTheRunThenBigEndianSenderAndSequence) {
  const std::string id = encode_message_id(kRun, MessageKey{0x0a0b0c0d, 0x01020304}, 0x112233445566);
  EXPECT_EQ(id, std::string("\x11\x22\x33\x44\x55\x66\x01\x02\x0a\x0b\x0c\x0d\x01\x02\x03\x04", 16));
}

TEST(MessageId, LaterIdsSortAfterEarlierOnesWhoeverSendsThem) {
  // What the relay's duplicate-check index sees: new ids at its end.
  EXPECT_LT(encode_message_id(kRun, MessageKey{31, 9}, kStart), encode_message_id(kRun, MessageKey{0, 0}, kStart + 1));
}

TEST(MessageId, FromAnotherRunIsNotRecognised) {
  RunId other = kRun;
  other[1] ^= 1;
  EXPECT_FALSE(decode_message_id(encode_message_id(other, MessageKey{1, 1}, kStart), kRun, kStart).has_value());
}

TEST(MessageId, MadeBeforeTheRunStartedIsNotRecognised) {
  // An earlier run whose id happens to share the two bytes.
  EXPECT_FALSE(decode_message_id(encode_message_id(kRun, MessageKey{1, 1}, kStart - 1), kRun, kStart).has_value());
  EXPECT_TRUE(decode_message_id(encode_message_id(kRun, MessageKey{1, 1}, kStart), kRun, kStart).has_value());
}

TEST(MessageId, OfTheWrongLengthIsNotRecognised) {
  std::string id = encode_message_id(kRun, MessageKey{1, 1}, kStart);
  EXPECT_FALSE(decode_message_id(id.substr(0, 15), kRun, kStart).has_value());
  EXPECT_FALSE(decode_message_id(id + "x", kRun, kStart).has_value());
}

TEST(RunId, TwoRandomRunsDiffer) { EXPECT_NE(random_run_id(), random_run_id()); }

TEST(EnvelopeStamp, RoundTripsAndLeavesTheRestOfTheEnvelopeAlone) {
  std::string envelope(64, 'z');
  const EnvelopeStamp stamp{123456789012345, MessageKey{7, 42}};
  write_envelope_stamp(envelope, stamp);
  EXPECT_EQ(envelope.size(), 64u);
  EXPECT_EQ(envelope.substr(kEnvelopeStampBytes), std::string(64 - kEnvelopeStampBytes, 'z'));
  const auto read = read_envelope_stamp(envelope);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, stamp);
}

TEST(EnvelopeStamp, IsTimeThenSenderThenSequenceBigEndian) {
  std::string envelope(kEnvelopeStampBytes, '\0');
  write_envelope_stamp(envelope, EnvelopeStamp{0x0102030405060708, MessageKey{0x11121314, 0x21222324}});
  EXPECT_EQ(envelope, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x21\x22\x23\x24", 16));
}

TEST(EnvelopeStamp, ShorterEnvelopeHasNoStamp) {
  EXPECT_FALSE(read_envelope_stamp(std::string(kEnvelopeStampBytes - 1, 'a')).has_value());
  std::string short_envelope(kEnvelopeStampBytes - 1, 'a');
  EXPECT_THROW(write_envelope_stamp(short_envelope, EnvelopeStamp{}), std::invalid_argument);
}

}  // namespace
}  // namespace sotto::relay_load
