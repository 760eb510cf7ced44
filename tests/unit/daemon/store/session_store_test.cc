#include "daemon/store/session_store.h"

#include <gtest/gtest.h>

#include <span>
#include <string_view>

#include "daemon/store/state_database.h"
#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
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

TEST(MsgdStoreSessions, AbsentSessionIsNullopt) {
  TempDir dir;
  StateDatabase state(dir.path());
  EXPECT_FALSE(SessionStore(state.db()).load("bob").has_value());
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
  auto loaded = sessions.load("bob");
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

  auto loaded = sessions.load("bob");
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
  EXPECT_TRUE(sessions.load("bob")->serialize() == with_bob.alice.serialize());
  EXPECT_TRUE(sessions.load("carol")->serialize() == with_carol.alice.serialize());

  sessions.remove("bob");
  sessions.remove("bob");
  sessions.remove("nobody");
  EXPECT_FALSE(sessions.load("bob").has_value());
  EXPECT_TRUE(sessions.load("carol").has_value());
  EXPECT_THROW(sessions.save("", with_bob.alice), store::StoreError);
}

TEST(MsgdStoreSessions, ACorruptedStateBlobIsAnErrorNotAWrongSession) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  auto pair = make_pair();
  sessions.save("bob", pair.alice);
  const auto size = sessions.load("bob")->serialize().size();
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
    EXPECT_THROW(sessions.load("bob"), crypto::CryptoError) << "offset " << offset;
    sessions.save("bob", pair.alice);
  }
}

}  // namespace
}  // namespace sotto::msgd
