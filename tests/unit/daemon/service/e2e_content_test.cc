#include "daemon/service/e2e_content.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <span>
#include <thread>
#include <vector>

#include "lib/crypto/random.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_message.h"

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
  EXPECT_THROW(parse_envelope(crypto::Bytes{4}), ContentError);
  EXPECT_THROW(parse_envelope(crypto::Bytes{0xff, 1}), ContentError);
  // Type 3 is a group message; what its body holds is parse_group_envelope's to check.
  EXPECT_EQ(parse_envelope(crypto::Bytes{3}).type, EnvelopeType::kGroup);
}

Content group_update_content(crypto::Bytes state) {
  Content c;
  c.kind = ContentKind::kGroupUpdate;
  c.id = new_message_id();
  c.sent_at_ms = 1'790'000'000'456ULL;
  c.group_state = std::move(state);
  return c;
}

Content sender_key_content(std::size_t key_size) {
  Content c;
  c.kind = ContentKind::kSenderKey;
  c.id = new_message_id();
  c.sent_at_ms = 1'790'000'000'789ULL;
  c.group_epoch = 0x0102030405060708ULL;
  c.sender_key = crypto::random_secret(key_size);
  return c;
}

TEST(E2eContent, GroupUpdateRoundTrips) {
  // The content does not look inside the state: group_state.h does.
  const Content c = group_update_content(crypto::random_bytes(300));
  const crypto::Bytes bytes = encode_content(c);
  EXPECT_EQ(bytes[1], 4);
  const Content back = parse_content(bytes);
  EXPECT_EQ(back.kind, ContentKind::kGroupUpdate);
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.sent_at_ms, c.sent_at_ms);
  EXPECT_EQ(back.group_state, c.group_state);
  EXPECT_EQ(encode_content(back), bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(parse_content(crypto::ByteView(bytes).first(n)), ContentError) << n;
  }
  crypto::Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_THROW(parse_content(longer), ContentError);
}

TEST(E2eContent, GroupUpdateOfTheWrongLengthIsRefused) {
  const Content largest = group_update_content(crypto::Bytes(kMaxGroupStateBytes, 7));
  EXPECT_EQ(parse_content(encode_content(largest)).group_state.size(), kMaxGroupStateBytes);
  EXPECT_THROW(encode_content(group_update_content({})), ContentError);
  EXPECT_THROW(encode_content(group_update_content(crypto::Bytes(kMaxGroupStateBytes + 1, 7))), ContentError);

  // The declared length: 0, and one past the limit with the bytes present.
  crypto::Bytes empty = encode_content(group_update_content({9}));
  empty.resize(kHeaderBytesForTest + 4);
  empty[kHeaderBytesForTest + 3] = 0;
  EXPECT_THROW(parse_content(empty), ContentError);
  crypto::Bytes over = encode_content(largest);
  over.push_back(7);
  const std::size_t declared = kMaxGroupStateBytes + 1;
  for (std::size_t i = 0; i < 4; ++i) {
    over[kHeaderBytesForTest + i] = static_cast<std::uint8_t>(declared >> (8 * (3 - i)));
  }
  EXPECT_THROW(parse_content(over), ContentError);
}

TEST(E2eContent, SenderKeyRoundTrips) {
  const Content c = sender_key_content(crypto::kSenderKeyDistributionSize);
  const crypto::Bytes bytes = encode_content(c);
  EXPECT_EQ(bytes.size(), kHeaderBytesForTest + 8 + crypto::kSenderKeyDistributionSize);
  EXPECT_EQ(bytes[1], 5);
  const Content back = parse_content(bytes);
  EXPECT_EQ(back.kind, ContentKind::kSenderKey);
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.sent_at_ms, c.sent_at_ms);
  EXPECT_EQ(back.group_epoch, c.group_epoch);
  EXPECT_EQ(back.sender_key, c.sender_key);
  EXPECT_EQ(encode_content(back), bytes);
}

TEST(E2eContent, SenderKeyOfTheWrongLengthIsRefused) {
  EXPECT_THROW(encode_content(sender_key_content(0)), ContentError);
  EXPECT_THROW(encode_content(sender_key_content(crypto::kSenderKeyDistributionSize - 1)), ContentError);
  EXPECT_THROW(encode_content(sender_key_content(crypto::kSenderKeyDistributionSize + 1)), ContentError);
  const crypto::Bytes good = encode_content(sender_key_content(crypto::kSenderKeyDistributionSize));
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(parse_content(crypto::ByteView(good).first(n)), ContentError) << n;
  }
  crypto::Bytes longer = good;
  longer.push_back(0);
  EXPECT_THROW(parse_content(longer), ContentError);
}

constexpr crypto::GroupId kGroup{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// A sender-key message that parses (the envelope checks only its layout and
// group id; the signature and the AEAD are SenderKeyReceiver's).
crypto::Bytes sender_key_message(const crypto::GroupId& group, std::size_t ciphertext_size = 40) {
  crypto::Bytes out = crypto::random_bytes(crypto::kSenderKeyHeaderSize + ciphertext_size + crypto::kGcmTagSize +
                                           crypto::kEd25519SignatureSize);
  crypto::encode_sender_key_header({group, 0x00C0FFEE, 7},
                                   std::span<std::uint8_t>(out).first<crypto::kSenderKeyHeaderSize>());
  return out;
}

GroupEnvelope group_envelope(crypto::ByteView message) {
  GroupEnvelope e;
  e.group_id = kGroup;
  e.epoch = 0x1122334455667788ULL;
  crypto::random_fill(e.state_hash);
  e.message = message;
  return e;
}

TEST(GroupEnvelope, RoundTripsBehindItsTypeByte) {
  const crypto::Bytes message = sender_key_message(kGroup);
  const GroupEnvelope e = group_envelope(message);
  const crypto::Bytes bytes = encode_group_envelope(e);
  ASSERT_EQ(bytes.size(), 1 + kGroupEnvelopeHeaderSize + message.size());
  const Envelope outer = parse_envelope(bytes);
  EXPECT_EQ(outer.type, EnvelopeType::kGroup);
  const GroupEnvelope back = parse_group_envelope(outer.body);
  EXPECT_EQ(back.group_id, kGroup);
  EXPECT_EQ(back.epoch, e.epoch);
  EXPECT_EQ(back.state_hash, e.state_hash);
  EXPECT_EQ(crypto::Bytes(back.message.begin(), back.message.end()), message);
  EXPECT_EQ(encode_group_envelope(back), bytes);
  // The shortest message there is: no ciphertext, only the tag.
  const crypto::Bytes shortest = sender_key_message(kGroup, 0);
  EXPECT_NO_THROW(parse_group_envelope(parse_envelope(encode_group_envelope(group_envelope(shortest))).body));
}

TEST(GroupEnvelope, TooShortIsRefused) {
  const crypto::Bytes bytes = encode_group_envelope(group_envelope(sender_key_message(kGroup, 0)));
  const crypto::ByteView body = crypto::ByteView(bytes).subspan(1);
  ASSERT_EQ(body.size(), kGroupEnvelopeHeaderSize + crypto::kSenderKeyMessageMinSize);
  for (std::size_t n = 0; n < body.size(); ++n) {
    EXPECT_THROW(parse_group_envelope(body.first(n)), ContentError) << n;
  }
}

TEST(GroupEnvelope, AMessageOfAnotherGroupOrFormatIsRefused) {
  crypto::GroupId other = kGroup;
  other[15] ^= 0x80;
  const crypto::Bytes foreign = sender_key_message(other);
  const crypto::Bytes bytes = encode_group_envelope(group_envelope(foreign));
  EXPECT_THROW(parse_group_envelope(crypto::ByteView(bytes).subspan(1)), ContentError);

  crypto::Bytes pairwise = sender_key_message(kGroup);
  pairwise[0] = 0x01;  // a Double Ratchet message's first byte
  const crypto::Bytes wrong_format = encode_group_envelope(group_envelope(pairwise));
  EXPECT_THROW(parse_group_envelope(crypto::ByteView(wrong_format).subspan(1)), ContentError);
}

TEST(GroupMessageContext, IsLengthPrefixedSenderThenEpochThenHash) {
  std::array<std::uint8_t, 32> hash{};
  hash.fill(0xab);
  const std::array<std::uint8_t, 14> head{5, 'a', 'l', 'i', 'c', 'e', 0, 0, 0, 0, 0, 0, 0x01, 0x02};
  crypto::Bytes expected(head.size() + hash.size());
  std::copy(hash.begin(), hash.end(), std::copy(head.begin(), head.end(), expected.begin()));
  EXPECT_EQ(group_message_context("alice", 0x0102, hash), expected);
}

TEST(GroupMessageContext, DiffersForAnotherSenderEpochOrState) {
  std::array<std::uint8_t, 32> hash{};
  hash.fill(0x11);
  std::array<std::uint8_t, 32> other_hash = hash;
  other_hash[31] ^= 1;
  const crypto::Bytes base = group_message_context("alice", 7, hash);
  EXPECT_NE(group_message_context("alicf", 7, hash), base);
  EXPECT_NE(group_message_context("alic", 7, hash), base);
  EXPECT_NE(group_message_context("alice", 8, hash), base);
  EXPECT_NE(group_message_context("alice", 7, other_hash), base);

  // Sender "ab" at epoch E against sender "a" whose epoch begins with 'b' and
  // carries E's first seven bytes, the last byte of E moving into the hash:
  // the same bytes up to the end of the shorter one, the sender's length
  // prefix telling them apart.
  const std::uint64_t epoch = 0x0102030405060708ULL;
  std::array<std::uint8_t, 32> shifted{};
  shifted[0] = 0x08;
  std::copy(hash.begin(), hash.end() - 1, shifted.begin() + 1);
  const std::uint64_t epoch_after_b = (std::uint64_t{'b'} << 56) | (epoch >> 8);
  const crypto::Bytes ab = group_message_context("ab", epoch, hash);
  const crypto::Bytes a = group_message_context("a", epoch_after_b, shifted);
  ASSERT_EQ(ab.size(), a.size() + 1);
  EXPECT_TRUE(std::equal(a.begin() + 1, a.end(), ab.begin() + 1)) << "the test's premise";
  EXPECT_NE(ab, a);
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
