#include "daemon/store/session_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/state_database.h"
#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sha256.h"
#include "lib/store/store_error.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::TempDir;

// Both ends of one session, as X3DH would leave them.
struct SessionPair {
  crypto::RatchetSession alice;
  crypto::RatchetSession bob;
};

SessionPair make_pair() {
  const auto shared = crypto::random_secret(32);
  const crypto::Bytes ad = crypto::random_bytes(64);
  const auto bob_prekey = crypto::X25519KeyPair::generate();
  return {crypto::RatchetSession::initiate(shared, ad, bob_prekey.public_key()),
          crypto::RatchetSession::respond(shared, ad, bob_prekey)};
}

crypto::Bytes text(std::string_view s) { return crypto::Bytes(s.begin(), s.end()); }

// The system clock, for the tests in which no key is old enough to expire.
crypto::SkippedKeyExpiry system_time() { return crypto::SkippedKeyExpiry::at_system_time(); }

TEST(MsgdStoreSessions, AbsentSessionIsNullopt) {
  TempDir dir;
  StateDatabase state(dir.path());
  EXPECT_FALSE(SessionStore(state.db()).load("bob", system_time()).has_value());
}

TEST(MsgdStoreSessions, ASavedSessionSurvivesReopenAndKeepsWorking) {
  TempDir dir;
  auto pair = make_pair();
  const auto first = pair.alice.encrypt(text("one"));
  {
    StateDatabase state(dir.path());
    SessionStore(state.db()).save("bob", pair.alice);
  }
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto loaded = sessions.load("bob", system_time());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->serialize() == pair.alice.serialize());
  const auto second = loaded->encrypt(text("two"));
  EXPECT_EQ(pair.bob.decrypt(first), text("one"));
  EXPECT_EQ(pair.bob.decrypt(second), text("two"));
}

TEST(MsgdStoreSessions, SaveReplacesTheStoredState) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto pair = make_pair();
  sessions.save("bob", pair.alice);
  const auto first = pair.alice.encrypt(text("one"));
  sessions.save("bob", pair.alice);

  auto loaded = sessions.load("bob", system_time());
  ASSERT_TRUE(loaded.has_value());
  // Had the first state come back, "two" would go out under the message
  // number of "one" and Bob would reject it as a replay.
  const auto second = loaded->encrypt(text("two"));
  EXPECT_EQ(pair.bob.decrypt(first), text("one"));
  EXPECT_EQ(pair.bob.decrypt(second), text("two"));
}

TEST(MsgdStoreSessions, SessionsAreKeptPerPeerAndRemoved) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto with_bob = make_pair();
  auto with_carol = make_pair();
  sessions.save("bob", with_bob.alice);
  sessions.save("carol", with_carol.alice);
  EXPECT_TRUE(sessions.load("bob", system_time())->serialize() == with_bob.alice.serialize());
  EXPECT_TRUE(sessions.load("carol", system_time())->serialize() == with_carol.alice.serialize());

  sessions.remove("bob");
  sessions.remove("bob");
  sessions.remove("nobody");
  EXPECT_FALSE(sessions.load("bob", system_time()).has_value());
  EXPECT_TRUE(sessions.load("carol", system_time()).has_value());
  EXPECT_THROW(sessions.save("", with_bob.alice), store::StoreError);
}

// Both sides started a session at once: ours is replaced by the one built
// from the peer's first message, and stays for what the peer sealed under it.
TEST(MsgdStoreSessions, ReplaceKeepsTheReplacedSessionAsPrevious) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto ours = make_pair();
  auto theirs = make_pair();
  ASSERT_EQ(ours.bob.decrypt(ours.alice.encrypt(text("hi"))), text("hi"));  // so ours.bob may answer
  EXPECT_TRUE(sessions.load_previous("bob", system_time()).empty());
  sessions.replace("bob", ours.alice);  // nothing to keep yet
  EXPECT_TRUE(sessions.load_previous("bob", system_time()).empty());
  sessions.replace("bob", theirs.bob);

  EXPECT_TRUE(sessions.load("bob", system_time())->serialize() == theirs.bob.serialize());
  auto previous = sessions.load_previous("bob", system_time());
  ASSERT_EQ(previous.size(), 1u);
  EXPECT_TRUE(previous[0].session.serialize() == ours.alice.serialize());
  // The kept session still decrypts what its other end seals.
  EXPECT_EQ(previous[0].session.decrypt(ours.bob.encrypt(text("late"))), text("late"));
}

TEST(MsgdStoreSessions, PromoteSwapsAPreviousSessionWithTheCurrentOne) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto first = make_pair();
  auto second = make_pair();
  ASSERT_EQ(first.bob.decrypt(first.alice.encrypt(text("hi"))), text("hi"));  // so first.bob may answer
  sessions.save("bob", first.alice);
  sessions.replace("bob", second.alice);
  auto previous = sessions.load_previous("bob", system_time());
  ASSERT_EQ(previous.size(), 1u);

  // The peer answered under the first session: it is current again, as the
  // answer advanced it.
  EXPECT_EQ(previous[0].session.decrypt(first.bob.encrypt(text("reply"))), text("reply"));
  sessions.promote("bob", previous[0].slot, previous[0].session);
  EXPECT_TRUE(sessions.load("bob", system_time())->serialize() == previous[0].session.serialize());
  const auto now_previous = sessions.load_previous("bob", system_time());
  ASSERT_EQ(now_previous.size(), 1u);
  EXPECT_TRUE(now_previous[0].session.serialize() == second.alice.serialize());
  // A slot that is not there (promoted already) is a bug in the caller.
  EXPECT_THROW(sessions.promote("bob", previous[0].slot, first.alice), std::logic_error);
}

TEST(MsgdStoreSessions, KeepsTheNewestPreviousSessionsUpToTheCapPerPeer) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  std::vector<SessionPair> pairs;
  for (std::size_t i = 0; i < kMaxPreviousSessions + 3; ++i) pairs.push_back(make_pair());
  for (auto& pair : pairs) sessions.replace("bob", pair.alice);
  sessions.replace("carol", pairs[0].bob);

  const auto previous = sessions.load_previous("bob", system_time());
  ASSERT_EQ(previous.size(), kMaxPreviousSessions);
  for (std::size_t i = 0; i < previous.size(); ++i) {
    // Newest first: the one replaced last is the one before the current.
    EXPECT_TRUE(previous[i].session.serialize() == pairs[pairs.size() - 2 - i].alice.serialize()) << i;
  }
  EXPECT_TRUE(sessions.load_previous("carol", system_time()).empty());

  sessions.remove("bob");
  EXPECT_FALSE(sessions.load("bob", system_time()).has_value());
  EXPECT_TRUE(sessions.load_previous("bob", system_time()).empty());
  EXPECT_TRUE(sessions.load("carol", system_time()).has_value());
}

TEST(MsgdStoreSessions, ACorruptedStateBlobIsAnErrorNotAWrongSession) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto pair = make_pair();
  sessions.save("bob", pair.alice);
  const auto size = sessions.load("bob", system_time())->serialize().size();
  auto rowid = state.db().prepare("SELECT length(state) FROM sessions WHERE peer = 'bob'");
  ASSERT_EQ(rowid.step(), store::StepResult::Row);
  ASSERT_EQ(static_cast<std::size_t>(rowid.column_int64(0)), size);

  for (std::size_t offset : {std::size_t{0}, std::size_t{5}, size / 2, size - 1}) {
    auto blob = state.db().prepare("SELECT state FROM sessions WHERE peer = 'bob'");
    ASSERT_EQ(blob.step(), store::StepResult::Row);
    auto bytes = blob.column_blob(0);
    blob.reset();
    bytes[offset] ^= 0x80;
    auto update = state.db().prepare("UPDATE sessions SET state = ? WHERE peer = 'bob'");
    update.bind(1, std::span<const std::uint8_t>(bytes));
    update.step();
    EXPECT_THROW(sessions.load("bob", system_time()), crypto::CryptoError) << "offset " << offset;
    sessions.save("bob", pair.alice);
  }
}

// ---- Skipped keys expire (lib/crypto/skipped_key_expiry.h) ----

// 2024-06-01T00:00:00Z: when the skipped keys of these tests are stored.
constexpr std::chrono::sys_seconds kSkippedAt{std::chrono::seconds(1717200000)};
constexpr std::chrono::seconds kThirtyDays = std::chrono::days(30);
constexpr std::chrono::seconds kOneSecond{1};
crypto::SkippedKeyExpiry at(std::chrono::seconds after_skip) {
  return crypto::SkippedKeyExpiry(kSkippedAt + after_skip);
}

// Bob has received Alice's second message at kSkippedAt, so he holds the key
// of her first, which is returned for delivery later.
struct SkippedMessage {
  SessionPair pair;
  crypto::Bytes first;
};

SkippedMessage bob_holding_a_skipped_key() {
  SkippedMessage m{make_pair(), {}};
  m.first = m.pair.alice.encrypt(text("first"));
  EXPECT_EQ(m.pair.bob.decrypt(m.pair.alice.encrypt(text("second")), at({})), text("second"));
  return m;
}

std::size_t stored_size(StateDatabase& state, std::string_view peer) {
  auto select = state.db().prepare("SELECT length(state) FROM sessions WHERE peer = ?");
  select.bind(1, peer);
  EXPECT_EQ(select.step(), store::StepResult::Row);
  return static_cast<std::size_t>(select.column_int64(0));
}

TEST(MsgdStoreSessions, LoadRemovesExpiredSkippedKeysAndSaveStoresTheRemoval) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto m = bob_holding_a_skipped_key();
  sessions.save("alice", m.pair.bob);
  const std::size_t with_key = stored_size(state, "alice");

  auto fresh = sessions.load("alice", at(kThirtyDays));
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->decrypt(m.first, at(kThirtyDays)), text("first")) << "kept through exactly 30 days";

  auto stale = sessions.load("alice", at(kThirtyDays + kOneSecond));
  ASSERT_TRUE(stale.has_value());
  sessions.save("alice", *stale);
  EXPECT_LT(stored_size(state, "alice"), with_key);
  auto reloaded = sessions.load("alice", at({}));
  EXPECT_THROW(reloaded->decrypt(m.first, at({})), crypto::CryptoError) << "gone, even with the clock set back";
}

TEST(MsgdStoreSessions, TheSweepRemovesExpiredKeysOfIdleSessionsAndRewritesOnlyThose) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto idle = bob_holding_a_skipped_key();
  auto quiet = make_pair();  // no skipped keys: nothing to change
  sessions.save("alice", idle.pair.bob);
  sessions.save("carol", quiet.alice);

  SessionStore::ExpirySweep sweep = sessions.expire_skipped_keys(at(kThirtyDays));
  EXPECT_EQ(sweep.keys_removed, 0u);
  EXPECT_EQ(sweep.sessions_rewritten, 0u);
  EXPECT_TRUE(sweep.unreadable.empty());

  sweep = sessions.expire_skipped_keys(at(kThirtyDays + kOneSecond));
  EXPECT_EQ(sweep.keys_removed, 1u);
  EXPECT_EQ(sweep.sessions_rewritten, 1u);
  EXPECT_TRUE(sessions.load("carol", at({}))->serialize() == quiet.alice.serialize());
  // Read back at the time of the skip, so that only the sweep can have
  // removed the key.
  auto bob = sessions.load("alice", at({}));
  ASSERT_TRUE(bob.has_value());
  EXPECT_THROW(bob->decrypt(idle.first, at({})), crypto::CryptoError);
  EXPECT_EQ(sessions.expire_skipped_keys(at(kThirtyDays + kOneSecond)).sessions_rewritten, 0u);
}

// With no skipped keys, versions 1 and 2 of the stored form differ only in
// the version byte (and so the checksum): rewriting one as the other makes a
// version-1 blob, as an older msgd left it.
crypto::Bytes as_version_1(const crypto::RatchetSession& without_skipped_keys) {
  const crypto::SecretBytes v2 = without_skipped_keys.serialize();
  crypto::Bytes blob(v2.view().begin(), v2.view().end());
  blob[4] = 1;
  const std::size_t covered = blob.size() - 32;
  const crypto::Sha256Digest sum = crypto::sha256(crypto::ByteView(blob).first(covered));
  std::copy(sum.begin(), sum.end(), blob.begin() + static_cast<std::ptrdiff_t>(covered));
  return blob;
}

void put_blob(StateDatabase& state, std::string_view peer, const crypto::Bytes& blob) {
  auto update = state.db().prepare("INSERT INTO sessions (peer, state) VALUES (?, ?)");
  update.bind(1, peer);
  update.bind(2, std::span<const std::uint8_t>(blob));
  update.step();
}

TEST(MsgdStoreSessions, TheSweepRewritesSessionsStoredInTheOldFormatInTheNewOne) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto pair = make_pair();
  put_blob(state, "bob", as_version_1(pair.alice));
  auto old = sessions.load("bob", system_time());
  ASSERT_TRUE(old.has_value()) << "a version-1 session still loads";

  const SessionStore::ExpirySweep sweep = sessions.expire_skipped_keys(system_time());
  EXPECT_EQ(sweep.keys_removed, 0u);
  EXPECT_EQ(sweep.sessions_rewritten, 1u);
  auto version = state.db().prepare("SELECT substr(state, 5, 1) FROM sessions WHERE peer = 'bob'");
  ASSERT_EQ(version.step(), store::StepResult::Row);
  EXPECT_EQ(version.column_blob(0), std::vector<std::uint8_t>{2});
  EXPECT_TRUE(sessions.load("bob", system_time())->serialize() == pair.alice.serialize());
}

TEST(MsgdStoreSessions, TheSweepSkipsAnUnreadableSessionAndNamesIt) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto damaged = make_pair();
  auto idle = bob_holding_a_skipped_key();
  crypto::Bytes blob = as_version_1(damaged.alice);
  blob[10] ^= 0x01;
  put_blob(state, "bob", blob);
  sessions.save("carol", idle.pair.bob);

  const SessionStore::ExpirySweep sweep = sessions.expire_skipped_keys(at(kThirtyDays + kOneSecond));
  EXPECT_EQ(sweep.unreadable, std::vector<std::string>{"bob"});
  EXPECT_EQ(sweep.keys_removed, 1u) << "the other sessions are still swept";
  auto left = state.db().prepare("SELECT state FROM sessions WHERE peer = 'bob'");
  ASSERT_EQ(left.step(), store::StepResult::Row);
  EXPECT_EQ(left.column_blob(0), blob) << "left exactly as it was";
}

}  // namespace
}  // namespace sotto::msgd
