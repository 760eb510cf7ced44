#include "daemon/store/outbox.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/store/session_store.h"
#include "daemon/store/state_database.h"
#include "lib/crypto/random.h"
#include "lib/store/store_error.h"
#include "lib/store/transaction.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::message_id;
using testing::TempDir;

crypto::Bytes bytes(std::string_view s) { return crypto::Bytes(s.begin(), s.end()); }

crypto::RatchetSession make_session() {
  const auto prekey = crypto::X25519KeyPair::generate();
  return crypto::RatchetSession::initiate(crypto::random_secret(32), crypto::random_bytes(64), prekey.public_key());
}

TEST(MsgdStoreOutbox, PendingIsInEnqueueOrder) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  EXPECT_EQ(outbox.size(), 0u);
  EXPECT_TRUE(outbox.pending().empty());

  outbox.enqueue(message_id(30), "bob", "text");
  outbox.enqueue(message_id(10), "carol", "receipt", bytes("read:1234"));
  outbox.enqueue(message_id(20), "bob", "text");
  EXPECT_EQ(outbox.size(), 3u);

  const auto pending = outbox.pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].message_id, message_id(30));
  EXPECT_EQ(pending[0].peer, "bob");
  EXPECT_EQ(pending[0].kind, "text");
  EXPECT_FALSE(pending[0].body.has_value());
  EXPECT_FALSE(pending[0].envelope.has_value());
  EXPECT_EQ(pending[1].message_id, message_id(10));
  EXPECT_EQ(pending[1].peer, "carol");
  EXPECT_EQ(pending[1].kind, "receipt");
  EXPECT_EQ(pending[1].body, bytes("read:1234"));
  EXPECT_EQ(pending[2].message_id, message_id(20));
  EXPECT_LT(pending[0].seq, pending[1].seq);
  EXPECT_LT(pending[1].seq, pending[2].seq);
}

TEST(MsgdStoreOutbox, EnvelopeIsSetOnceAndEntriesAreRemoved) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  outbox.enqueue(message_id(1), "bob", "text");
  outbox.enqueue(message_id(2), "bob", "text");
  const crypto::Bytes envelope = crypto::random_bytes(300);
  outbox.set_envelope(message_id(2), envelope);

  auto pending = outbox.pending();
  EXPECT_FALSE(pending[0].envelope.has_value());
  EXPECT_EQ(pending[1].envelope, envelope);

  EXPECT_THROW(outbox.set_envelope(message_id(2), crypto::random_bytes(300)), std::runtime_error);
  EXPECT_EQ(outbox.pending()[1].envelope, envelope) << "the first envelope stays";
  EXPECT_THROW(outbox.set_envelope(message_id(3), envelope), std::runtime_error);

  outbox.remove(message_id(1));
  outbox.remove(message_id(1));  // a repeated SendAck
  outbox.remove(message_id(77));
  pending = outbox.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].message_id, message_id(2));
  EXPECT_EQ(outbox.size(), 1u);
}

TEST(MsgdStoreOutbox, TellsWhetherAnEntryForAPeerWaitsToBeEncrypted) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  EXPECT_FALSE(outbox.has_unsealed("bob"));
  outbox.enqueue(message_id(1), "bob", "file", bytes("a file's key"));
  outbox.enqueue(message_id(2), "carol", "text");
  EXPECT_TRUE(outbox.has_unsealed("bob"));
  EXPECT_TRUE(outbox.has_unsealed("carol"));
  EXPECT_FALSE(outbox.has_unsealed("dave"));

  outbox.set_envelope(message_id(1), crypto::random_bytes(300));
  EXPECT_FALSE(outbox.has_unsealed("bob")) << "sealed, only waiting for the relay";
  EXPECT_TRUE(outbox.has_unsealed("carol"));
  outbox.remove(message_id(2));
  EXPECT_FALSE(outbox.has_unsealed("carol"));
}

TEST(MsgdStoreOutbox, DuplicateAndMalformedEntriesAreRefused) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  outbox.enqueue(message_id(1), "bob", "text");
  EXPECT_THROW(outbox.enqueue(message_id(1), "carol", "text"), store::StoreError);
  EXPECT_THROW(outbox.enqueue("not-an-id", "bob", "text"), store::StoreError);
  EXPECT_THROW(outbox.enqueue(std::string(32, 'F'), "bob", "text"), store::StoreError);
  EXPECT_THROW(outbox.enqueue(message_id(2), "", "text"), store::StoreError);
  EXPECT_THROW(outbox.enqueue(message_id(3), "bob", ""), store::StoreError);
  EXPECT_EQ(outbox.size(), 1u);
}

TEST(MsgdStoreOutbox, SeqIsNeverReused) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  outbox.enqueue(message_id(1), "bob", "text");
  outbox.enqueue(message_id(2), "bob", "text");
  const auto last_seq = outbox.pending().back().seq;
  outbox.remove(message_id(2));
  outbox.enqueue(message_id(3), "bob", "text");
  EXPECT_GT(outbox.pending().back().seq, last_seq);
}

TEST(MsgdStoreOutbox, EntriesSurviveReopen) {
  TempDir dir;
  const crypto::Bytes envelope = crypto::random_bytes(1024);
  {
    StateDatabase state(dir.path());
    Outbox outbox(state.db());
    outbox.enqueue(message_id(1), "bob", "text");
    outbox.set_envelope(message_id(1), envelope);
    outbox.enqueue(message_id(2), "bob", "receipt", bytes("delivered"));
  }
  StateDatabase state(dir.path());
  const auto pending = Outbox(state.db()).pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].envelope, envelope);
  EXPECT_EQ(pending[1].body, bytes("delivered"));
}

// A group message goes to the members it was encrypted for, even if the group
// changes before the relay takes it: the recipients are fixed with the envelope.
TEST(MsgdStoreOutbox, GroupEnvelopeKeepsItsRecipients) {
  TempDir dir;
  std::vector<std::string> thousand;
  for (int i = 0; i < 1000; ++i) thousand.push_back("member" + std::to_string(i));
  const crypto::Bytes envelope = crypto::random_bytes(300);
  {
    StateDatabase state(dir.path());
    Outbox outbox(state.db());
    outbox.enqueue(message_id(1), "#0123456789abcdef0123456789abcdef", "text");
    outbox.enqueue(message_id(2), "#0123456789abcdef0123456789abcdef", "text");
    outbox.enqueue(message_id(3), "#0123456789abcdef0123456789abcdef", "text");
    outbox.enqueue(message_id(4), "bob", "text");
    outbox.set_envelope(message_id(1), envelope, {});
    outbox.set_envelope(message_id(2), envelope, {"bob"});
    outbox.set_envelope(message_id(3), envelope, thousand);
    outbox.set_envelope(message_id(4), envelope);

    EXPECT_THROW(outbox.set_envelope(message_id(2), envelope, {"carol"}), std::runtime_error);
    EXPECT_THROW(outbox.set_envelope(message_id(3), envelope), std::runtime_error);
    EXPECT_EQ(outbox.pending()[1].recipients, std::vector<std::string>{"bob"}) << "the first recipients stay";
  }
  StateDatabase state(dir.path());
  const auto pending = Outbox(state.db()).pending();
  ASSERT_EQ(pending.size(), 4u);
  EXPECT_TRUE(pending[0].recipients.empty());
  EXPECT_EQ(pending[1].recipients, std::vector<std::string>{"bob"});
  EXPECT_EQ(pending[2].recipients, thousand);
  EXPECT_EQ(pending[2].envelope, envelope);
  EXPECT_TRUE(pending[3].recipients.empty());
}

TEST(MsgdStoreOutbox, EntriesWithoutAnEnvelopeHaveNoRecipients) {
  TempDir dir;
  StateDatabase state(dir.path());
  Outbox outbox(state.db());
  outbox.enqueue(message_id(1), "#0123456789abcdef0123456789abcdef", "text");
  const auto pending = outbox.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(pending[0].recipients.empty());
  EXPECT_FALSE(pending[0].envelope.has_value());
}

// "Encrypt, save the ratchet, record the envelope" is one commit: a crash
// before it leaves neither, after it both. A second connection to the file
// sees only what is durable.
TEST(MsgdStoreOutbox, SessionAndEnvelopeAreCommittedTogetherOrNotAtAll) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  Outbox outbox(state.db());
  auto session = make_session();
  outbox.enqueue(message_id(1), "bob", "text");

  {
    store::Transaction transaction(state.db());
    const auto envelope = session.encrypt(bytes("hello"));
    sessions.save("bob", session);
    outbox.set_envelope(message_id(1), envelope);
    // No commit: the transaction dies as it would in a crash or an exception.
  }
  {
    store::Database observer(dir.path() / StateDatabase::kFileName);
    EXPECT_FALSE(SessionStore(observer).load("bob", crypto::SkippedKeyExpiry::at_system_time()).has_value());
    const auto pending = Outbox(observer).pending();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_FALSE(pending[0].envelope.has_value());
  }

  crypto::Bytes envelope;
  {
    store::Transaction transaction(state.db());
    envelope = session.encrypt(bytes("hello"));
    sessions.save("bob", session);
    outbox.set_envelope(message_id(1), envelope);
    transaction.commit();
  }
  store::Database observer(dir.path() / StateDatabase::kFileName);
  const auto saved = SessionStore(observer).load("bob", crypto::SkippedKeyExpiry::at_system_time());
  ASSERT_TRUE(saved.has_value());
  EXPECT_TRUE(saved->serialize() == session.serialize());
  EXPECT_EQ(Outbox(observer).pending()[0].envelope, envelope);
}

TEST(MsgdStoreOutbox, AFailureInsideTheTransactionRollsBackTheSessionToo) {
  TempDir dir;
  StateDatabase state(dir.path());
  SessionStore sessions(state.db());
  Outbox outbox(state.db());
  auto session = make_session();
  sessions.save("bob", session);
  const auto before = session.serialize();

  EXPECT_THROW(
      {
        store::Transaction transaction(state.db());
        const auto envelope = session.encrypt(bytes("hello"));
        sessions.save("bob", session);
        outbox.set_envelope(message_id(5), envelope);  // not queued: throws
        transaction.commit();
      },
      std::runtime_error);
  store::Database observer(dir.path() / StateDatabase::kFileName);
  EXPECT_TRUE(SessionStore(observer).load("bob", crypto::SkippedKeyExpiry::at_system_time())->serialize() == before);
}

}  // namespace
}  // namespace sotto::msgd
