#include "lib/wire/frame_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lib/wire/frame_body.h"
#include "lib/wire/limits.h"
#include "tests/unit/lib/wire/sample_frames.h"

namespace sotto::wire {
namespace {

using samples::all_body_cases;
using samples::pattern_bytes;
using samples::sample_frame;

std::string be32(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

std::string hex(const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

// Frames compare equal when they serialize to the same bytes (the lite
// runtime has no reflection-based equality).
void expect_same_frame(const Frame& actual, const Frame& expected) {
  EXPECT_EQ(actual.body_case(), expected.body_case());
  EXPECT_EQ(actual.SerializeAsString(), expected.SerializeAsString());
}

// A BlobChunk frame whose serialized size is exactly `size` bytes.
Frame frame_of_exact_size(std::size_t size) {
  Frame f;
  f.set_request_id(1);
  f.mutable_blob_chunk()->set_blob_id("x");
  std::size_t data = size;
  f.mutable_blob_chunk()->set_data(std::string(data, 'a'));
  while (f.ByteSizeLong() > size) {
    --data;
    f.mutable_blob_chunk()->set_data(std::string(data, 'a'));
  }
  return f;
}

TEST(EncodeFrame, WritesBigEndianLengthThenTheSerializedFrame) {
  // Frame{request_id: 1, hello{protocol_version: 1, client: "msgd/0.1.0"}},
  // worked out by hand from the protobuf encoding rules (also in docs/protocol.md).
  const std::string expected =
      "00000012"  // length 18
      "0801"      // field 1 (request_id), varint 1
      "520e"      // field 10 (hello), 14 bytes
      "0801"      // hello.protocol_version = 1
      "120a"
      "6d7367642f302e312e30";  // hello.client = "msgd/0.1.0"
  Frame f;
  f.set_request_id(1);
  f.mutable_hello()->set_protocol_version(1);
  f.mutable_hello()->set_client("msgd/0.1.0");
  EXPECT_EQ(hex(encode_frame(f)), expected);
}

TEST(EncodeFrame, RefusesFrameLargerThanTheMaximum) {
  const Frame f = frame_of_exact_size(1000);
  ASSERT_EQ(f.ByteSizeLong(), 1000U);
  EXPECT_EQ(encode_frame(f, 1000).size(), 1004U);
  EXPECT_THROW(encode_frame(f, 999), FrameEncodeError);
}

TEST(EncodeFrame, RefusesFrameWithoutBody) {
  Frame f;
  f.set_request_id(3);
  EXPECT_THROW(encode_frame(f), FrameEncodeError);
}

TEST(EncodeFrame, AppendFrameConcatenatesFramesForOneWrite) {
  std::string out = "prefix";
  append_frame(sample_frame(Frame::kPing), out);
  append_frame(sample_frame(Frame::kPong), out);
  EXPECT_EQ(out, "prefix" + encode_frame(sample_frame(Frame::kPing)) + encode_frame(sample_frame(Frame::kPong)));
}

TEST(FrameDecoder, RoundTripsEveryBodyType) {
  const auto cases = all_body_cases();
  ASSERT_EQ(cases.size(), 28U);
  for (const Frame::BodyCase body : cases) {
    SCOPED_TRACE(std::string(body_name(body)));
    const Frame original = sample_frame(body);
    FrameDecoder decoder;
    auto result = decoder.feed(encode_frame(original));
    ASSERT_FALSE(result.error.has_value()) << result.error->reason;
    ASSERT_EQ(result.frames.size(), 1U);
    expect_same_frame(result.frames[0], original);
    EXPECT_EQ(decoder.buffered_bytes(), 0U);
  }
}

TEST(FrameDecoder, DecodesAStreamFedOneByteAtATime) {
  std::string stream;
  std::vector<Frame> sent;
  for (const Frame::BodyCase body : all_body_cases()) {
    sent.push_back(sample_frame(body));
    append_frame(sent.back(), stream);
  }
  // Where each frame's last byte is: exactly there, and only there, a frame appears.
  std::vector<std::size_t> frame_ends;
  std::size_t offset = 0;
  for (const Frame& f : sent) {
    offset += kLengthPrefixBytes + f.ByteSizeLong();
    frame_ends.push_back(offset - 1);
  }
  FrameDecoder decoder;
  std::vector<Frame> received;
  std::size_t next_end = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    auto result = decoder.feed(std::string_view(stream).substr(i, 1));
    ASSERT_FALSE(result.error.has_value()) << result.error->reason;
    if (next_end < frame_ends.size() && i == frame_ends[next_end]) {
      ASSERT_EQ(result.frames.size(), 1U) << "at byte " << i;
      ++next_end;
    } else {
      ASSERT_TRUE(result.frames.empty()) << "at byte " << i;
    }
    for (auto& f : result.frames) received.push_back(std::move(f));
  }
  ASSERT_EQ(received.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) expect_same_frame(received[i], sent[i]);
}

TEST(FrameDecoder, DecodesManyFramesArrivingInOnePiece) {
  constexpr int kFrames = 20000;
  std::string stream;
  for (int i = 0; i < kFrames; ++i) {
    Frame f;
    f.set_request_id(static_cast<std::uint64_t>(i) + 1);
    f.mutable_ping();
    append_frame(f, stream);
  }
  FrameDecoder decoder;
  auto result = decoder.feed(stream);
  ASSERT_FALSE(result.error.has_value());
  ASSERT_EQ(result.frames.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_EQ(result.frames[static_cast<std::size_t>(i)].request_id(), static_cast<std::uint64_t>(i) + 1);
  }
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
}

TEST(FrameDecoder, DecodesTheSameFramesWhateverWhereTheStreamIsSplit) {
  std::string stream;
  for (const auto body : {Frame::kSend, Frame::kPing, Frame::kBlobChunk}) append_frame(sample_frame(body), stream);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameDecoder decoder;
    auto first = decoder.feed(std::string_view(stream).substr(0, cut));
    auto second = decoder.feed(std::string_view(stream).substr(cut));
    ASSERT_FALSE(first.error.has_value());
    ASSERT_FALSE(second.error.has_value());
    ASSERT_EQ(first.frames.size() + second.frames.size(), 3U) << "cut at " << cut;
    std::vector<Frame> all;
    for (auto& f : first.frames) all.push_back(std::move(f));
    for (auto& f : second.frames) all.push_back(std::move(f));
    EXPECT_EQ(all[0].body_case(), Frame::kSend);
    EXPECT_EQ(all[1].body_case(), Frame::kPing);
    expect_same_frame(all[2], sample_frame(Frame::kBlobChunk));
  }
}

TEST(FrameDecoder, AcceptsAFrameOfExactlyTheMaximumSize) {
  const Frame f = frame_of_exact_size(kDefaultMaxFrameBytes);
  ASSERT_EQ(f.ByteSizeLong(), kDefaultMaxFrameBytes);
  FrameDecoder decoder(kDefaultMaxFrameBytes);
  auto result = decoder.feed(encode_frame(f, kDefaultMaxFrameBytes));
  ASSERT_FALSE(result.error.has_value());
  ASSERT_EQ(result.frames.size(), 1U);
  expect_same_frame(result.frames[0], f);
}

TEST(FrameDecoder, RefusesLengthOneAboveTheMaximumAsSoonAsThePrefixArrives) {
  FrameDecoder decoder(kDefaultMaxFrameBytes);
  const std::string prefix = be32(kDefaultMaxFrameBytes + 1);
  // Three bytes of the prefix: not yet decidable.
  auto partial = decoder.feed(prefix.substr(0, 3));
  EXPECT_FALSE(partial.error.has_value());
  EXPECT_EQ(decoder.buffered_bytes(), 3U);
  // The fourth byte decides it, with no body byte sent.
  auto result = decoder.feed(prefix.substr(3));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, FRAME_TOO_LARGE);
  EXPECT_NE(result.error->reason.find("1048577"), std::string::npos) << result.error->reason;
  EXPECT_TRUE(result.frames.empty());
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
}

TEST(FrameDecoder, RefusesTheLargestDeclaredLength) {
  FrameDecoder decoder;
  auto result = decoder.feed(std::string("\xff\xff\xff\xff", 4));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, FRAME_TOO_LARGE);
  EXPECT_NE(result.error->reason.find("4294967295"), std::string::npos) << result.error->reason;
}

TEST(FrameDecoder, RefusesAZeroLengthFrameAsHavingNoBody) {
  FrameDecoder decoder;
  auto result = decoder.feed(be32(0));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, BAD_FRAME);
  EXPECT_EQ(result.error->reason, "frame of length 0 has no body");
}

TEST(FrameDecoder, WaitsForATruncatedFrameWithoutYieldingOrFailing) {
  const std::string bytes = encode_frame(sample_frame(Frame::kSend));
  FrameDecoder decoder;
  auto partial = decoder.feed(std::string_view(bytes).substr(0, bytes.size() - 1));
  EXPECT_FALSE(partial.error.has_value());
  EXPECT_TRUE(partial.frames.empty());
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decoder.buffered_bytes(), bytes.size() - 1);
  auto rest = decoder.feed(std::string_view(bytes).substr(bytes.size() - 1));
  ASSERT_EQ(rest.frames.size(), 1U);
  expect_same_frame(rest.frames[0], sample_frame(Frame::kSend));
}

TEST(FrameDecoder, BuffersOnlyTheBytesThatArrivedNotTheAnnouncedLength) {
  FrameDecoder decoder;
  auto result = decoder.feed(be32(kDefaultMaxFrameBytes) + std::string(10, 'x'));
  EXPECT_FALSE(result.error.has_value());
  EXPECT_EQ(decoder.buffered_bytes(), kLengthPrefixBytes + 10);
}

TEST(FrameDecoder, RefusesGarbageBytesAsBadFrame) {
  FrameDecoder decoder;
  auto result = decoder.feed(be32(6) + std::string("\xff\xff\xff\xff\xff\xff", 6));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, BAD_FRAME);
  EXPECT_NE(result.error->reason.find("not a valid protobuf Frame"), std::string::npos);
}

TEST(FrameDecoder, RefusesABodyWithAnUnknownOneofFieldNumber) {
  // request_id = 1 (08 01), then field 99 as an empty length-delimited field:
  // tag (99 << 3) | 2 = 794 = varint 9a 06, length 00.
  const std::string unknown("\x08\x01\x9a\x06\x00", 5);
  // Control: the same shape with field 70 (ping): tag 562 = b2 04. It decodes,
  // so the refusal above is about the field number, not the hand-crafting.
  const std::string ping("\x08\x01\xb2\x04\x00", 5);
  {
    FrameDecoder decoder;
    auto result = decoder.feed(be32(5) + ping);
    ASSERT_FALSE(result.error.has_value());
    ASSERT_EQ(result.frames.size(), 1U);
    EXPECT_EQ(result.frames[0].body_case(), Frame::kPing);
  }
  FrameDecoder decoder;
  auto result = decoder.feed(be32(5) + unknown);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, BAD_FRAME);
  EXPECT_EQ(result.error->reason, "frame has no body, or a body of an unknown type");
}

TEST(FrameDecoder, IgnoresUnknownFieldsNextToAKnownBody) {
  // A newer peer may add fields; a ping with an extra field 500 (varint 1)
  // still decodes: tag (500 << 3) | 0 = 4000 = varint a0 1f.
  const std::string body("\x08\x01\xb2\x04\x00\xa0\x1f\x01", 8);
  FrameDecoder decoder;
  auto result = decoder.feed(be32(8) + body);
  ASSERT_FALSE(result.error.has_value());
  ASSERT_EQ(result.frames.size(), 1U);
  EXPECT_EQ(result.frames[0].body_case(), Frame::kPing);
}

TEST(FrameDecoder, RefusesAStringFieldThatIsNotUtf8) {
  // hello.client = "\xff": proto3 strings must be UTF-8, so parsing fails.
  const std::string body("\x08\x01\x52\x03\x12\x01\xff", 7);
  FrameDecoder decoder;
  auto result = decoder.feed(be32(7) + body);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, BAD_FRAME);
}

TEST(FrameDecoder, WritesNothingToStderrForPeerControlledParseFailures) {
  // Unsilenced, protobuf logs an ERROR line for every string that is not UTF-8.
  FrameDecoder decoder;
  ::testing::internal::CaptureStderr();
  auto result = decoder.feed(be32(7) + std::string("\x08\x01\x52\x03\x12\x01\xff", 7));
  const std::string written = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(written, "");
}

TEST(FrameDecoder, RefusesDeeplyNestedUnknownGroupsWithoutExhaustingTheStack) {
  // 200,000 "start group 15" tags (0x7b), as an attacker might nest them to
  // make a recursive parser overflow its stack: protobuf's recursion limit
  // must turn this into a parse failure.
  const std::string body(200000, '\x7b');
  FrameDecoder decoder;
  auto result = decoder.feed(be32(static_cast<std::uint32_t>(body.size())) + body);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, BAD_FRAME);
}

TEST(FrameDecoder, ReturnsTheFramesBeforeAnErrorInTheSamePiece) {
  std::string stream = encode_frame(sample_frame(Frame::kPing)) + encode_frame(sample_frame(Frame::kSend));
  stream += be32(0xffffffffU);
  stream += encode_frame(sample_frame(Frame::kPong));
  FrameDecoder decoder;
  auto result = decoder.feed(stream);
  ASSERT_EQ(result.frames.size(), 2U);
  EXPECT_EQ(result.frames[0].body_case(), Frame::kPing);
  EXPECT_EQ(result.frames[1].body_case(), Frame::kSend);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, FRAME_TOO_LARGE);
}

TEST(FrameDecoder, StaysFailedAfterAnError) {
  FrameDecoder decoder;
  const auto first = decoder.feed(be32(0));
  ASSERT_TRUE(first.error.has_value());
  EXPECT_TRUE(decoder.failed());
  const auto later = decoder.feed(encode_frame(sample_frame(Frame::kPing)));
  EXPECT_TRUE(later.frames.empty());
  ASSERT_TRUE(later.error.has_value());
  EXPECT_EQ(*later.error, *first.error);
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
}

TEST(FrameDecoder, RejectsAMaximumOutsideTheAllowedRange) {
  EXPECT_THROW(FrameDecoder{0}, std::invalid_argument);
  EXPECT_THROW(FrameDecoder{kMaxMaxFrameBytes + 1}, std::invalid_argument);
  EXPECT_NO_THROW(FrameDecoder{kMaxMaxFrameBytes});
  FrameDecoder decoder;
  EXPECT_THROW(decoder.set_max_frame_size(0), std::invalid_argument);
  EXPECT_EQ(decoder.max_frame_size(), kDefaultMaxFrameBytes);
}

TEST(FrameDecoder, AppliesANewMaximumToTheNextFrame) {
  const Frame f = frame_of_exact_size(600);
  FrameDecoder decoder(1000);
  ASSERT_EQ(decoder.feed(encode_frame(f)).frames.size(), 1U);
  decoder.set_max_frame_size(500);
  EXPECT_EQ(decoder.max_frame_size(), 500U);
  auto result = decoder.feed(encode_frame(f));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, FRAME_TOO_LARGE);
}

TEST(FrameDecoder, ReusesNoStateBetweenFramesOfDifferentSizes) {
  // A large frame split across pieces, then a small one: the buffer from the
  // first must not leak bytes into the second.
  const Frame big = frame_of_exact_size(200000);
  const std::string bytes = encode_frame(big) + encode_frame(sample_frame(Frame::kPing));
  FrameDecoder decoder;
  std::vector<Frame> got;
  for (std::size_t pos = 0; pos < bytes.size(); pos += 4096) {
    auto result = decoder.feed(std::string_view(bytes).substr(pos, 4096));
    ASSERT_FALSE(result.error.has_value());
    for (auto& f : result.frames) got.push_back(std::move(f));
  }
  ASSERT_EQ(got.size(), 2U);
  expect_same_frame(got[0], big);
  expect_same_frame(got[1], sample_frame(Frame::kPing));
}

}  // namespace
}  // namespace sotto::wire

namespace sotto::wire {
namespace {

// Feeds an encoded frame 16 KiB at a time, as TLS records arrive.
std::size_t feed_in_records(FrameDecoder& decoder, const std::string& bytes) {
  std::size_t frames = 0;
  for (std::size_t at = 0; at < bytes.size(); at += 16384) {
    frames += decoder.feed(std::string_view(bytes).substr(at, 16384)).frames.size();
  }
  return frames;
}

// A stream of blob chunks reuses one buffer; the first small frame after
// them gives it back.
TEST(FrameDecoderBuffer, KeepsALargeBufferOnlyWhileLargeFramesFollow) {
  FrameDecoder decoder(kMaxMaxFrameBytes);
  const std::string large = encode_frame(frame_of_exact_size(200 * 1024));
  ASSERT_EQ(feed_in_records(decoder, large), 1U);
  const std::size_t kept = decoder.buffer_capacity();
  EXPECT_GE(kept, 200U * 1024);
  ASSERT_EQ(feed_in_records(decoder, large), 1U);
  EXPECT_EQ(decoder.buffer_capacity(), kept) << "the second chunk reused the buffer";
  // A small frame split across reads, and one that arrives whole.
  Frame ping;
  ping.set_request_id(2);
  ping.mutable_ping();
  const std::string small = encode_frame(ping);
  ASSERT_EQ(decoder.feed(std::string_view(small).substr(0, 3)).frames.size(), 0U);
  ASSERT_EQ(decoder.feed(std::string_view(small).substr(3)).frames.size(), 1U);
  EXPECT_LE(decoder.buffer_capacity(), 64U * 1024);
  ASSERT_EQ(feed_in_records(decoder, large), 1U);
  ASSERT_EQ(decoder.feed(small).frames.size(), 1U);
  EXPECT_LE(decoder.buffer_capacity(), 64U * 1024);
}

}  // namespace
}  // namespace sotto::wire
