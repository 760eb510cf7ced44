#include "daemon/service/e2e_content.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace sotto::msgd {
namespace {

// version, kind, id, sent_at
constexpr std::size_t kHeaderBytesForTest = 1 + 1 + 16 + 8;

Content text_content(std::string text) {
  Content c;
  c.kind = ContentKind::kText;
  c.id = new_message_id();
  c.sent_at_ms = 1'790'000'000'123ULL;
  c.text = std::move(text);
  return c;
}

TEST(E2eContent, TextRoundTrips) {
  const Content c = text_content("hi ✓ \n\0 with a NUL");
  const Content back = parse_content(encode_content(c));
  EXPECT_EQ(back.kind, ContentKind::kText);
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.sent_at_ms, c.sent_at_ms);
  EXPECT_EQ(back.text, c.text);
}

TEST(E2eContent, LargestTextRoundTripsAndLargerIsRefused) {
  EXPECT_EQ(parse_content(encode_content(text_content(std::string(kMaxTextBytes, 'x')))).text.size(), kMaxTextBytes);
  EXPECT_THROW(encode_content(text_content(std::string(kMaxTextBytes + 1, 'x'))), ContentError);
}

TEST(E2eContent, ReceiptRoundTrips) {
  Content r;
  r.kind = ContentKind::kReceipt;
  r.id = new_message_id();
  r.receipt_state = ReceiptState::kRead;
  r.acknowledged = new_message_id();
  const Content back = parse_content(encode_content(r));
  EXPECT_EQ(back.kind, ContentKind::kReceipt);
  EXPECT_EQ(back.receipt_state, ReceiptState::kRead);
  EXPECT_EQ(back.acknowledged, r.acknowledged);
}

TEST(E2eContent, EveryTruncationIsRefused) {
  const crypto::Bytes bytes = encode_content(text_content("truncate me"));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(parse_content(crypto::ByteView(bytes.data(), n)), ContentError) << n;
  }
}

TEST(E2eContent, TrailingBytesUnknownKindsAndVersionsAreRefused) {
  crypto::Bytes bytes = encode_content(text_content("x"));
  crypto::Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_THROW(parse_content(longer), ContentError);
  crypto::Bytes wrong_version = bytes;
  wrong_version[0] = 2;
  EXPECT_THROW(parse_content(wrong_version), ContentError);
  crypto::Bytes wrong_kind = bytes;
  wrong_kind[1] = 9;
  EXPECT_THROW(parse_content(wrong_kind), ContentError);
}

TEST(E2eContent, HugeDeclaredLengthIsRefusedWithoutAllocating) {
  crypto::Bytes bytes = encode_content(text_content("x"));
  // The text length field sits after version, kind, id and time (26 bytes).
  bytes[26] = 0xff;
  bytes[27] = 0xff;
  bytes[28] = 0xff;
  bytes[29] = 0xff;
  EXPECT_THROW(parse_content(bytes), ContentError);
}

TEST(E2eContent, BadReceiptStateIsRefused) {
  Content r;
  r.kind = ContentKind::kReceipt;
  crypto::Bytes bytes = encode_content(r);
  bytes[26] = 7;
  EXPECT_THROW(parse_content(bytes), ContentError);
}

Content file_content() {
  Content c;
  c.kind = ContentKind::kFile;
  c.id = new_message_id();
  c.sent_at_ms = 1'790'000'000'456ULL;
  c.text = "the caption";
  c.file.blob_id = std::string(32, 'a');
  c.file.key = crypto::SecretBytes(std::vector<std::uint8_t>(32, 7));
  c.file.ciphertext_sha256.fill(9);
  c.file.size = (5ull << 32) + 3;
  c.file.name = "report.pdf";
  c.file.mime = "application/pdf";
  return c;
}

TEST(E2eContent, FileRoundTrips) {
  const Content c = file_content();
  const Content back = parse_content(encode_content(c));
  EXPECT_EQ(back.kind, ContentKind::kFile);
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.text, "the caption");
  EXPECT_EQ(back.file.blob_id, c.file.blob_id);
  EXPECT_EQ(back.file.key, c.file.key);
  EXPECT_EQ(back.file.ciphertext_sha256, c.file.ciphertext_sha256);
  EXPECT_EQ(back.file.size, c.file.size);
  EXPECT_EQ(back.file.name, "report.pdf");
  EXPECT_EQ(back.file.mime, "application/pdf");
}

TEST(E2eContent, HostileFileFieldsAreRefused) {
  const crypto::Bytes good = encode_content(file_content());
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(parse_content(crypto::ByteView(good).first(n)), ContentError) << n;
  }
  auto with = [](auto change) {
    Content c = file_content();
    change(c);
    return c;
  };
  EXPECT_THROW(encode_content(with([](Content& c) { c.file.name.clear(); })), ContentError);
  EXPECT_THROW(encode_content(with([](Content& c) { c.file.name = std::string(kMaxFileNameBytes + 1, 'n'); })),
               ContentError);
  EXPECT_THROW(encode_content(with([](Content& c) { c.file.key = crypto::SecretBytes(16); })), ContentError);
  EXPECT_THROW(encode_content(with([](Content& c) { c.file.blob_id.clear(); })), ContentError);
  // A blob id with characters the relay never hands out (a path, say).
  crypto::Bytes bad_id = encode_content(with([](Content& c) { c.file.blob_id = std::string(32, 'a'); }));
  bad_id[kHeaderBytesForTest + 1] = '/';
  EXPECT_THROW(parse_content(bad_id), ContentError);
  // A size above the format's limit.
  crypto::Bytes huge = good;
  const std::size_t size_at = kHeaderBytesForTest + 1 + 32 + 32 + 32;
  for (std::size_t i = 0; i < 8; ++i) huge[size_at + i] = 0xff;
  EXPECT_THROW(parse_content(huge), ContentError);
  // A name length of 0.
  crypto::Bytes no_name = good;
  no_name[size_at + 8] = 0;
  no_name[size_at + 9] = 0;
  EXPECT_THROW(parse_content(no_name), ContentError);
}

TEST(Envelope, RoundTripsAndRefusesUnknownTypes) {
  const crypto::Bytes body{1, 2, 3};
  const crypto::Bytes bytes = encode_envelope(EnvelopeType::kInitial, body);
  const Envelope e = parse_envelope(bytes);
  EXPECT_EQ(e.type, EnvelopeType::kInitial);
  EXPECT_EQ(crypto::Bytes(e.body.begin(), e.body.end()), body);
  EXPECT_THROW(parse_envelope(crypto::Bytes{}), ContentError);
  EXPECT_THROW(parse_envelope(crypto::Bytes{0, 1}), ContentError);
  EXPECT_THROW(parse_envelope(crypto::Bytes{3}), ContentError);
}

TEST(MessageIds, HexRoundTripAndHostileInput) {
  const MessageId id = new_message_id();
  const std::string hex = message_id_hex(id);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(message_id_from_hex(hex), id);
  EXPECT_THROW(message_id_from_hex(""), ContentError);
  EXPECT_THROW(message_id_from_hex(std::string(32, 'g')), ContentError);
  EXPECT_THROW(message_id_from_hex(std::string(34, 'a')), ContentError);
  EXPECT_THROW(message_id_from_bytes(crypto::Bytes(15)), ContentError);
  EXPECT_NE(new_message_id(), new_message_id());
}

TEST(MessageIds, StartWithTheTimeInMillisecondsSoTheyGrowOverTime) {
  const auto read_ms = [](const MessageId& id) {
    std::uint64_t ms = 0;
    for (std::size_t i = 0; i < kMessageIdTimeBytes; ++i) ms = ms << 8 | id[i];
    return ms;
  };
  const auto now_ms = [] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
  const std::uint64_t before = now_ms();
  const MessageId first = new_message_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const MessageId second = new_message_id();
  const std::uint64_t after = now_ms();
  EXPECT_GE(read_ms(first), before);
  EXPECT_LE(read_ms(second), after);
  EXPECT_LT(read_ms(first), read_ms(second));
  EXPECT_LT(first, second);  // byte order is time order
  // The rest is random: two ids of the same millisecond still differ.
  EXPECT_NE(std::vector<std::uint8_t>(first.begin() + kMessageIdTimeBytes, first.end()),
            std::vector<std::uint8_t>(second.begin() + kMessageIdTimeBytes, second.end()));
}

}  // namespace
}  // namespace sotto::msgd
