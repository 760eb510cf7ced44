#include "lib/crypto/sender_key_receiver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;
using testing::expect_refused_and_unchanged;
using testing::group_context;
using testing::group_id_from;
using testing::make_group;
using testing::numbered;
using testing::serialized;
using testing::text;

static_assert(!std::is_copy_constructible_v<SenderKeyReceiver> && !std::is_copy_assignable_v<SenderKeyReceiver>,
              "a copied receiver could accept the same message twice");

// Alice's chain and Bob's receiver for it, with the context msgd would use.
struct AliceToBob {
  GroupId group = group_id_from(0x10);
  SenderKeyChain alice = SenderKeyChain::generate(group);
  SenderKeyReceiver bob = SenderKeyReceiver::from_distribution(alice.distribution());
  Bytes context = group_context("alice", 1);

  Bytes send(const Bytes& plaintext) { return alice.encrypt(plaintext, context); }
};

TEST(SenderKeyReceiver, EveryMemberReadsEveryOtherMembersMessages) {
  const GroupId group = group_id_from(0x20);
  std::vector<testing::GroupMember> members = make_group(group, 4);
  for (int round = 0; round < 3; ++round) {
    for (std::size_t w = 0; w < members.size(); ++w) {
      const Bytes context = group_context(members[w].name, 1);
      const Bytes plain = numbered(members[w].name + " says ", static_cast<std::uint64_t>(round));
      // One ciphertext for the whole group: the relay fans it out.
      const Bytes message = members[w].chain.encrypt(plain, context);
      for (std::size_t r = 0; r < members.size(); ++r) {
        if (r == w) continue;
        EXPECT_EQ(members[r].receivers[w].decrypt(message, context), plain) << "reader " << r << " writer " << w;
      }
    }
  }
}

// Four members each send 60 messages; each reader gets each writer's
// messages in its own shuffled order (always within MAX_SKIP), every one
// decrypts exactly once, and every re-delivery is refused without a change.
TEST(SenderKeyReceiver, ShuffledDeliveryToSeveralMembersDecryptsEachMessageExactlyOnce) {
  const std::uint64_t seed = testing::test_seed();
  SCOPED_TRACE(testing::seed_trace(seed));
  std::mt19937_64 rng(seed);
  std::vector<testing::GroupMember> members = make_group(group_id_from(0x30), 4);

  struct Sent {
    std::size_t writer;
    Bytes message;
    Bytes plaintext;
  };
  std::vector<Sent> sent;
  for (int i = 0; i < 60; ++i) {
    for (std::size_t w = 0; w < members.size(); ++w) {
      Bytes plain(static_cast<std::size_t>(rng() % 48));
      for (auto& b : plain) b = static_cast<std::uint8_t>(rng());
      sent.push_back({w, members[w].chain.encrypt(plain, group_context(members[w].name, 9)), plain});
    }
  }
  int decrypted = 0;
  for (std::size_t r = 0; r < members.size(); ++r) {
    std::vector<std::size_t> order(sent.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (const std::size_t i : order) {
      const Sent& s = sent[i];
      if (s.writer == r) continue;
      const Bytes context = group_context(members[s.writer].name, 9);
      ASSERT_EQ(members[r].receivers[s.writer].decrypt(s.message, context), s.plaintext);
      ++decrypted;
    }
    for (std::size_t i = 0; i < sent.size(); i += 5) {
      const Sent& s = sent[i];
      if (s.writer == r) continue;
      SenderKeyReceiver& receiver = members[r].receivers[s.writer];
      expect_refused_and_unchanged(
          receiver, [&] { receiver.decrypt(s.message, group_context(members[s.writer].name, 9)); }, "duplicate");
    }
  }
  EXPECT_EQ(decrypted, 4 * 3 * 60);
}

TEST(SenderKeyReceiver, MessagesOutOfOrderWithinTheWindowAllDecrypt) {
  AliceToBob t;
  std::vector<Bytes> messages;
  for (int i = 0; i < 20; ++i) messages.push_back(t.send(numbered("m", i)));
  for (int i = 19; i >= 0; --i) EXPECT_EQ(t.bob.decrypt(messages[i], t.context), numbered("m", i));
  EXPECT_EQ(t.bob.next_iteration(), 20u);
}

TEST(SenderKeyReceiver, ExactlyMaxSkipMessagesMayBeSkipped) {
  AliceToBob t;
  std::vector<Bytes> messages;
  for (std::uint32_t i = 0; i <= kSenderKeyMaxSkip; ++i) messages.push_back(t.send(numbered("m", i)));
  EXPECT_EQ(t.bob.decrypt(messages.back(), t.context), numbered("m", kSenderKeyMaxSkip));
  EXPECT_EQ(t.bob.decrypt(messages.front(), t.context), text("m0"));
}

TEST(SenderKeyReceiver, AJumpPastMaxSkipIsRefusedChangesNothingAndTheChainStillWorks) {
  AliceToBob t;
  std::vector<Bytes> messages;
  for (std::uint32_t i = 0; i <= kSenderKeyMaxSkip + 1; ++i) messages.push_back(t.send(numbered("m", i)));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(messages.back(), t.context); }, "more than MAX_SKIP (1000)");
  EXPECT_EQ(t.bob.decrypt(messages[5], t.context), text("m5"));
  EXPECT_EQ(t.bob.decrypt(messages.back(), t.context), numbered("m", kSenderKeyMaxSkip + 1));
}

TEST(SenderKeyReceiver, AReplayOfTheLatestMessageIsRefused) {
  AliceToBob t;
  const Bytes m = t.send(text("once"));
  EXPECT_EQ(t.bob.decrypt(m, t.context), text("once"));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m, t.context); }, "duplicate");
}

TEST(SenderKeyReceiver, AReplayOfASkippedMessageIsRefused) {
  AliceToBob t;
  const Bytes late = t.send(text("late"));
  t.bob.decrypt(t.send(text("on time")), t.context);
  EXPECT_EQ(t.bob.decrypt(late, t.context), text("late"));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(late, t.context); }, "duplicate");
}

// Every member knows Alice's chain key, so Mallory can derive the right
// message key for any iteration and build a message that would pass the
// AEAD. Only the signature stops her from writing as Alice.
TEST(SenderKeyReceiver, AMessageForgedByAnotherMemberWithTheChainKeyIsRefused) {
  AliceToBob t;
  const SenderKeyDistribution alice_chain = t.alice.distribution();  // what Mallory got as a member
  const Ed25519KeyPair mallory_signing = Ed25519KeyPair::generate();
  SenderKeyChain forger = SenderKeyChain::from_keys(alice_chain.group_id, alice_chain.key_id, alice_chain.iteration,
                                                    alice_chain.chain_key, mallory_signing);
  const Bytes forged = forger.encrypt(text("send the money to mallory"), t.context);
  // The forgery is right in every part but the signature: the same header,
  // and the ciphertext under the real message key.
  const Bytes real = t.send(text("send the money to mallory"));
  EXPECT_EQ(to_hex(ByteView(forged).first(forged.size() - kEd25519SignatureSize)),
            to_hex(ByteView(real).first(real.size() - kEd25519SignatureSize)));

  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(forged, t.context); }, "signature does not verify");
  // Bob verified under the key Alice distributed and changed nothing, so
  // Alice's real message for that iteration still reads.
  EXPECT_EQ(t.bob.decrypt(real, t.context), text("send the money to mallory"));
}

TEST(SenderKeyReceiver, AMessageForAnotherGroupIsRefused) {
  AliceToBob t;
  SenderKeyChain other = SenderKeyChain::generate(group_id_from(0x99));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(other.encrypt(text("x"), t.context), t.context); }, "for another group");
}

// A sender who reuses one chain in two groups and re-signs a message with
// another group id in its header still cannot move it: the header is part
// of the AEAD's associated data. (Checks the AEAD binding on its own, behind
// a valid signature.)
TEST(SenderKeyReceiver, AResignedMessageWithAnotherGroupIdOrKeyIdFailsTheAead) {
  const SecretBytes chain_key = random_secret(32);
  const Ed25519KeyPair signer = Ed25519KeyPair::generate();
  SenderKeyChain in_group_a = SenderKeyChain::from_keys(group_id_from(0xA0), 7, 0, chain_key, signer);
  const Bytes message = in_group_a.encrypt(text("for group A"), {});

  const auto resigned = [&](std::size_t offset, std::uint8_t value) {
    Bytes m(message.begin(), message.end() - static_cast<std::ptrdiff_t>(kEd25519SignatureSize));
    m[offset] = value;
    const Ed25519Signature sig = signer.sign(m);
    m.insert(m.end(), sig.begin(), sig.end());
    return m;
  };

  SenderKeyDistribution in_group_b = in_group_a.distribution();
  in_group_b.group_id = group_id_from(0xA0);
  in_group_b.group_id[0] = 0xB0;
  in_group_b.iteration = 0;
  in_group_b.chain_key = chain_key;
  SenderKeyReceiver reader_b = SenderKeyReceiver::from_distribution(in_group_b);
  expect_refused_and_unchanged(
      reader_b, [&] { reader_b.decrypt(resigned(1, 0xB0), {}); }, "authentication failed");

  SenderKeyDistribution key_id_8 = in_group_b;
  key_id_8.group_id = group_id_from(0xA0);
  key_id_8.key_id = 8;
  SenderKeyReceiver reader_8 = SenderKeyReceiver::from_distribution(key_id_8);
  expect_refused_and_unchanged(
      reader_8, [&] { reader_8.decrypt(resigned(1 + kGroupIdSize + 3, 8), {}); }, "authentication failed");
}

TEST(SenderKeyReceiver, AMessageUnderAnotherContextIsRefused) {
  AliceToBob t;
  const Bytes skipped = t.send(text("skipped for now"));
  t.send(text("skipped too"));
  // Three ahead: a refusal must also drop the keys derived on the way.
  const Bytes m = t.send(text("epoch 1 only"));
  // Another sender's name (a relay relabelling the sender) or another epoch.
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m, group_context("carol", 1)); }, "authentication failed");
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m, group_context("alice", 2)); }, "authentication failed");
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m, {}); }, "authentication failed");
  EXPECT_EQ(t.bob.decrypt(m, t.context), text("epoch 1 only"));
  // And through a stored skipped key.
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(skipped, group_context("alice", 2)); }, "authentication failed");
  EXPECT_EQ(t.bob.decrypt(skipped, t.context), text("skipped for now"));
}

TEST(SenderKeyReceiver, AMessageUnderAnUnknownKeyIdIsRefused) {
  AliceToBob t;
  Bytes m = t.send(text("hi"));
  m[1 + kGroupIdSize] ^= 0x80;  // the key id's top byte
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m, t.context); }, "unknown key id");
}

TEST(SenderKeyReceiver, AChangedByteAnywhereIsRefusedAndChangesNothing) {
  AliceToBob t;
  t.bob.decrypt(t.send(text("first")), t.context);
  const Bytes message = t.send(text("a message with some length to it"));
  for (std::size_t i = 0; i < message.size(); ++i) {
    Bytes bad = message;
    bad[i] ^= 0x01;
    expect_refused_and_unchanged(
        t.bob, [&] { t.bob.decrypt(bad, t.context); }, "group message");
  }
  EXPECT_EQ(t.bob.decrypt(message, t.context), text("a message with some length to it"));
}

TEST(SenderKeyReceiver, EveryTruncationOrExtensionIsRefusedAndChangesNothing) {
  AliceToBob t;
  const Bytes message = t.send(text("whole"));
  for (std::size_t n = 0; n < message.size(); ++n) {
    expect_refused_and_unchanged(
        t.bob, [&] { t.bob.decrypt(ByteView(message.data(), n), t.context); }, "group message");
  }
  Bytes longer = message;
  longer.push_back(0);
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(longer, t.context); }, "signature does not verify");
  EXPECT_EQ(t.bob.decrypt(message, t.context), text("whole"));
}

TEST(SenderKeyReceiver, RandomGarbageIsRefusedAndChangesNothing) {
  AliceToBob t;
  std::mt19937_64 rng(testing::test_seed());
  for (int i = 0; i < 200; ++i) {
    Bytes junk(static_cast<std::size_t>(rng() % 300));
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    if (!junk.empty() && i % 2 == 0) junk[0] = kSenderKeyMessageVersion;
    expect_refused_and_unchanged(
        t.bob, [&] { t.bob.decrypt(junk, t.context); }, "group message");
  }
}

// Forward secrecy within a chain: a member that joins (or whose state leaks)
// at iteration n cannot read iteration n - 1, which it never held a key for.
TEST(SenderKeyReceiver, AReceiverMadeAtIterationNCannotReadIterationNMinusOne) {
  AliceToBob t;
  const Bytes before_join = t.send(text("before the join"));
  SenderKeyReceiver joiner = SenderKeyReceiver::from_distribution(t.alice.distribution());
  EXPECT_EQ(joiner.next_iteration(), 1u);
  expect_refused_and_unchanged(
      joiner, [&] { joiner.decrypt(before_join, t.context); }, "too old");
  EXPECT_EQ(t.bob.decrypt(before_join, t.context), text("before the join"));
  EXPECT_EQ(joiner.decrypt(t.send(text("after the join")), t.context), text("after the join"));
}

TEST(SenderKeyReceiver, AStateAtIterationNReadsAnEarlierMessageOnlyIfItsKeyWasSkippedAndKept) {
  AliceToBob t;
  const Bytes m0 = t.send(text("zero"));
  const Bytes m1 = t.send(text("one"));
  const Bytes m2 = t.send(text("two"));
  t.bob.decrypt(m0, t.context);
  t.bob.decrypt(m2, t.context);  // iteration 1 skipped: its key is kept
  SenderKeyReceiver later = SenderKeyReceiver::deserialize(t.bob.serialize().view());
  expect_refused_and_unchanged(
      later, [&] { later.decrypt(m0, t.context); }, "duplicate or too old");
  EXPECT_EQ(later.decrypt(m1, t.context), text("one"));
  expect_refused_and_unchanged(
      later, [&] { later.decrypt(m1, t.context); }, "duplicate or too old");
}

TEST(SenderKeyReceiver, StoredSkippedKeysAreCappedOldestFirst) {
  AliceToBob t;
  std::vector<Bytes> messages;
  for (std::uint32_t i = 0; i <= 3 * kSenderKeyMaxSkip; ++i) messages.push_back(t.send(numbered("m", i)));
  // Three jumps skip iterations 0..999, 1001..1999 and 2001..2999: 2998
  // keys. The 998 lowest (0..997) are dropped to keep 2000.
  t.bob.decrypt(messages[kSenderKeyMaxSkip], t.context);
  t.bob.decrypt(messages[2 * kSenderKeyMaxSkip], t.context);
  t.bob.decrypt(messages[3 * kSenderKeyMaxSkip], t.context);
  static_assert(kSenderKeyMaxStoredKeys == 2000);
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(messages[997], t.context); }, "too old");
  EXPECT_EQ(t.bob.decrypt(messages[998], t.context), text("m998"));
  EXPECT_EQ(t.bob.decrypt(messages[1001], t.context), text("m1001"));
  EXPECT_EQ(t.bob.decrypt(messages[2999], t.context), text("m2999"));
}

TEST(SenderKeyReceiver, AfterARekeyTheOldChainsReceiversCannotReadTheNewChain) {
  // Alice, Bob and Carol; Carol is removed. Alice starts a new chain and
  // gives it to Bob only. Carol's receiver for the old chain reads nothing
  // of the new one; Bob reads both.
  AliceToBob t;
  SenderKeyReceiver carol = SenderKeyReceiver::from_distribution(t.alice.distribution());
  const Bytes old_message = t.send(text("before the removal"));
  EXPECT_EQ(carol.decrypt(old_message, t.context), text("before the removal"));

  SenderKeyChain rekeyed = t.alice.next_chain();
  SenderKeyReceiver bob_new = SenderKeyReceiver::from_distribution(rekeyed.distribution());
  const Bytes context2 = group_context("alice", 2);
  const Bytes new_message = rekeyed.encrypt(text("after the removal"), context2);

  expect_refused_and_unchanged(
      carol, [&] { carol.decrypt(new_message, context2); }, "unknown key id");
  // Carol still holds the old chain's key, but it leads nowhere in the new chain.
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(new_message, context2); }, "unknown key id");
  EXPECT_EQ(bob_new.decrypt(new_message, context2), text("after the removal"));
  EXPECT_EQ(t.bob.decrypt(old_message, t.context), text("before the removal"));
}

TEST(SenderKeyReceiver, ADistributionThatWouldRollTheChainBackIsRefused) {
  AliceToBob t;
  const SenderKeyDistribution at_zero = t.alice.distribution();
  const Bytes m0 = t.send(text("zero"));
  t.bob.decrypt(m0, t.context);
  t.bob.decrypt(t.send(text("one")), t.context);
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(at_zero); }, "roll the chain back");
  // Had Bob taken it, m0 would decrypt again; it does not.
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(m0, t.context); }, "duplicate");
}

TEST(SenderKeyReceiver, TheSameDistributionAgainChangesNothing) {
  AliceToBob t;
  const Bytes before = serialized(t.bob);
  t.bob.merge_distribution(t.alice.distribution());
  EXPECT_EQ(serialized(t.bob), before);
}

TEST(SenderKeyReceiver, ALaterDistributionMovesTheChainForwardAndKeepsTheMessagesInBetweenReadable) {
  AliceToBob t;
  std::vector<Bytes> gap;
  for (int i = 0; i < 3; ++i) gap.push_back(t.send(numbered("gap ", i)));
  t.bob.merge_distribution(t.alice.distribution());
  EXPECT_EQ(t.bob.next_iteration(), 3u);
  for (int i = 2; i >= 0; --i) EXPECT_EQ(t.bob.decrypt(gap[i], t.context), numbered("gap ", i));
  EXPECT_EQ(t.bob.decrypt(t.send(text("next")), t.context), text("next"));
}

TEST(SenderKeyReceiver, ADistributionFarAheadIsAdoptedSoAStrandedMemberCanReadAgain) {
  AliceToBob t;
  for (std::uint32_t i = 0; i <= kSenderKeyMaxSkip + 1; ++i) t.send(text("lost"));
  const Bytes stranded = t.send(text("too far ahead for Bob"));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(stranded, t.context); }, "MAX_SKIP");
  // Alice sends her distribution again (msgd's business: on request, or
  // periodically); it is more than MAX_SKIP ahead of Bob, so it is taken
  // as it is. The messages in the gap are the price.
  t.bob.merge_distribution(t.alice.distribution());
  EXPECT_EQ(t.bob.next_iteration(), kSenderKeyMaxSkip + 3);
  EXPECT_EQ(t.bob.decrypt(t.send(text("back in")), t.context), text("back in"));
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.decrypt(stranded, t.context); }, "too old");
}

TEST(SenderKeyReceiver, ADistributionThatDisagreesWithTheChainHeldIsRefused) {
  AliceToBob t;
  SenderKeyDistribution other_key = t.alice.distribution();
  other_key.chain_key = random_secret(32);
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(other_key); }, "another chain key");
  t.send(text("advance"));
  SenderKeyDistribution ahead_wrong = t.alice.distribution();
  ahead_wrong.chain_key = random_secret(32);
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(ahead_wrong); }, "another chain key");
  SenderKeyDistribution other_signer = t.alice.distribution();
  other_signer.signing_key = Ed25519KeyPair::generate().public_key();
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(other_signer); }, "another signing key");
  SenderKeyDistribution other_id = t.alice.distribution();
  other_id.key_id ^= 1;
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(other_id); }, "another chain (key id)");
  SenderKeyDistribution other_group = t.alice.distribution();
  other_group.group_id[15] ^= 1;
  expect_refused_and_unchanged(
      t.bob, [&] { t.bob.merge_distribution(other_group); }, "another group");
}

TEST(SenderKeyReceiver, IterationTwoToThe32MinusOneIsNeverAccepted) {
  const SecretBytes chain_key = random_secret(32);
  const Ed25519KeyPair signer = Ed25519KeyPair::generate();
  constexpr std::uint32_t kLast = std::numeric_limits<std::uint32_t>::max();
  SenderKeyChain chain = SenderKeyChain::from_keys(group_id_from(0), 1, kLast - 1, chain_key, signer);
  SenderKeyReceiver receiver = SenderKeyReceiver::from_distribution(chain.distribution());
  const Bytes last = chain.encrypt(text("last"), {});
  // A message claiming iteration 2^32 - 1, properly signed (as only the
  // chain's owner could), is refused before any key is derived.
  Bytes beyond(last.begin(), last.end() - static_cast<std::ptrdiff_t>(kEd25519SignatureSize));
  beyond[kSenderKeyHeaderSize - 1] = 0xff;
  const Ed25519Signature sig = signer.sign(beyond);
  beyond.insert(beyond.end(), sig.begin(), sig.end());
  expect_refused_and_unchanged(
      receiver, [&] { receiver.decrypt(beyond, {}); }, "iteration out of range");
  EXPECT_EQ(receiver.decrypt(last, {}), text("last"));
  EXPECT_EQ(receiver.next_iteration(), kLast);
}

}  // namespace
}  // namespace sotto::crypto
