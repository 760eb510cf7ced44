#include "lib/crypto/sender_key_state_codec.h"

#include <gtest/gtest.h>

#include <string>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/stored_blob.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::group_context;
using testing::group_id_from;
using testing::numbered;
using testing::serialized;
using testing::text;

Bytes codec_pattern(std::uint8_t start, std::size_t n = 32) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

// A receiver holding skipped keys (iterations 0, 1, 3 and 4), so that every
// field kind is covered by the truncation and corruption loops below.
Bytes busy_receiver_state() {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(1));
  SenderKeyReceiver receiver = SenderKeyReceiver::from_distribution(chain.distribution());
  const Bytes context = group_context("alice", 1);
  std::vector<Bytes> messages;
  for (int i = 0; i < 6; ++i) messages.push_back(chain.encrypt(numbered("m", i), context));
  receiver.decrypt(messages[2], context);
  receiver.decrypt(messages[5], context);
  return serialized(receiver);
}

Bytes chain_state() {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(1));
  chain.encrypt(text("advance"), {});
  return serialized(chain);
}

TEST(SenderKeyStateCodec, ASendingChainRoundTripsAndContinuesIdentically) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(1));
  chain.encrypt(text("one"), {});
  SenderKeyChain copy = SenderKeyChain::deserialize(chain.serialize().view());
  EXPECT_EQ(serialized(copy), serialized(chain));
  EXPECT_EQ(copy.group_id(), chain.group_id());
  EXPECT_EQ(copy.key_id(), chain.key_id());
  EXPECT_EQ(copy.iteration(), 1u);
  // Encryption is deterministic given the state: the copy writes exactly
  // what the original would (which is why a copy must never send as well).
  EXPECT_EQ(copy.encrypt(text("two"), {}), chain.encrypt(text("two"), {}));
}

TEST(SenderKeyStateCodec, AReceiverRoundTripsWithItsSkippedKeys) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(1));
  SenderKeyReceiver receiver = SenderKeyReceiver::from_distribution(chain.distribution());
  const Bytes m0 = chain.encrypt(text("zero"), {});
  const Bytes m1 = chain.encrypt(text("one"), {});
  receiver.decrypt(m1, {});
  SenderKeyReceiver copy = SenderKeyReceiver::deserialize(receiver.serialize().view());
  EXPECT_EQ(serialized(copy), serialized(receiver));
  EXPECT_EQ(copy.next_iteration(), 2u);
  EXPECT_EQ(copy.decrypt(m0, {}), text("zero"));
  EXPECT_EQ(copy.decrypt(chain.encrypt(text("two"), {}), {}), text("two"));
}

TEST(SenderKeyStateCodec, EveryTruncationIsRejected) {
  for (const Bytes& stored : {busy_receiver_state(), chain_state()}) {
    for (std::size_t n = 0; n < stored.size(); ++n) {
      const ByteView part(stored.data(), n);
      EXPECT_THROW(SenderKeyReceiver::deserialize(part), CryptoError) << "length " << n;
      EXPECT_THROW(SenderKeyChain::deserialize(part), CryptoError) << "length " << n;
    }
  }
  EXPECT_NO_THROW(SenderKeyReceiver::deserialize(busy_receiver_state()));
  EXPECT_NO_THROW(SenderKeyChain::deserialize(chain_state()));
}

TEST(SenderKeyStateCodec, AFlippedByteAtEveryPositionIsRejected) {
  const Bytes receiver = busy_receiver_state();
  for (std::size_t i = 0; i < receiver.size(); ++i) {
    Bytes bad = receiver;
    bad[i] ^= 0x01;
    EXPECT_THROW(SenderKeyReceiver::deserialize(bad), CryptoError) << "byte " << i;
  }
  const Bytes chain = chain_state();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    Bytes bad = chain;
    bad[i] ^= 0x01;
    EXPECT_THROW(SenderKeyChain::deserialize(bad), CryptoError) << "byte " << i;
  }
}

TEST(SenderKeyStateCodec, AnAppendedByteIsRejected) {
  Bytes receiver = busy_receiver_state();
  receiver.push_back(0);
  EXPECT_THROW(SenderKeyReceiver::deserialize(receiver), CryptoError);
  Bytes chain = chain_state();
  chain.push_back(0);
  EXPECT_THROW(SenderKeyChain::deserialize(chain), CryptoError);
}

TEST(SenderKeyStateCodec, EachKindOfStateAndOtherStoredBlobsAreRejectedAsForeign) {
  testing::expect_crypto_error([] { SenderKeyChain::deserialize(busy_receiver_state()); }, "not this kind of data");
  testing::expect_crypto_error([] { SenderKeyReceiver::deserialize(chain_state()); }, "not this kind of data");
  const SecretBytes identity = IdentityKeyPair::generate().serialize();
  EXPECT_THROW(SenderKeyChain::deserialize(identity.view()), CryptoError);
  EXPECT_THROW(SenderKeyReceiver::deserialize(identity.view()), CryptoError);
  auto [alice, bob] = testing::make_talking_pair();
  const SecretBytes session = alice.serialize();
  EXPECT_THROW(SenderKeyChain::deserialize(session.view()), CryptoError);
  EXPECT_THROW(SenderKeyReceiver::deserialize(session.view()), CryptoError);
}

// Bodies behind a valid checksum that a buggy writer (or a forger who
// recomputes SHA-256) could produce must still be refused, by name.
class GroupStateBody {
 public:
  GroupStateBody& u16(std::uint16_t v) {
    b_.push_back(static_cast<std::uint8_t>(v >> 8));
    b_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  GroupStateBody& u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
  }
  GroupStateBody& bytes(const Bytes& v) {
    append(b_, v);
    return *this;
  }
  Bytes seal(std::string_view magic, std::uint8_t version = 1) const {
    const SecretBytes blob = seal_stored_blob(magic, version, b_.size(), [&](ByteWriter& w) { w.bytes(b_); });
    return Bytes(blob.view().begin(), blob.view().end());
  }

 private:
  Bytes b_;
};

// Group id, key id 5, next iteration, chain key and signing key of a receiver.
GroupStateBody receiver_prefix(std::uint32_t next_iteration) {
  return GroupStateBody()
      .bytes(codec_pattern(0x10, 16))
      .u32(5)
      .u32(next_iteration)
      .bytes(codec_pattern(0x20))
      .bytes(codec_pattern(0x40));
}

void expect_receiver_rejected(const Bytes& stored, std::string_view needle) {
  try {
    decode_sender_receiver_state(stored);
    ADD_FAILURE() << "accepted a state that should fail with \"" << needle << "\"";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string_view(e.what()).find(needle), std::string_view::npos) << "message was: " << e.what();
  }
}

TEST(SenderKeyStateCodec, AWellFormedHandMadeReceiverBodyIsAccepted) {
  // The baseline for the rejections below: the same builder, all fields sane.
  GroupStateBody b = receiver_prefix(10).u16(2);
  b.u32(3).bytes(codec_pattern(0x60)).u32(9).bytes(codec_pattern(0x80));
  const SenderReceiverState s = decode_sender_receiver_state(b.seal("SOGR"));
  EXPECT_EQ(s.key_id, 5u);
  EXPECT_EQ(s.next_iteration, 10u);
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(to_hex(s.skipped.at(9).view()), to_hex(codec_pattern(0x80)));
  EXPECT_EQ(encode_sender_receiver_state(s).size(), b.seal("SOGR").size());
}

TEST(SenderKeyStateCodec, RejectsAnUnknownVersionEvenWithAValidChecksum) {
  expect_receiver_rejected(receiver_prefix(0).u16(0).seal("SOGR", 2), "unsupported format version");
  EXPECT_THROW(decode_sender_chain_state(GroupStateBody()
                                             .bytes(codec_pattern(0x10, 16))
                                             .u32(1)
                                             .u32(2)
                                             .bytes(codec_pattern(0x20))
                                             .bytes(codec_pattern(0x40))
                                             .seal("SOGS", 2)),
               CryptoError);
}

TEST(SenderKeyStateCodec, RejectsASkippedKeyCountAboveTheCapBeforeReadingEntries) {
  expect_receiver_rejected(receiver_prefix(5000).u16(kSenderKeyMaxStoredKeys + 1).seal("SOGR"),
                           "skipped key count out of range");
}

TEST(SenderKeyStateCodec, RejectsASkippedKeyCountThatDisagreesWithTheLength) {
  expect_receiver_rejected(receiver_prefix(10).u16(2).u32(1).bytes(codec_pattern(0x60)).seal("SOGR"),
                           "skipped key count does not match length");
  expect_receiver_rejected(receiver_prefix(10).u16(0).u32(1).seal("SOGR"), "skipped key count does not match length");
}

TEST(SenderKeyStateCodec, RejectsSkippedIterationsThatRepeatOrGoDown) {
  GroupStateBody twice = receiver_prefix(10).u16(2);
  twice.u32(4).bytes(codec_pattern(0x60)).u32(4).bytes(codec_pattern(0x80));
  expect_receiver_rejected(twice.seal("SOGR"), "not strictly increasing");
  GroupStateBody down = receiver_prefix(10).u16(2);
  down.u32(4).bytes(codec_pattern(0x60)).u32(3).bytes(codec_pattern(0x80));
  expect_receiver_rejected(down.seal("SOGR"), "not strictly increasing");
}

TEST(SenderKeyStateCodec, RejectsASkippedKeyAtOrPastTheNextIteration) {
  expect_receiver_rejected(receiver_prefix(10).u16(1).u32(10).bytes(codec_pattern(0x60)).seal("SOGR"),
                           "at or past the next iteration");
  expect_receiver_rejected(receiver_prefix(0).u16(1).u32(0).bytes(codec_pattern(0x60)).seal("SOGR"),
                           "at or past the next iteration");
}

TEST(SenderKeyStateCodec, RejectsASendingChainBodyOfTheWrongLength) {
  GroupStateBody b;
  b.bytes(codec_pattern(0x10, 16)).u32(1).u32(2).bytes(codec_pattern(0x20)).bytes(codec_pattern(0x40));
  EXPECT_NO_THROW(decode_sender_chain_state(b.seal("SOGS")));
  GroupStateBody longer = b;
  EXPECT_THROW(decode_sender_chain_state(longer.u16(0).seal("SOGS")), CryptoError);
}

TEST(SenderKeyStateCodec, TheWriterRefusesAStateItsReaderWouldRefuse) {
  SenderReceiverState s(group_id_from(1), 1, 3, SecretBytes(codec_pattern(0x20)), Ed25519PublicKey{});
  s.skipped.emplace(3, SecretBytes(codec_pattern(0x60)));
  EXPECT_THROW(encode_sender_receiver_state(s), CryptoError);
  s.skipped.clear();
  for (std::uint32_t i = 0; i <= kSenderKeyMaxStoredKeys; ++i) s.skipped.emplace(i, SecretBytes(codec_pattern(0)));
  s.next_iteration = 5000;
  EXPECT_THROW(encode_sender_receiver_state(s), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
