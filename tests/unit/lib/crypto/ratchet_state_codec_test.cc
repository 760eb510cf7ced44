#include "lib/crypto/ratchet_state_codec.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/stored_blob.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto {
namespace {

using testing::make_talking_pair;
using testing::numbered;
using testing::serialized;
using testing::text;

Bytes pattern(std::uint8_t start, std::size_t n = 32) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

X25519PublicKey pattern_key(std::uint8_t start) {
  X25519PublicKey k{};
  const Bytes p = pattern(start);
  std::copy(p.begin(), p.end(), k.begin());
  return k;
}

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// The times session_vectors.py gives the two skipped keys of full_state().
constexpr sys_seconds kFirstKeyStored{seconds(1717200000)};
constexpr sys_seconds kSecondKeyStored{seconds(1717200001)};

// Every field present; the same state session_vectors.py encodes.
RatchetState full_state(sys_seconds first_key_stored = kFirstKeyStored,
                        sys_seconds second_key_stored = kSecondKeyStored) {
  RatchetState s(Bytes{0xaa, 0xbb, 0xcc}, SecretBytes(pattern(0x01)), X25519KeyPair::from_private(pattern(0x21)));
  s.remote_ratchet_key = pattern_key(0x41);
  s.sending_chain_key = SecretBytes(pattern(0x61));
  s.receiving_chain_key = SecretBytes(pattern(0x81));
  s.send_count = 5;
  s.receive_count = 6;
  s.previous_send_count = 4;
  s.retired_remote_keys.push_back(pattern_key(0xA1));
  s.skipped.insert({pattern_key(0x41), 2}, SecretBytes(pattern(0xC1)), first_key_stored);
  s.skipped.insert({pattern_key(0x41), 3}, SecretBytes(pattern(0xE1)), second_key_stored);
  return s;
}

// Computed by tests/unit/lib/crypto/session_vectors.py from docs/crypto.md:
// the current format (version 2) and the same state in version 1.
constexpr std::string_view kFullStateHex =
    "534f5253020003aabbcc0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e"
    "2f303132333435363738393a3b3c3d3e3f40074142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465"
    "666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa000000005000000060000000401a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc00002414243444546"
    "4748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6000000002c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9da"
    "dbdcdddedfe000000000665a64804142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6000000003e1e2e3e4e5e6"
    "e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0000000000665a6481db4b19039c2e15a07ac72a5147cd2c15ede37e78688a"
    "4ae16f5c6e5fe4bcc46d";
constexpr std::string_view kFullStateV1Hex =
    "534f5253010003aabbcc0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e"
    "2f303132333435363738393a3b3c3d3e3f40074142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465"
    "666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa000000005000000060000000401a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc00002414243444546"
    "4748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6000000002c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9da"
    "dbdcdddedfe04142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6000000003e1e2e3e4e5e6e7e8e9eaebecedee"
    "eff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff008f4c071b40cba4cf9305836ed9ccc375023902bbc2c99b70eb0881df02edaa44";

// A time unrelated to the ones in the vectors, for loading and expiring.
constexpr sys_seconds kLoadTime{seconds(1750000000)};

TEST(RatchetStateCodec, EncodesEveryFieldExactlyAsDocumented) {
  EXPECT_EQ(to_hex(encode_ratchet_state(full_state()).view()), kFullStateHex);
}

TEST(RatchetStateCodec, DecodesTheDocumentedEncodingBackToTheSameState) {
  const Bytes stored = from_hex(kFullStateHex);
  const RatchetState s = decode_ratchet_state(stored, kLoadTime);
  EXPECT_EQ(s.associated_data, (Bytes{0xaa, 0xbb, 0xcc}));
  EXPECT_EQ(s.sending_ratchet_key.public_key(), X25519KeyPair::from_private(pattern(0x21)).public_key());
  EXPECT_EQ(s.send_count, 5u);
  EXPECT_EQ(s.receive_count, 6u);
  EXPECT_EQ(s.previous_send_count, 4u);
  ASSERT_EQ(s.skipped.size(), 2u);
  ASSERT_NE(s.skipped.find({pattern_key(0x41), 3}), nullptr);
  EXPECT_EQ(to_hex(s.skipped.find({pattern_key(0x41), 3})->key.view()), to_hex(pattern(0xE1)));
  EXPECT_EQ(s.skipped.find({pattern_key(0x41), 2})->stored_at, kFirstKeyStored);
  EXPECT_EQ(s.skipped.find({pattern_key(0x41), 3})->stored_at, kSecondKeyStored);
  EXPECT_EQ(to_hex(encode_ratchet_state(s).view()), kFullStateHex);
}

// Version 1 did not record when a key was stored; each counts as stored when
// loaded, and the state is written back in the current version.
TEST(RatchetStateCodec, AVersion1StateLoadsWithItsSkippedKeysStampedWithTheLoadTime) {
  const RatchetState s = decode_ratchet_state(from_hex(kFullStateV1Hex), kLoadTime);
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.skipped.find({pattern_key(0x41), 2})->stored_at, kLoadTime);
  EXPECT_EQ(s.skipped.find({pattern_key(0x41), 3})->stored_at, kLoadTime);
  EXPECT_EQ(to_hex(encode_ratchet_state(s).view()),
            to_hex(encode_ratchet_state(full_state(kLoadTime, kLoadTime)).view()));
  EXPECT_EQ(encode_ratchet_state(s).view()[4], kRatchetStateVersion);
}

TEST(RatchetStateCodec, AVersion1StateKeepsItsKeysForOneMaximumAgeFromTheLoad) {
  RatchetSession session = RatchetSession::deserialize(from_hex(kFullStateV1Hex), kLoadTime);
  EXPECT_EQ(session.expire_skipped_keys(SkippedKeyExpiry(kLoadTime + days(30))), 0u);
  EXPECT_EQ(session.expire_skipped_keys(SkippedKeyExpiry(kLoadTime + days(30) + seconds(1))), 2u);
}

TEST(RatchetStateCodec, RoundTripMidConversationLetsBothSidesContinue) {
  auto [alice, bob] = make_talking_pair();
  const Bytes skipped = alice.encrypt(text("skipped, delivered after the reload"));
  bob.decrypt(alice.encrypt(text("delivered")));
  const Bytes in_flight = bob.encrypt(text("in flight to alice"));

  RatchetSession alice2 = RatchetSession::deserialize(alice.serialize().view());
  RatchetSession bob2 = RatchetSession::deserialize(bob.serialize().view());
  EXPECT_EQ(serialized(alice2), serialized(alice));
  EXPECT_EQ(serialized(bob2), serialized(bob));

  EXPECT_EQ(alice2.decrypt(in_flight), text("in flight to alice"));
  EXPECT_EQ(bob2.decrypt(skipped), text("skipped, delivered after the reload"));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(bob2.decrypt(alice2.encrypt(numbered("a", i))), numbered("a", i));
    EXPECT_EQ(alice2.decrypt(bob2.encrypt(numbered("b", i))), numbered("b", i));
  }
}

TEST(RatchetStateCodec, ResponderStateBeforeItsFirstMessageRoundTrips) {
  auto [alice, bob] = testing::make_session_pair();
  RatchetSession bob2 = RatchetSession::deserialize(bob.serialize().view());
  EXPECT_FALSE(bob2.has_received_message());
  EXPECT_EQ(bob2.decrypt(alice.encrypt(text("first"))), text("first"));
}

// A state with skipped keys, retired keys and both chains, so that every
// field kind is covered by the truncation and corruption loops.
Bytes busy_state() {
  auto [alice, bob] = make_talking_pair();
  alice.encrypt(text("skipped 1"));
  alice.encrypt(text("skipped 2"));
  bob.decrypt(alice.encrypt(text("third")));
  alice.decrypt(bob.encrypt(text("turn")));
  bob.decrypt(alice.encrypt(text("new chain")));
  return serialized(bob);
}

TEST(RatchetStateCodec, EveryTruncationIsRejected) {
  const Bytes stored = busy_state();
  for (std::size_t n = 0; n < stored.size(); ++n) {
    EXPECT_THROW(RatchetSession::deserialize(ByteView(stored.data(), n)), CryptoError) << "length " << n;
  }
  EXPECT_NO_THROW(RatchetSession::deserialize(stored));
}

TEST(RatchetStateCodec, AFlippedByteAtEveryPositionIsRejected) {
  const Bytes stored = busy_state();
  for (std::size_t i = 0; i < stored.size(); ++i) {
    Bytes bad = stored;
    bad[i] ^= 0x01;
    EXPECT_THROW(RatchetSession::deserialize(bad), CryptoError) << "byte " << i;
  }
}

TEST(RatchetStateCodec, AnAppendedByteIsRejected) {
  Bytes stored = busy_state();
  stored.push_back(0);
  EXPECT_THROW(RatchetSession::deserialize(stored), CryptoError);
}

TEST(RatchetStateCodec, AnotherKindOfStoredBlobIsRejected) {
  const SecretBytes identity = IdentityKeyPair::generate().serialize();
  EXPECT_THROW(RatchetSession::deserialize(identity.view()), CryptoError);
}

// The checks behind the checksum: bodies that a buggy writer (or a forger who
// recomputes SHA-256) could produce must still be refused, by name.
class RatchetStateBody {
 public:
  RatchetStateBody& u8(std::uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  RatchetStateBody& u16(std::uint16_t v) {
    return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
  }
  RatchetStateBody& u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
  }
  RatchetStateBody& u64(std::uint64_t v) {
    return u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v));
  }
  RatchetStateBody& bytes(const Bytes& v) {
    append(b_, v);
    return *this;
  }
  Bytes seal(std::uint8_t version = kRatchetStateVersion) const {
    const SecretBytes blob = seal_stored_blob("SORS", version, b_.size(), [&](ByteWriter& w) { w.bytes(b_); });
    return Bytes(blob.view().begin(), blob.view().end());
  }

 private:
  Bytes b_;
};

// AD, root key and sending key of a well-formed body.
RatchetStateBody prefix() { return RatchetStateBody().u16(3).bytes({1, 2, 3}).bytes(pattern(1)).bytes(pattern(2)); }

void expect_rejected(const Bytes& stored, std::string_view needle) {
  try {
    decode_ratchet_state(stored, kLoadTime);
    ADD_FAILURE() << "accepted a state that should fail with \"" << needle << "\"";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string_view(e.what()).find(needle), std::string_view::npos) << "message was: " << e.what();
  }
}

TEST(RatchetStateCodec, AWellFormedHandMadeBodyIsAccepted) {
  // The baseline for the rejections below: the same builder, all fields sane.
  const RatchetState s = decode_ratchet_state(prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(0).seal(), kLoadTime);
  EXPECT_FALSE(s.remote_ratchet_key.has_value());
  EXPECT_EQ(s.associated_data, (Bytes{1, 2, 3}));
}

TEST(RatchetStateCodec, RejectsAnUnknownVersionEvenWithAValidChecksum) {
  for (std::uint8_t version : {0, 3, 255}) {
    expect_rejected(prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(0).seal(version), "unsupported format version");
  }
}

TEST(RatchetStateCodec, RejectsAnAssociatedDataLengthAboveTheLimit) {
  RatchetStateBody b;
  b.u16(static_cast<std::uint16_t>(kMaxAssociatedDataSize + 1)).bytes(Bytes(kMaxAssociatedDataSize + 1, 0));
  expect_rejected(b.bytes(pattern(1)).bytes(pattern(2)).u8(0).u32(0).u32(0).u32(0).u8(0).u16(0).seal(),
                  "associated data length out of range");
}

TEST(RatchetStateCodec, RejectsAnAssociatedDataLengthPastTheEnd) {
  expect_rejected(RatchetStateBody().u16(600).bytes({1, 2, 3}).seal(), "truncated (associated data)");
}

TEST(RatchetStateCodec, RejectsUnknownFlags) {
  expect_rejected(prefix().u8(0x08).u32(0).u32(0).u32(0).u8(0).u16(0).seal(), "unknown flags");
}

TEST(RatchetStateCodec, RejectsAReceivingChainWithoutARemoteKey) {
  expect_rejected(prefix().u8(0x04).bytes(pattern(3)).u32(0).u32(0).u32(0).u8(0).u16(0).seal(),
                  "receiving chain without a remote ratchet key");
}

TEST(RatchetStateCodec, RejectsCountsWithoutTheirChains) {
  expect_rejected(prefix().u8(0).u32(1).u32(0).u32(0).u8(0).u16(0).seal(), "send counts without a sending chain");
  expect_rejected(prefix().u8(0).u32(0).u32(1).u32(0).u8(0).u16(0).seal(), "receive count without a receiving chain");
}

TEST(RatchetStateCodec, RejectsTooManyRetiredKeys) {
  expect_rejected(prefix().u8(0).u32(0).u32(0).u32(0).u8(kMaxRetiredRatchetKeys + 1).seal(),
                  "retired key count out of range");
}

TEST(RatchetStateCodec, RejectsASkippedKeyCountAboveTheCapBeforeReadingEntries) {
  expect_rejected(prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(kMaxStoredSkippedKeys + 1).seal(),
                  "skipped key count out of range");
}

// Each version has its own entry size: a version-2 entry without its time,
// or a version-1 entry with one, is refused before any entry is read.
TEST(RatchetStateCodec, RejectsASkippedKeyCountThatDisagreesWithTheLength) {
  const RatchetStateBody one_entry_v1 =
      prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(1).bytes(pattern(4)).u32(0).bytes(pattern(5));
  RatchetStateBody one_entry_v2 = one_entry_v1;
  one_entry_v2.u64(1717200000);
  EXPECT_NO_THROW(decode_ratchet_state(one_entry_v1.seal(kRatchetStateVersionWithoutKeyTimes), kLoadTime));
  EXPECT_NO_THROW(decode_ratchet_state(one_entry_v2.seal(), kLoadTime));
  expect_rejected(one_entry_v1.seal(), "skipped key count does not match length");
  expect_rejected(one_entry_v2.seal(kRatchetStateVersionWithoutKeyTimes), "skipped key count does not match length");
  expect_rejected(
      prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(2).bytes(pattern(4)).u32(0).bytes(pattern(5)).u64(0).seal(),
      "skipped key count does not match length");
}

TEST(RatchetStateCodec, RejectsTheSameSkippedKeyStoredTwice) {
  RatchetStateBody b = prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(2);
  b.bytes(pattern(4)).u32(7).bytes(pattern(5)).u64(1).bytes(pattern(4)).u32(7).bytes(pattern(6)).u64(2);
  expect_rejected(b.seal(), "stored twice");
}

RatchetStateBody one_skipped_key_stored_at(std::uint64_t seconds_since_epoch) {
  return prefix()
      .u8(0)
      .u32(0)
      .u32(0)
      .u32(0)
      .u8(0)
      .u16(1)
      .bytes(pattern(4))
      .u32(0)
      .bytes(pattern(5))
      .u64(seconds_since_epoch);
}

// The writer never stores a time after 9999-12-31T23:59:59Z, so a larger
// one (up to the u64 maximum, which as signed seconds would be negative) is
// corruption.
TEST(RatchetStateCodec, RejectsASkippedKeyTimeBeyondTheLatestStorableTime) {
  const auto latest = static_cast<std::uint64_t>(kLatestSkippedKeyTime.time_since_epoch().count());
  for (std::uint64_t t : {latest + 1, std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
    expect_rejected(one_skipped_key_stored_at(t).seal(), "skipped key time out of range");
  }
}

TEST(RatchetStateCodec, AcceptsEveryTimeFromTheEpochToTheLatestStorableTime) {
  const auto latest = static_cast<std::uint64_t>(kLatestSkippedKeyTime.time_since_epoch().count());
  for (std::uint64_t t : {std::uint64_t{0}, std::uint64_t{1717200000}, latest}) {
    const RatchetState s = decode_ratchet_state(one_skipped_key_stored_at(t).seal(), kLoadTime);
    ASSERT_EQ(s.skipped.size(), 1u);
    s.skipped.for_each([&](const SkippedKeyId&, const StoredSkippedKey& k) {
      EXPECT_EQ(static_cast<std::uint64_t>(k.stored_at.time_since_epoch().count()), t);
    });
  }
}

// A far-future time that is in range (a clock that was wrong, or a forger)
// loads, but cannot keep the key alive: the first expiry pass re-stamps it,
// and it goes one maximum age later.
TEST(RatchetStateCodec, AFarFutureSkippedKeyTimeKeepsTheKeyNoLongerThanTheMaximumAgeFromNow) {
  const auto latest = static_cast<std::uint64_t>(kLatestSkippedKeyTime.time_since_epoch().count());
  RatchetSession session = RatchetSession::deserialize(one_skipped_key_stored_at(latest).seal(), kLoadTime);
  EXPECT_EQ(session.expire_skipped_keys(SkippedKeyExpiry(kLoadTime)), 0u);
  const RatchetState restamped = decode_ratchet_state(session.serialize().view(), kLoadTime);
  restamped.skipped.for_each(
      [&](const SkippedKeyId&, const StoredSkippedKey& k) { EXPECT_EQ(k.stored_at, kLoadTime); });
  EXPECT_EQ(session.expire_skipped_keys(SkippedKeyExpiry(kLoadTime + days(30))), 0u);
  EXPECT_EQ(session.expire_skipped_keys(SkippedKeyExpiry(kLoadTime + days(30) + seconds(1))), 1u);
}

// Removing a key destroys its SecretBytes, whose destructor wipes it; that
// cannot be watched without reading freed memory (see secret_bytes_test.cc).
// What can be checked: an expired key's bytes are gone from the state that is
// written back to disk, and the live key's are still there.
TEST(RatchetStateCodec, AnExpiredKeyLeavesNoTraceInTheStoredState) {
  RatchetState s = full_state(kFirstKeyStored - days(1), kSecondKeyStored);
  EXPECT_EQ(s.skipped.expire(SkippedKeyExpiry(kSecondKeyStored + days(30))), 1u);
  const SecretBytes stored = encode_ratchet_state(s);
  const std::string hex = to_hex(stored.view());
  EXPECT_EQ(hex.find(to_hex(pattern(0xC1))), std::string::npos);
  EXPECT_NE(hex.find(to_hex(pattern(0xE1))), std::string::npos);
}

TEST(RatchetStateCodec, RejectsTrailingBytesAfterTheLastField) {
  expect_rejected(prefix().u8(0).u32(0).u32(0).u32(0).u8(0).u16(0).u8(0).seal(), "does not match length");
}

}  // namespace
}  // namespace sotto::crypto
