// What only PostgresStore has: its migrations, several relayd nodes on one
// database at once, a server that crashes under it, and moving a relay in
// and out of it. The Store contract itself is in store_conformance_test.cc.
#include "relayd/store/postgres_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lib/store/store_error.h"
#include "relayd/store/postgres_schema.h"
#include "relayd/store/sqlite_store.h"
#include "relayd/store/store_dump.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/relayd/store/store_test_data.h"

namespace sotto::relayd {
namespace {

using sotto::testing::PostgresServer;
using testdata::bytes;
using testdata::hash;
using testdata::kBlobLimits;
using testdata::kHour;
using testdata::kNow;
using testdata::kRoomy;
using testdata::message_id;
using testdata::send;
using testdata::user;

std::int64_t query_int(const std::string& uri, const std::string& sql) {
  pqxx::connection connection(uri);
  pqxx::nontransaction tx(connection);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

void execute(const std::string& uri, const std::string& sql) {
  pqxx::connection connection(uri);
  pqxx::nontransaction tx(connection);
  tx.exec(sql);
}

// A message id unique per (writer, n), for tests that send thousands.
MessageId unique_message_id(int writer, int n) {
  MessageId id{};
  id[0] = static_cast<std::uint8_t>(writer);
  std::memcpy(id.data() + 1, &n, sizeof n);
  return id;
}

// ---- migrations ----

TEST(PostgresSchema, MigratingTwiceChangesNothingTheSecondTime) {
  const std::string uri = PostgresServer::shared().create_fresh_database();
  EXPECT_EQ(postgres_migrate(uri), 1);
  EXPECT_EQ(postgres_migrate(uri), 1);
  EXPECT_EQ(query_int(uri, "SELECT count(*) FROM schema_migrations"), 1);
  EXPECT_EQ(query_int(uri, "SELECT max(version) FROM schema_migrations"), 1);
}

TEST(PostgresSchema, TwoNodesMigratingAtOnceBothSucceedAndApplyEachStepOnce) {
  const std::string uri = PostgresServer::shared().create_fresh_database();
  std::atomic<int> ok{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 2; ++i) {
    nodes.emplace_back([&] {
      try {
        if (postgres_migrate(uri) == 1) ++ok;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
      }
    });
  }
  for (auto& node : nodes) node.join();
  EXPECT_EQ(ok.load(), 2);
  EXPECT_EQ(query_int(uri, "SELECT count(*) FROM schema_migrations"), 1);
  PostgresStore store(uri);
  EXPECT_TRUE(store.create_user(user("alice")));
}

TEST(PostgresSchema, TheStoreMigratesAnEmptyDatabaseWhenItStarts) {
  const std::string uri = PostgresServer::shared().create_fresh_database();
  PostgresStore store(uri);
  EXPECT_EQ(query_int(uri, "SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_TRUE(store.create_user(user("alice")));
}

TEST(PostgresSchema, RefusesADatabaseFromANewerRelayd) {
  const std::string uri = PostgresServer::shared().create_fresh_database();
  ASSERT_EQ(postgres_migrate(uri), 1);
  execute(uri, "INSERT INTO schema_migrations (version, description) VALUES (2, 'from the future')");
  try {
    PostgresStore newer(uri);
    FAIL() << "a version-2 database was opened";
  } catch (const store::NewerSchemaError& error) {
    EXPECT_EQ(error.found_version(), 2);
    EXPECT_EQ(error.supported_version(), 1);
  }
  EXPECT_THROW(postgres_migrate(uri), store::NewerSchemaError);
}

TEST(PostgresSchema, AnUnreachableServerIsAStoreErrorWithoutTheUri) {
  const std::string uri = "postgresql:///sotto?host=/nonexistent-sotto-dir&port=1&user=postgres&password=hunter2";
  try {
    PostgresStore store(uri);
    FAIL() << "connected to nothing";
  } catch (const store::StoreError& error) {
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("PostgreSQL"), std::string::npos) << error.what();
  }
}

// ---- several nodes ----

class TwoNodesTest : public ::testing::Test {
 protected:
  TwoNodesTest()
      : uri_(PostgresServer::shared().create_fresh_database()), node_a_(uri_), node_b_(uri_, {.pool_size = 4}) {
    for (const char* name : {"alice", "bob", "carol", "dave"}) EXPECT_TRUE(node_a_.create_user(user(name)));
  }

  std::string uri_;
  PostgresStore node_a_;
  PostgresStore node_b_;
};

// docs/protocol.md: a recipient sees delivery ids strictly increasing in
// the order envelopes were stored, so a relay can page with "after the last
// id I saw". Writers on two nodes race to queue for bob (some as group sends
// with carol, whose locks they take in the same order); a reader that only
// ever asks for ids above the last one it saw must still see every one. And
// each delivery names the id drawn for bob just before it, whichever node drew
// it: a relay pushes live only to a session that has seen that one.
TEST_F(TwoNodesTest, AReaderPagingAfterTheLastIdSeesEveryDeliveryOnceWhileTwoNodesWrite) {
  constexpr int kWritersPerNode = 3;
  constexpr int kBatches = 40;
  constexpr int kSendsPerBatch = 3;
  std::mutex stored_mutex;
  std::set<std::int64_t> stored;                     // bob's ids, as the writers were told
  std::map<std::int64_t, std::int64_t> previous_of;  // bob's id -> the id before it, as the writers were told
  std::atomic<int> writers_left{2 * kWritersPerNode};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2 * kWritersPerNode; ++w) {
    Store& node = w % 2 == 0 ? static_cast<Store&>(node_a_) : node_b_;
    threads.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<PendingSend> batch;
        for (int s = 0; s < kSendsPerBatch; ++s) {
          PendingSend pending = send(w % 2 == 0 ? "alice" : "dave", 0, {"bob"}, 20);
          pending.message_id = unique_message_id(w, b * kSendsPerBatch + s);
          if (s == 1) pending.recipients = {"carol", "bob"};
          batch.push_back(std::move(pending));
        }
        const auto results = node.commit_sends(batch, kRoomy);
        const std::lock_guard lock(stored_mutex);
        for (const auto& result : results) {
          EXPECT_EQ(result.status, SendStatus::Stored);
          for (const auto& delivery : result.deliveries)
            if (delivery.recipient == "bob") {
              stored.insert(delivery.delivery_id);
              previous_of[delivery.delivery_id] = delivery.previous_delivery_id;
            }
        }
      }
      --writers_left;
    });
  }

  std::vector<std::int64_t> seen;
  std::int64_t last = 0;
  bool writers_done = false;
  for (;;) {
    writers_done = writers_left.load() == 0;  // read before the poll: a final poll after the last commit
    const auto page = node_b_.pending("bob", last, 50, kNow);
    for (const auto& envelope : page) {
      EXPECT_GT(envelope.delivery_id, last);
      last = envelope.delivery_id;
      seen.push_back(envelope.delivery_id);
    }
    if (page.empty() && writers_done) break;
  }
  for (auto& thread : threads) thread.join();

  const std::set<std::int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an id was seen twice";
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(2 * kWritersPerNode * kBatches * kSendsPerBatch));
  EXPECT_EQ(unique, stored) << "the reader skipped ids that committed after a higher one";
  EXPECT_EQ(node_a_.queue_usage("bob").envelopes, stored.size());
  std::int64_t before = 0;  // bob had nothing queued
  for (const auto& [id, previous] : previous_of) {
    EXPECT_EQ(previous, before) << "delivery " << id;
    before = id;
  }
}

TEST_F(TwoNodesTest, EachOneTimePrekeyIsHandedOutAtMostOnceAcrossNodes) {
  constexpr int kPrekeys = 200;
  ASSERT_TRUE(node_a_.set_signed_prekey("bob", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  std::vector<OneTimePrekey> prekeys;
  for (int i = 1; i <= kPrekeys; ++i) prekeys.push_back(OneTimePrekey{static_cast<std::uint32_t>(i), bytes(32, 9)});
  ASSERT_EQ(node_a_.add_one_time_prekeys("bob", prekeys, {}).status, PrekeyUploadStatus::Stored);

  std::mutex taken_mutex;
  std::vector<std::uint32_t> taken;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    Store& node = t < 8 ? static_cast<Store&>(node_a_) : node_b_;
    threads.emplace_back([&] {
      for (;;) {
        const auto bundle = node.take_bundle("bob");
        ASSERT_TRUE(bundle.has_value());
        if (!bundle->one_time_prekey) return;
        const std::lock_guard lock(taken_mutex);
        taken.push_back(bundle->one_time_prekey->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::set<std::uint32_t> unique(taken.begin(), taken.end());
  EXPECT_EQ(unique.size(), taken.size()) << "a one-time prekey was handed out twice";
  EXPECT_EQ(taken.size(), static_cast<std::size_t>(kPrekeys));
  EXPECT_EQ(node_b_.count_one_time_prekeys("bob"), 0u);
}

// Every node polls the log with "seq > last seen"; two nodes revoking at
// once must not commit a lower seq after a reader has passed it.
TEST_F(TwoNodesTest, ARelayPollingTheRevocationLogSeesEveryRevocationOnceWhileTwoNodesRevoke) {
  constexpr int kTokensPerWriter = 60;
  std::atomic<int> writers_left{4};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    Store& node = w % 2 == 0 ? static_cast<Store&>(node_a_) : node_b_;
    threads.emplace_back([&, w] {
      for (int i = 0; i < kTokensPerWriter; ++i) {
        Sha256Hash token{};
        token[0] = static_cast<std::uint8_t>(w + 1);
        token[1] = static_cast<std::uint8_t>(i);
        EXPECT_TRUE(node.add_token(token, w % 2 == 0 ? "alice" : "bob", "phone", kNow + kHour));
        if (i % 10 == 9) {
          // Some go together, as a password change takes them all.
          // Zero if the other writer for the same user took them first.
          node.revoke_user_tokens(w % 2 == 0 ? "alice" : "bob");
        } else {
          node.revoke_token(token);  // may already be gone with the other writer's revoke_user_tokens
        }
      }
      --writers_left;
    });
  }
  std::vector<std::int64_t> seqs;
  std::set<Sha256Hash> revoked;
  std::int64_t last = 0;
  for (;;) {
    const bool writers_done = writers_left.load() == 0;
    const auto page = node_a_.token_revocations_after(last, 25);
    for (const auto& entry : page) {
      EXPECT_GT(entry.seq, last);
      last = entry.seq;
      seqs.push_back(entry.seq);
      EXPECT_TRUE(revoked.insert(entry.token_sha256).second) << "a revocation was seen twice";
    }
    if (page.empty() && writers_done) break;
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(revoked.size(), static_cast<std::size_t>(4 * kTokensPerWriter)) << "a revocation was skipped";
  EXPECT_EQ(query_int(uri_, "SELECT count(*) FROM token_revocations"), static_cast<std::int64_t>(revoked.size()));
  EXPECT_EQ(node_b_.last_token_revocation(), last);
}

TEST_F(TwoNodesTest, AQuotaHoldsWhenTwoNodesFillOneQueueAtOnce) {
  constexpr QueueLimits kTen{.max_envelopes = 10, .max_bytes = 1 << 20};
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    Store& node = w % 2 == 0 ? static_cast<Store&>(node_a_) : node_b_;
    threads.emplace_back([&, w] {
      for (int i = 0; i < 10; ++i) {
        PendingSend pending = send("alice", 0, {"bob"});
        pending.message_id = unique_message_id(w, i);
        if (node.commit_sends(std::span(&pending, 1), kTen).at(0).status == SendStatus::Stored) ++stored;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 10);
  EXPECT_EQ(node_a_.queue_usage("bob"), (QueueUsage{10, 1000}));
  EXPECT_EQ(query_int(uri_, "SELECT count(*) FROM deliveries"), 10);
}

// ---- a server crash ----

TEST(PostgresCrash, CallsFailWhileTheServerIsDownAndSucceedOnceItIsBackWithNothingCommittedLost) {
  PostgresServer server;  // its own, so that killing it disturbs no other test
  const std::string uri = server.create_database("crash");
  PostgresStore store(uri, {.pool_size = 4});
  ASSERT_TRUE(store.create_user(user("alice")));
  ASSERT_TRUE(store.create_user(user("bob")));
  ASSERT_TRUE(store.add_token(hash(1), "alice", "laptop", kNow + kHour));
  std::vector<PendingSend> batch;
  for (std::uint8_t i = 1; i <= 20; ++i) batch.push_back(send("alice", i, {"bob"}));
  const auto results = store.commit_sends(batch, kRoomy);
  ASSERT_EQ(results.back().status, SendStatus::Stored);
  // Fill the pool with idle connections that will all be dead.
  {
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) readers.emplace_back([&] { EXPECT_TRUE(store.find_user("bob").has_value()); });
    for (auto& reader : readers) reader.join();
  }

  server.kill9();
  EXPECT_THROW(store.find_user("alice"), store::StoreError);
  EXPECT_THROW(store.commit_sends(std::vector{send("alice", 99, {"bob"})}, kRoomy), store::StoreError);
  EXPECT_THROW(store.take_bundle("bob"), store::StoreError);

  server.start();  // crash recovery replays the WAL
  // The same store object, no reconnect call: the next calls open new connections.
  EXPECT_TRUE(store.find_user("alice").has_value());
  EXPECT_TRUE(store.find_token(hash(1), kNow).has_value());
  const auto queued = store.pending("bob", 0, 100, kNow);
  ASSERT_EQ(queued.size(), 20u);
  EXPECT_EQ(queued.back().delivery_id, results.back().deliveries.at(0).delivery_id);
  EXPECT_EQ(store.queue_usage("bob"), (QueueUsage{20, 2000}));
  const auto after = store.commit_sends(std::vector{send("alice", 100, {"bob"})}, kRoomy);
  ASSERT_EQ(after.at(0).status, SendStatus::Stored);
  EXPECT_GT(after.at(0).deliveries.at(0).delivery_id, queued.back().delivery_id);
  // Every pooled connection works again, not just the first one.
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) readers.emplace_back([&] { EXPECT_TRUE(store.find_user("bob").has_value()); });
  for (auto& reader : readers) reader.join();
}

// ---- export and import ----

std::vector<DumpRecord> dump(Store& store) {
  std::vector<DumpRecord> records;
  store.export_records([&](const DumpRecord& record) { records.push_back(record); });
  return records;
}

ImportCounts load(Store& store, const std::vector<DumpRecord>& records) {
  std::size_t next = 0;
  return store.import_records([&]() -> std::optional<DumpRecord> {
    if (next == records.size()) return std::nullopt;
    return records[next++];
  });
}

class PostgresDumpTest : public ::testing::Test {
 protected:
  PostgresDumpTest()
      : target_uri_(PostgresServer::shared().create_fresh_database()),
        source_(PostgresServer::shared().create_fresh_database()),
        target_(target_uri_) {}

  void fill_source() {
    for (const char* name : {"carol", "alice", "bob"}) ASSERT_TRUE(source_.create_user(user(name)));
    ASSERT_TRUE(source_.add_token(hash(1), "alice", "laptop", kNow + kHour));
    ASSERT_TRUE(source_.add_token(hash(2), "bob", "phone", kNow + 2 * kHour));
    ASSERT_TRUE(source_.add_invite(hash(3), kNow + kHour));
    ASSERT_TRUE(source_.set_signed_prekey("bob", SignedPrekey{7, bytes(32, 7), bytes(64, 7)}));
    ASSERT_EQ(source_
                  .add_one_time_prekeys("bob",
                                        std::vector{OneTimePrekey{1, bytes(32, 1)}, OneTimePrekey{2, bytes(32, 2)}}, {})
                  .status,
              PrekeyUploadStatus::Stored);
    // Ids with gaps (an acked one in the middle), and a group send shared by two.
    sent_ = source_.commit_sends(
        std::vector{send("alice", 1, {"bob"}), send("alice", 2, {"bob", "carol"}, 50), send("carol", 3, {"bob"}, 70)},
        kRoomy);
    ASSERT_EQ(source_.ack_deliveries(std::vector{DeliveryAck{"bob", sent_[0].deliveries[0].delivery_id}}), 1u);
    ASSERT_EQ(source_.begin_blob("alice", "blob-done", 10, hash(8), kNow + kHour, kBlobLimits),
              BlobBeginStatus::Started);
    ASSERT_TRUE(source_.set_blob_received("blob-done", 10, kNow + kHour));
    ASSERT_EQ(source_.complete_blob("blob-done", std::vector<std::string>{"bob", "carol"}, kNow + 5 * kHour).status,
              BlobCompleteStatus::Completed);
    ASSERT_EQ(source_.begin_blob("bob", "blob-half", 20, hash(9), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
    ASSERT_TRUE(source_.set_blob_received("blob-half", 4, kNow + kHour));
  }

  std::string target_uri_;
  PostgresStore source_;
  PostgresStore target_;
  std::vector<SendResult> sent_;
};

TEST_F(PostgresDumpTest, AnExportImportedIntoAFreshStoreHoldsTheSameRelay) {
  fill_source();
  const auto records = dump(source_);
  // Users first, in name order.
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(std::get<UserRecord>(records[0]).username, "alice");
  EXPECT_EQ(std::get<UserRecord>(records[2]).username, "carol");

  const ImportCounts counts = load(target_, records);
  EXPECT_EQ(counts, (ImportCounts{.users = 3,
                                  .tokens = 2,
                                  .invites = 1,
                                  .signed_prekeys = 1,
                                  .one_time_prekeys = 2,
                                  .deliveries = 3,
                                  .blobs = 2}));

  EXPECT_EQ(target_.list_users().size(), 3u);
  EXPECT_EQ(target_.find_user("alice")->identity.signature, user("alice").identity.signature);
  EXPECT_EQ(target_.find_token(hash(2), kNow)->device_name, "phone");
  EXPECT_TRUE(target_.consume_invite(hash(3), kNow));
  for (const char* name : {"bob", "carol"}) {
    const auto before = source_.pending(name, 0, 100, kNow);
    const auto after = target_.pending(name, 0, 100, kNow);
    ASSERT_EQ(after.size(), before.size()) << name;
    for (std::size_t i = 0; i < after.size(); ++i) {
      EXPECT_EQ(after[i].delivery_id, before[i].delivery_id);
      EXPECT_EQ(after[i].sender, before[i].sender);
      EXPECT_EQ(after[i].message_id, before[i].message_id);
      EXPECT_EQ(after[i].envelope, before[i].envelope);
      EXPECT_EQ(after[i].expires_at_ms, before[i].expires_at_ms);
    }
    EXPECT_EQ(target_.queue_usage(name), source_.queue_usage(name)) << name;
  }
  // The group send is one message again: its body goes with the last ack.
  EXPECT_EQ(query_int(target_uri_, "SELECT count(*) FROM messages"), 2);
  EXPECT_EQ(query_int(target_uri_, "SELECT pending FROM messages WHERE envelope_size = 50"), 2);
  const auto bundle = target_.take_bundle("bob");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->signed_prekey.id, 7u);
  EXPECT_EQ(bundle->one_time_prekey->id, 1u);
  EXPECT_EQ(bundle->one_time_remaining, 1u);

  const auto done = target_.blob("blob-done");
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->complete);
  EXPECT_TRUE(done->restricted);
  EXPECT_EQ(done->owner, "alice");
  EXPECT_EQ(target_.blob_readers("blob-done"), (std::vector<std::string>{"bob", "carol"}));
  const auto half = target_.blob("blob-half");
  ASSERT_TRUE(half.has_value());
  EXPECT_EQ(half->received, 4u);
  EXPECT_FALSE(half->complete);
  EXPECT_EQ(target_.blob_usage("bob"), source_.blob_usage("bob"));

  // New sends get ids above every imported one.
  const auto next = target_.commit_sends(std::vector{send("bob", 50, {"carol"})}, kRoomy);
  EXPECT_GT(next.at(0).deliveries.at(0).delivery_id, sent_.back().deliveries.back().delivery_id);
}

TEST_F(PostgresDumpTest, ImportRefusesANonEmptyStoreAndABadRecordAndChangesNothing) {
  fill_source();
  const auto records = dump(source_);
  EXPECT_THROW(load(source_, records), store::StoreError);

  std::vector<DumpRecord> orphan{DumpRecord{user("alice")},
                                 DumpRecord{TokenRecord{hash(1), "nobody", "phone", kNow + kHour}}};
  EXPECT_THROW(load(target_, orphan), store::StoreError);
  EXPECT_TRUE(target_.list_users().empty()) << "a failed import left rows behind";

  std::vector<DumpRecord> twice{DumpRecord{user("alice")}, DumpRecord{user("alice")}};
  EXPECT_THROW(load(target_, twice), store::StoreError);
  EXPECT_TRUE(target_.list_users().empty());
}

// The newest deliveries were acknowledged before the move: the dump carries
// the counter, so the new store never hands those ids out again (a client
// repeating its DeliverAck would delete someone else's envelope).
TEST_F(PostgresDumpTest, AMovedStoreNeverHandsOutAnAcknowledgedIdAgain) {
  for (const char* name : {"alice", "bob"}) ASSERT_TRUE(source_.create_user(user(name)));
  const auto sent = source_.commit_sends(std::vector{send("alice", 1, {"bob"}), send("alice", 2, {"bob"})}, kRoomy);
  const std::int64_t newest = sent[1].deliveries[0].delivery_id;
  ASSERT_EQ(source_.ack_deliveries(std::vector{DeliveryAck{"bob", newest}}), 1u);
  const auto records = dump(source_);
  ASSERT_TRUE(std::holds_alternative<DeliverySequence>(records.back()));
  EXPECT_EQ(std::get<DeliverySequence>(records.back()).last_delivery_id, newest);

  load(target_, records);
  const auto later = target_.commit_sends(std::vector{send("alice", 3, {"bob"})}, kRoomy);
  ASSERT_EQ(later[0].status, SendStatus::Stored);
  EXPECT_GT(later[0].deliveries[0].delivery_id, newest);
}

// The move operators make: a SQLite relay, through a dump file's bytes, into
// PostgreSQL; what bob is owed arrives with the same ids and bodies.
TEST_F(PostgresDumpTest, ASqliteRelayMovesToPostgresThroughADump) {
  sotto::testing::TempDir dir;
  SqliteStore sqlite(dir.path() / "relayd.db");
  for (const char* name : {"alice", "bob", "carol"}) ASSERT_TRUE(sqlite.create_user(user(name)));
  ASSERT_TRUE(sqlite.add_token(hash(4), "bob", "phone", kNow + kHour));
  const auto sent = sqlite.commit_sends(
      std::vector{send("alice", 1, {"bob", "carol"}), send("carol", 2, {"bob"}), send("alice", 3, {"bob"})}, kRoomy);
  ASSERT_EQ(sqlite.ack_deliveries(std::vector{DeliveryAck{"bob", sent[2].deliveries[0].delivery_id}}), 1u);

  std::stringstream file;
  write_dump(sqlite, file);
  const ImportCounts counts = read_dump(file, target_);
  EXPECT_EQ(counts.users, 3u);
  EXPECT_EQ(counts.deliveries, 3u);
  EXPECT_EQ(target_.find_token(hash(4), kNow)->username, "bob");
  for (const char* name : {"bob", "carol"}) {
    const auto before = sqlite.pending(name, 0, 100, kNow);
    const auto after = target_.pending(name, 0, 100, kNow);
    ASSERT_EQ(after.size(), before.size()) << name;
    for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i], before[i]) << name << " " << i;
    EXPECT_EQ(target_.queue_usage(name), sqlite.queue_usage(name)) << name;
  }
  const auto later = target_.commit_sends(std::vector{send("carol", 4, {"bob"})}, kRoomy);
  EXPECT_GT(later[0].deliveries[0].delivery_id, sent[2].deliveries[0].delivery_id);
}

}  // namespace
}  // namespace sotto::relayd
