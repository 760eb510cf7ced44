#include "lib/crypto/double_ratchet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_message.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;
using testing::make_session_pair;
using testing::make_talking_pair;
using testing::numbered;
using testing::serialized;
using testing::text;

RatchetSession clone(const RatchetSession& s) { return RatchetSession::deserialize(s.serialize().view()); }

TEST(RatchetSession, BothSidesExchangeMessagesInBothDirections) {
  auto [alice, bob] = make_session_pair();
  EXPECT_FALSE(alice.has_received_message());
  EXPECT_FALSE(bob.has_received_message());
  EXPECT_EQ(bob.decrypt(alice.encrypt(text("one"))), text("one"));
  EXPECT_EQ(bob.decrypt(alice.encrypt(text("two"))), text("two"));
  EXPECT_TRUE(bob.has_received_message());
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("three"))), text("three"));
  EXPECT_TRUE(alice.has_received_message());
  EXPECT_EQ(bob.decrypt(alice.encrypt(text(""))), text(""));
}

TEST(RatchetSession, CiphertextHidesThePlaintextAndRepeatsNothing) {
  auto [alice, bob] = make_session_pair();
  const Bytes plain = text("the same words twice, the same words twice");
  const Bytes m1 = alice.encrypt(plain);
  const Bytes m2 = alice.encrypt(plain);
  EXPECT_EQ(m1.size(), kRatchetHeaderSize + plain.size() + kRatchetTagSize);
  const Bytes body1(m1.begin() + kRatchetHeaderSize, m1.end());
  const Bytes body2(m2.begin() + kRatchetHeaderSize, m2.end());
  EXPECT_NE(body1, body2);
  EXPECT_EQ(std::search(m1.begin(), m1.end(), plain.begin(), plain.begin() + 8), m1.end());
}

TEST(RatchetSession, ResponderCannotSendBeforeItHasReceived) {
  auto [alice, bob] = make_session_pair();
  expect_crypto_error([&] { bob.encrypt(text("too early")); }, "cannot send before");
  bob.decrypt(alice.encrypt(text("hello")));
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("now"))), text("now"));
}

TEST(RatchetSession, MessagesOutOfOrderWithinAChainAllDecrypt) {
  auto [alice, bob] = make_talking_pair();
  std::vector<Bytes> messages;
  for (int i = 0; i < 20; ++i) messages.push_back(alice.encrypt(numbered("m", i)));
  for (int i = 19; i >= 0; --i) EXPECT_EQ(bob.decrypt(messages[i]), numbered("m", i));
}

TEST(RatchetSession, LateMessagesFromAnEndedChainStillDecrypt) {
  auto [alice, bob] = make_talking_pair();
  const Bytes late0 = alice.encrypt(text("late 0"));
  const Bytes late1 = alice.encrypt(text("late 1"));
  const Bytes on_time = alice.encrypt(text("on time"));
  EXPECT_EQ(bob.decrypt(on_time), text("on time"));
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("reply"))), text("reply"));
  EXPECT_EQ(bob.decrypt(alice.encrypt(text("new chain"))), text("new chain"));
  EXPECT_EQ(bob.decrypt(late1), text("late 1"));
  EXPECT_EQ(bob.decrypt(late0), text("late 0"));
}

// Two parties exchange 10,000 messages. Each step sends, delivers (any pending
// message in either direction, so messages are reordered), drops, or
// re-delivers an old message. Pending messages per direction are bounded so
// no chain ever needs more than MAX_SKIP skipped keys, and drops are rare
// enough that the stored-key cap never evicts a key still needed.
TEST(RatchetSession, TenThousandMessagesWithInterleavingReorderingAndDropsDecryptExactlyOnce) {
  const std::uint64_t seed = testing::test_seed();
  SCOPED_TRACE(testing::seed_trace(seed));
  std::mt19937_64 rng(seed);
  auto [alice, bob] = make_session_pair();

  struct Sent {
    Bytes message;
    Bytes plaintext;
  };
  struct Direction {
    RatchetSession* sender;
    RatchetSession* receiver;
    std::vector<Sent> pending;
    std::vector<Sent> delivered;
  };
  std::array<Direction, 2> dirs{Direction{&alice, &bob, {}, {}}, Direction{&bob, &alice, {}, {}}};

  constexpr int kTotal = 10000;
  constexpr std::size_t kMaxPending = 48;
  int sent = 0, delivered = 0, dropped = 0, redelivered = 0, out_of_order = 0, turns = 0;
  const RatchetSession* last_receiver = nullptr;
  std::size_t active = 0;
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

  while (sent < kTotal || !dirs[0].pending.empty() || !dirs[1].pending.empty()) {
    // Conversations come in bursts: mostly keep the direction, sometimes
    // turn. Each turn costs a DH ratchet step (three X25519 operations), so
    // this also keeps the test fast without making turns rare.
    if (pick(4) == 0) active = 1 - active;
    Direction& d = dirs[active];
    const unsigned roll = static_cast<unsigned>(rng() % 100);
    if (roll < 45 && sent < kTotal && d.pending.size() < kMaxPending) {
      if (d.sender == &bob && !bob.has_received_message()) continue;
      Bytes plain(pick(64));
      for (auto& b : plain) b = static_cast<std::uint8_t>(rng());
      d.pending.push_back({d.sender->encrypt(plain), plain});
      ++sent;
    } else if (roll < 97 && !d.pending.empty()) {
      const std::size_t i = pick(d.pending.size());
      if (i != 0) ++out_of_order;
      if (last_receiver != nullptr && last_receiver != d.receiver) ++turns;
      last_receiver = d.receiver;
      Sent s = std::move(d.pending[i]);
      d.pending.erase(d.pending.begin() + static_cast<std::ptrdiff_t>(i));
      ASSERT_EQ(d.receiver->decrypt(s.message), s.plaintext) << "message " << delivered;
      d.delivered.push_back(std::move(s));
      ++delivered;
    } else if (roll < 98 && !d.pending.empty()) {
      d.pending.erase(d.pending.begin() + static_cast<std::ptrdiff_t>(pick(d.pending.size())));
      ++dropped;
    } else if (roll >= 98 && !d.delivered.empty()) {
      const Sent& s = d.delivered[pick(d.delivered.size())];
      const Bytes before = serialized(*d.receiver);
      EXPECT_THROW(d.receiver->decrypt(s.message), CryptoError);
      ASSERT_EQ(serialized(*d.receiver), before) << "a rejected re-delivery changed the session";
      ++redelivered;
    }
  }
  EXPECT_EQ(sent, kTotal);
  EXPECT_EQ(delivered + dropped, kTotal);
  // The schedule really exercised what it claims to (these hold for any seed
  // with overwhelming probability; the counts are printed on failure).
  EXPECT_GT(dropped, 50);
  EXPECT_GT(redelivered, 100);  // about 2% of the steps
  EXPECT_GT(out_of_order, 2000);
  EXPECT_GT(turns, 500);
  // And every delivered message, offered again at the end, is refused.
  for (Direction& d : dirs) {
    for (std::size_t i = 0; i < d.delivered.size(); i += 7) {
      EXPECT_THROW(d.receiver->decrypt(d.delivered[i].message), CryptoError);
    }
  }
}

TEST(RatchetSession, ExactlyMaxSkipMessagesMayBeSkipped) {
  auto [alice, bob] = make_talking_pair();
  std::vector<Bytes> messages;
  for (std::uint32_t i = 0; i <= kMaxSkip; ++i) messages.push_back(alice.encrypt(numbered("m", i)));
  EXPECT_EQ(bob.decrypt(messages.back()), numbered("m", kMaxSkip));
  EXPECT_EQ(bob.decrypt(messages.front()), text("m0"));
}

TEST(RatchetSession, JumpPastMaxSkipFailsClearlyChangesNothingAndSessionStillWorks) {
  auto [alice, bob] = make_talking_pair();
  std::vector<Bytes> messages;
  for (std::uint32_t i = 0; i <= kMaxSkip + 1; ++i) messages.push_back(alice.encrypt(numbered("m", i)));
  const Bytes before = serialized(bob);
  expect_crypto_error([&] { bob.decrypt(messages.back()); }, "more than MAX_SKIP (1000)");
  EXPECT_EQ(serialized(bob), before);
  EXPECT_EQ(bob.decrypt(messages[5]), text("m5"));
  EXPECT_EQ(bob.decrypt(messages.back()), numbered("m", kMaxSkip + 1));
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("still here"))), text("still here"));
  EXPECT_EQ(bob.decrypt(alice.encrypt(text("and so am I"))), text("and so am I"));
}

TEST(RatchetSession, JumpPastMaxSkipInThePreviousChainFails) {
  auto [alice, bob] = make_talking_pair();
  bob.decrypt(alice.encrypt(text("start of Alice's chain")));
  for (std::uint32_t i = 0; i <= kMaxSkip + 1; ++i) alice.encrypt(text("lost"));  // never delivered
  // A new key from Bob: Alice turns her ratchet, and her next header says
  // her previous chain was 1003 messages long; Bob has seen one of them.
  alice.decrypt(bob.encrypt(text("ping")));
  const Bytes next_chain = alice.encrypt(text("new chain"));
  const Bytes before = serialized(bob);
  expect_crypto_error([&] { bob.decrypt(next_chain); }, "in the previous chain, more than MAX_SKIP");
  EXPECT_EQ(serialized(bob), before);
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("still works"))), text("still works"));
}

TEST(RatchetSession, ReplayOfTheLatestMessageIsRejectedAsDuplicate) {
  auto [alice, bob] = make_talking_pair();
  const Bytes m = alice.encrypt(text("once"));
  EXPECT_EQ(bob.decrypt(m), text("once"));
  expect_crypto_error([&] { bob.decrypt(m); }, "duplicate or late message");
}

TEST(RatchetSession, ReplayOfASkippedMessageIsRejectedAsDuplicate) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early"));
  bob.decrypt(alice.encrypt(text("later")));
  EXPECT_EQ(bob.decrypt(early), text("early"));
  expect_crypto_error([&] { bob.decrypt(early); }, "duplicate or late message");
}

TEST(RatchetSession, ReplayFromAnEndedChainIsRejectedAsDuplicate) {
  auto [alice, bob] = make_talking_pair();
  const Bytes old = alice.encrypt(text("old chain"));
  bob.decrypt(old);
  alice.decrypt(bob.encrypt(text("turn")));
  bob.decrypt(alice.encrypt(text("new chain")));
  expect_crypto_error([&] { bob.decrypt(old); }, "its chain has ended");
}

TEST(RatchetSession, ForwardSecrecyADecryptedMessageCannotBeDecryptedFromLaterState) {
  auto [alice, bob] = make_talking_pair();
  const Bytes m = alice.encrypt(text("read once"));
  EXPECT_EQ(bob.decrypt(m), text("read once"));
  // Later state, also after more traffic both ways, and from a stored copy.
  EXPECT_THROW(bob.decrypt(m), CryptoError);
  EXPECT_THROW(clone(bob).decrypt(m), CryptoError);
  for (int i = 0; i < 3; ++i) {
    bob.decrypt(alice.encrypt(text("more")));
    alice.decrypt(bob.encrypt(text("more")));
  }
  EXPECT_THROW(bob.decrypt(m), CryptoError);
  EXPECT_THROW(clone(bob).decrypt(m), CryptoError);
}

// An attacker copies Bob's whole state and then applies every Alice-to-Bob
// message to its copy (a passive attacker on the wire). make_talking_pair()
// leaves Alice with a fresh ratchet key Bob has not seen yet; with Bob's
// current private ratchet key the attacker can follow her next step. Then Bob
// sends under a fresh key the attacker never had and Alice answers with a
// fresh key of her own: from there on the attacker reads nothing.
TEST(RatchetSession, PostCompromiseAttackerLosesAccessAfterTwoFreshDhRatchetSteps) {
  auto [alice, bob] = make_talking_pair();
  RatchetSession attacker = clone(bob);

  // Alice -> Bob, with a fresh key, combined with Bob's compromised key: readable.
  const Bytes a1 = alice.encrypt(text("a1"));
  const Bytes a2 = alice.encrypt(text("a2"));
  EXPECT_EQ(bob.decrypt(a1), text("a1"));
  EXPECT_EQ(attacker.decrypt(a1), text("a1"));

  // Bob -> Alice under the fresh key Bob made on receiving a1; Alice -> Bob
  // under another fresh key: the attacker is locked out.
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("b1"))), text("b1"));
  const Bytes a3 = alice.encrypt(text("a3"));
  const Bytes a4 = alice.encrypt(text("a4"));
  const Bytes before = serialized(attacker);
  EXPECT_THROW(attacker.decrypt(a3), CryptoError);
  EXPECT_THROW(attacker.decrypt(a4), CryptoError);
  EXPECT_EQ(serialized(attacker), before);
  EXPECT_EQ(bob.decrypt(a3), text("a3"));
  EXPECT_EQ(bob.decrypt(a4), text("a4"));

  // Messages of the compromised chain that were still in flight remain
  // readable to the attacker (their keys were derivable at compromise time),
  // and to Bob.
  EXPECT_EQ(attacker.decrypt(a2), text("a2"));
  EXPECT_EQ(bob.decrypt(a2), text("a2"));

  // Later turns stay closed too.
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("b2"))), text("b2"));
  const Bytes a5 = alice.encrypt(text("a5"));
  EXPECT_THROW(attacker.decrypt(a5), CryptoError);
  EXPECT_EQ(bob.decrypt(a5), text("a5"));
}

void expect_every_byte_flip_rejected(RatchetSession& receiver, const Bytes& message) {
  const Bytes before = serialized(receiver);
  for (std::size_t i = 0; i < message.size(); ++i) {
    for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      Bytes tampered = message;
      tampered[i] ^= mask;
      EXPECT_THROW(receiver.decrypt(tampered), CryptoError) << "byte " << i << " mask " << int{mask};
      ASSERT_EQ(serialized(receiver), before) << "a failed decryption changed the session (byte " << i << ")";
    }
  }
}

TEST(RatchetSession, TamperingWithAnyByteOfAMessageOnTheCurrentChainFailsAndChangesNothing) {
  auto [alice, bob] = make_talking_pair();
  bob.decrypt(alice.encrypt(text("first on this chain")));
  const Bytes m = alice.encrypt(text("tamper with me"));
  expect_every_byte_flip_rejected(bob, m);
  EXPECT_EQ(bob.decrypt(m), text("tamper with me"));
}

TEST(RatchetSession, TamperingWithAnyByteOfAMessageStartingANewChainFailsAndChangesNothing) {
  auto [alice, bob] = make_talking_pair();
  const Bytes m = alice.encrypt(text("tamper with me"));  // a new ratchet key for Bob
  expect_every_byte_flip_rejected(bob, m);
  EXPECT_EQ(bob.decrypt(m), text("tamper with me"));
}

TEST(RatchetSession, TamperingWithAStoredSkippedMessageFailsAndChangesNothing) {
  auto [alice, bob] = make_talking_pair();
  const Bytes skipped = alice.encrypt(text("skipped"));
  bob.decrypt(alice.encrypt(text("after")));
  expect_every_byte_flip_rejected(bob, skipped);
  EXPECT_EQ(bob.decrypt(skipped), text("skipped"));
}

TEST(RatchetSession, TruncatedOrExtendedMessagesFail) {
  auto [alice, bob] = make_talking_pair();
  const Bytes m = alice.encrypt(text("whole"));
  const Bytes before = serialized(bob);
  for (std::size_t n = 0; n < m.size(); ++n) {
    EXPECT_THROW(bob.decrypt(ByteView(m.data(), n)), CryptoError) << "length " << n;
  }
  Bytes longer = m;
  longer.push_back(0);
  EXPECT_THROW(bob.decrypt(longer), CryptoError);
  EXPECT_EQ(serialized(bob), before);
  EXPECT_EQ(bob.decrypt(m), text("whole"));
}

TEST(RatchetSession, UnknownMessageVersionIsRejectedByName) {
  auto [alice, bob] = make_talking_pair();
  Bytes m = alice.encrypt(text("v1"));
  m[0] = 0x7f;
  expect_crypto_error([&] { bob.decrypt(m); }, "unsupported format version");
}

TEST(RatchetSession, AMessageForOneSessionFailsInAnother) {
  auto ab = make_session_pair("alice", "bob");
  auto ac = make_session_pair("alice", "carol");
  const Bytes for_bob = ab.alice.encrypt(text("for bob only"));
  const Bytes before = serialized(ac.bob);
  expect_crypto_error([&] { ac.bob.decrypt(for_bob); }, "authentication failed");
  EXPECT_EQ(serialized(ac.bob), before);
  EXPECT_EQ(ab.bob.decrypt(for_bob), text("for bob only"));
}

TEST(RatchetSession, ALowOrderRatchetKeyInAHeaderFailsAndChangesNothing) {
  auto [alice, bob] = make_talking_pair();
  Bytes m = alice.encrypt(text("x"));
  std::fill(m.begin() + 1, m.begin() + 1 + kX25519KeySize, 0);  // u = 0 is a point of order 2: no contributory DH
  const Bytes before = serialized(bob);
  EXPECT_THROW(bob.decrypt(m), CryptoError);
  EXPECT_EQ(serialized(bob), before);
}

TEST(RatchetSession, AMessageUnderThePeersSignedPrekeyFailsCleanlyForTheInitiator) {
  // The initiator's remote ratchet key starts as the responder's signed
  // prekey, with no receiving chain; the responder never sends under it. A
  // forged message claiming it must fail without touching the session.
  const IdentityKeyPair alice_id = IdentityKeyPair::generate();
  const IdentityKeyPair bob_id = IdentityKeyPair::generate();
  const SignedPrekeyPair spk = SignedPrekeyPair::generate(1, bob_id);
  const X3dhInitiation init =
      x3dh_initiate(alice_id, "alice", PrekeyBundle{"bob", bob_id.public_key(), spk.public_prekey(), std::nullopt});
  RatchetSession alice =
      RatchetSession::initiate(init.shared_secret, init.associated_data, spk.public_prekey().public_key);

  Bytes forged(kRatchetHeaderSize + 20 + kRatchetTagSize, 0x42);
  encode_ratchet_header(RatchetHeader{spk.public_prekey().public_key, 0, 0},
                        std::span<std::uint8_t, kRatchetHeaderSize>(forged.data(), kRatchetHeaderSize));
  const Bytes before = serialized(alice);
  expect_crypto_error([&] { alice.decrypt(forged); }, "authentication failed");
  EXPECT_EQ(serialized(alice), before);
  EXPECT_FALSE(alice.has_received_message());
}

TEST(RatchetSession, StoredSkippedKeysAreCappedOldestFirst) {
  auto [alice, bob] = make_talking_pair();
  // Three chains from Alice; on each only the last message arrives, leaving
  // 1000 + 1000 + 1 skipped keys: one more than the 2000 kept.
  auto chain_message = [](int chain, std::uint32_t i) {
    std::string label = "c";
    label += std::to_string(chain);
    label += "m";
    label += std::to_string(i);
    return text(label);
  };
  std::vector<Bytes> first_chain;
  for (int chain = 0; chain < 3; ++chain) {
    const std::uint32_t count = chain < 2 ? kMaxSkip + 1 : 2;
    Bytes last;
    for (std::uint32_t i = 0; i < count; ++i) {
      last = alice.encrypt(chain_message(chain, i));
      if (chain == 0 && i < 2) first_chain.push_back(last);
    }
    ASSERT_EQ(bob.decrypt(last), chain_message(chain, count - 1));
    alice.decrypt(bob.encrypt(text("turn")));
  }
  EXPECT_THROW(bob.decrypt(first_chain[0]), CryptoError);  // the oldest key was evicted
  EXPECT_EQ(bob.decrypt(first_chain[1]), text("c0m1"));
}

// ---- Skipped keys expire (docs/crypto.md, "Skipped keys") ----

// 2024-06-01T00:00:00Z, and expiries counted from it with the default 30 days.
constexpr std::chrono::sys_seconds kSkippedAt{std::chrono::seconds(1717200000)};
SkippedKeyExpiry after_skip(std::chrono::seconds elapsed) { return SkippedKeyExpiry(kSkippedAt + elapsed); }
constexpr std::chrono::seconds kThirtyDays = std::chrono::days(30);
constexpr std::chrono::seconds kOneSecond{1};

TEST(RatchetSession, ASkippedMessageDecryptsUpToExactlyTheMaximumAge) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early1 = alice.encrypt(text("early 1"));
  const Bytes early2 = alice.encrypt(text("early 2"));
  EXPECT_EQ(bob.decrypt(alice.encrypt(text("later")), after_skip({})), text("later"));
  EXPECT_EQ(bob.decrypt(early1, after_skip(kThirtyDays - kOneSecond)), text("early 1"));
  EXPECT_EQ(bob.decrypt(early2, after_skip(kThirtyDays)), text("early 2"));
}

TEST(RatchetSession, ALateMessageWhoseKeyExpiredIsRefusedByNameAndChangesNothing) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early"));
  bob.decrypt(alice.encrypt(text("later")), after_skip({}));
  const Bytes before = serialized(bob);
  expect_crypto_error([&] { bob.decrypt(early, after_skip(kThirtyDays + kOneSecond)); },
                      "late message refused: its skipped message key has expired");
  EXPECT_EQ(serialized(bob), before) << "a refused message must not change the session, expiry included";
  // Not destroyed by the refusal: the same key still works if the clock is
  // set right again before any expiry pass.
  EXPECT_EQ(bob.decrypt(early, after_skip(kThirtyDays)), text("early"));
}

TEST(RatchetSession, OnceExpiredKeysAreRemovedTheLateMessageFailsLikeAnyUnknownKey) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early"));
  bob.decrypt(alice.encrypt(text("later")), after_skip({}));
  EXPECT_EQ(bob.expire_skipped_keys(after_skip(kThirtyDays + kOneSecond)), 1u);
  expect_crypto_error([&] { bob.decrypt(early, after_skip(kThirtyDays + kOneSecond)); }, "duplicate or late message");
  // Even with the clock set back: the key is gone, not merely out of date.
  expect_crypto_error([&] { bob.decrypt(early, after_skip({})); }, "duplicate or late message");
}

TEST(RatchetSession, KeysOfAnEndedChainExpireToo) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early, old chain"));
  bob.decrypt(alice.encrypt(text("later, old chain")), after_skip({}));
  alice.decrypt(bob.encrypt(text("turn")), after_skip({}));
  bob.decrypt(alice.encrypt(text("new chain")), after_skip({}));
  EXPECT_EQ(bob.expire_skipped_keys(after_skip(kThirtyDays + kOneSecond)), 1u);
  expect_crypto_error([&] { bob.decrypt(early, after_skip(kThirtyDays + kOneSecond)); }, "its chain has ended");
}

TEST(RatchetSession, ASuccessfulDecryptRemovesExpiredKeysButKeepsLiveOnes) {
  auto [alice, bob] = make_talking_pair();
  const Bytes old_skip = alice.encrypt(text("skipped first"));
  bob.decrypt(alice.encrypt(text("one")), after_skip({}));
  const Bytes new_skip = alice.encrypt(text("skipped ten days later"));
  bob.decrypt(alice.encrypt(text("two")), after_skip(std::chrono::days(10)));
  const std::size_t with_both = serialized(bob).size();

  EXPECT_EQ(bob.decrypt(alice.encrypt(text("three")), after_skip(kThirtyDays + kOneSecond)), text("three"));
  EXPECT_LT(serialized(bob).size(), with_both) << "the expired key is no longer stored";
  EXPECT_EQ(bob.expire_skipped_keys(after_skip(kThirtyDays + kOneSecond)), 0u) << "decrypt already removed it";
  expect_crypto_error([&] { bob.decrypt(old_skip, after_skip(kThirtyDays + kOneSecond)); },
                      "duplicate or late message");
  EXPECT_EQ(bob.decrypt(new_skip, after_skip(kThirtyDays + kOneSecond)), text("skipped ten days later"));
}

// The age counts from when the key was skipped, not from the session's start
// or the last expiry pass.
TEST(RatchetSession, SkippedKeysAreStampedWithTheTimeOfTheDecryptThatSkippedThem) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early"));
  bob.decrypt(alice.encrypt(text("later")), after_skip(std::chrono::days(100)));
  EXPECT_EQ(bob.expire_skipped_keys(after_skip(std::chrono::days(100) + kThirtyDays)), 0u);
  EXPECT_EQ(bob.decrypt(early, after_skip(std::chrono::days(100) + kThirtyDays)), text("early"));
}

TEST(RatchetSession, ExpiryHonoursTheMaximumAgeGiven) {
  auto [alice, bob] = make_talking_pair();
  const Bytes early = alice.encrypt(text("early"));
  bob.decrypt(alice.encrypt(text("later")), after_skip({}));
  const std::chrono::seconds hour = std::chrono::hours(1);
  EXPECT_EQ(bob.expire_skipped_keys(SkippedKeyExpiry(kSkippedAt + hour, hour)), 0u);
  EXPECT_EQ(bob.expire_skipped_keys(SkippedKeyExpiry(kSkippedAt + hour + kOneSecond, hour)), 1u);
  expect_crypto_error([&] { bob.decrypt(early, after_skip({})); }, "duplicate or late message");
}

TEST(RatchetSession, RandomGarbageIsRejectedAndChangesNothing) {
  const std::uint64_t seed = testing::test_seed();
  SCOPED_TRACE(testing::seed_trace(seed));
  std::mt19937_64 rng(seed);
  auto [alice, bob] = make_talking_pair();
  const Bytes valid = alice.encrypt(text("keep me decryptable"));
  const Bytes before = serialized(bob);
  for (int i = 0; i < 300; ++i) {
    Bytes garbage(static_cast<std::size_t>(rng() % 120));
    for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
    // Half of them look like version-1 messages, to get past the first check.
    if (!garbage.empty() && i % 2 == 0) garbage[0] = kRatchetMessageVersion;
    EXPECT_THROW(bob.decrypt(garbage), CryptoError) << "input " << i;
  }
  EXPECT_EQ(serialized(bob), before);
  EXPECT_EQ(bob.decrypt(valid), text("keep me decryptable"));
}

TEST(RatchetSession, MovedSessionKeepsWorking) {
  auto [alice, bob] = make_talking_pair();
  RatchetSession moved = std::move(bob);
  EXPECT_EQ(moved.decrypt(alice.encrypt(text("after move"))), text("after move"));
}

}  // namespace
}  // namespace sotto::crypto
