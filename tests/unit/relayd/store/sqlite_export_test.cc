// Moving a relay: SqliteStore → dump file → a fresh SqliteStore.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "lib/store/database.h"
#include "lib/store/store_error.h"
#include "relayd/store/sqlite_store.h"
#include "relayd/store/store_dump.h"
#include "tests/support/file_mode.h"
#include "tests/support/temp_dir.h"

// Named, so that a unity build can hold these helpers next to another file's.
namespace sotto::relayd::export_test {
namespace {

using sotto::testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
constexpr std::int64_t kHour = 3'600'000;         // ms
constexpr QueueLimits kRoomy{.max_envelopes = 1'000'000, .max_bytes = 1ULL << 40};
constexpr BlobLimits kBlobLimits{.max_blob_bytes = 1000, .quota_bytes = 2500};
const std::vector<std::string> kUsers{"alice", "bob", "carol", "dave"};

crypto::Bytes bytes(std::size_t size, std::uint8_t fill) { return crypto::Bytes(size, fill); }

Sha256Hash hash(std::uint8_t n) {
  Sha256Hash h{};
  h.fill(n);
  return h;
}

MessageId message_id(std::uint8_t n) {
  MessageId id{};
  id.fill(n);
  return id;
}

UserRecord user(const std::string& name, std::uint8_t key = 1) {
  return UserRecord{name, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + name,
                    IdentityKey{bytes(32, key), bytes(32, key + 1), bytes(64, key + 2)}, kNow + key};
}

PendingSend send(const std::string& sender, std::uint8_t id, std::vector<std::string> recipients,
                 std::size_t size = 100) {
  return PendingSend{sender, message_id(id), std::move(recipients), bytes(size, id), kNow, kNow + kHour};
}

std::vector<DumpRecord> export_all(Store& store) {
  std::vector<DumpRecord> records;
  store.export_records([&](const DumpRecord& record) { records.push_back(record); });
  return records;
}

class SqliteExportTest : public ::testing::Test {
 protected:
  SqliteExportTest() : old_(dir_ / "old.db"), new_(dir_ / "new.db") {}

  SendResult send_one(SqliteStore& store, const PendingSend& pending) {
    const auto results = store.commit_sends(std::span(&pending, 1), kRoomy);
    EXPECT_EQ(results.size(), 1u);
    return results.at(0);
  }

  // A relay with something of everything, including what only a copy that
  // reads the schema closely gets right: a fan-out, an acknowledged last
  // delivery, restricted and unfinished blobs, an account without identity.
  void fill_old() {
    for (std::size_t i = 0; i < kUsers.size(); ++i) {
      ASSERT_TRUE(old_.create_user(user(kUsers[i], static_cast<std::uint8_t>(10 * i + 1))));
    }
    ASSERT_TRUE(old_.create_user(UserRecord{"erin", "$argon2id$erin", IdentityKey{}, kNow}));

    ASSERT_TRUE(old_.add_token(hash(1), "alice", "laptop", kNow + kHour));
    ASSERT_TRUE(old_.add_token(hash(2), "alice", "phone", kNow + 2 * kHour));
    ASSERT_TRUE(old_.add_token(hash(3), "bob", "", kNow + kHour));
    ASSERT_TRUE(old_.add_token(hash(4), "carol", "expired", kNow - 1));
    ASSERT_TRUE(old_.add_invite(hash(20), kNow + kHour));
    ASSERT_TRUE(old_.add_invite(hash(21), kNow + 2 * kHour));

    ASSERT_TRUE(old_.set_signed_prekey("alice", SignedPrekey{7, bytes(32, 70), bytes(64, 71)}));
    ASSERT_TRUE(old_.set_signed_prekey("bob", SignedPrekey{8, bytes(32, 80), bytes(64, 81)}));
    std::vector<OneTimePrekey> prekeys;
    for (std::uint32_t id = 1; id <= 5; ++id) prekeys.push_back(OneTimePrekey{id * 3, bytes(32, 100 + id)});
    ASSERT_EQ(old_.add_one_time_prekeys("alice", prekeys, {}).status, PrekeyUploadStatus::Stored);
    ASSERT_EQ(old_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{9, bytes(32, 99)}}, {}).status,
              PrekeyUploadStatus::Stored);

    ASSERT_EQ(send_one(old_, send("alice", 1, {"bob", "carol", "dave"}, 300)).status, SendStatus::Stored);
    ASSERT_EQ(send_one(old_, send("bob", 2, {"alice"}, 1)).status, SendStatus::Stored);
    ASSERT_EQ(send_one(old_, send("carol", 3, {"alice", "bob"}, 5000)).status, SendStatus::Stored);
    // One delivery of the fan-out acknowledged: its message stays, shared by two.
    const auto fan_out = send_one(old_, send("dave", 4, {"alice", "bob", "carol"}));
    ASSERT_EQ(old_.ack_deliveries(std::vector{DeliveryAck{"bob", fan_out.deliveries.at(1).delivery_id}}), 1u);
    // An envelope from an account that is gone since.
    ASSERT_EQ(send_one(old_, send("erin", 5, {"carol"})).status, SendStatus::Stored);
    // The newest delivery id, already acknowledged: the new store must not hand it out again.
    const auto last = send_one(old_, send("bob", 6, {"carol"}));
    ASSERT_EQ(old_.ack_deliveries(std::vector{DeliveryAck{"carol", last.deliveries.at(0).delivery_id}}), 1u);
    last_delivery_id_ = last.deliveries.at(0).delivery_id;

    ASSERT_EQ(old_.begin_blob("alice", "restricted1", 10, hash(30), kNow + kHour, kBlobLimits),
              BlobBeginStatus::Started);
    ASSERT_TRUE(old_.set_blob_received("restricted1", 10, kNow + kHour));
    ASSERT_EQ(
        old_.complete_blob("restricted1", std::vector<std::string>{"bob", "carol", "dave"}, kNow + 5 * kHour).status,
        BlobCompleteStatus::Completed);
    ASSERT_EQ(old_.release_blob("restricted1", "dave", kNow), BlobReleaseStatus::ClaimReleased);
    ASSERT_EQ(old_.begin_blob("bob", "uploading", 900, hash(31), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
    ASSERT_TRUE(old_.set_blob_received("uploading", 256, kNow + 2 * kHour));
    ASSERT_EQ(old_.begin_blob("alice", "open", 3, hash(32), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
    ASSERT_TRUE(old_.set_blob_received("open", 3, kNow + kHour));
    ASSERT_EQ(old_.complete_blob("open", {}, kNow + 3 * kHour).status, BlobCompleteStatus::Completed);

    ASSERT_TRUE(old_.remove_user("erin"));
  }

  std::filesystem::path dump_path() const { return dir_ / "relay.dump"; }

  void export_old() {
    DumpFile file(dump_path());
    write_dump(old_, file.stream());
    file.commit();
  }

  ImportCounts import_file(SqliteStore& store, const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return read_dump(in, store);
  }

  ImportCounts import_bytes(SqliteStore& store, const std::string& dump) {
    std::istringstream in(dump, std::ios::binary);
    return read_dump(in, store);
  }

  std::string dump_of(const std::vector<DumpRecord>& records) {
    std::ostringstream out(std::ios::binary);
    DumpWriter writer(out);
    for (const DumpRecord& record : records) writer.write(record);
    writer.finish();
    return out.str();
  }

  std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // The rows a Store derives, straight from the file.
  std::vector<std::string> derived_rows(const std::filesystem::path& path) {
    store::Database db(path, store::DatabaseOptions{.query_only = true});
    std::vector<std::string> rows;
    auto messages = db.prepare(
        "SELECT sender, hex(message_id), pending, envelope_size, length(envelope) FROM messages WHERE pending > 0 "
        "ORDER BY sender, message_id");
    while (messages.step() == store::StepResult::Row) {
      rows.push_back(messages.column_text(0) + " " + messages.column_text(1) + " pending " +
                     std::to_string(messages.column_int64(2)) + " size " + std::to_string(messages.column_int64(3)) +
                     " stored " + std::to_string(messages.column_int64(4)));
    }
    auto usage = db.prepare(
        "SELECT u.username, q.envelopes, q.bytes FROM queue_usage q JOIN users u ON u.id = q.user_id "
        "ORDER BY u.username");
    while (usage.step() == store::StepResult::Row) {
      rows.push_back(usage.column_text(0) + " queue " + std::to_string(usage.column_int64(1)) + " " +
                     std::to_string(usage.column_int64(2)));
    }
    return rows;
  }

  void expect_new_store_empty() {
    EXPECT_TRUE(new_.list_users().empty());
    EXPECT_EQ(new_.queue_depth(), 0u);
    const auto records = export_all(new_);
    ASSERT_EQ(records.size(), 1u);  // the delivery sequence alone
    EXPECT_EQ(records.at(0), DumpRecord{DeliverySequence{0}});
  }

  TempDir dir_;
  SqliteStore old_;
  SqliteStore new_;
  std::int64_t last_delivery_id_ = 0;
};

TEST_F(SqliteExportTest, MovesEveryRecordToAFreshStore) {
  fill_old();
  export_old();
  EXPECT_EQ(testing::file_mode(dump_path()), 0600u);

  const ImportCounts counts = import_file(new_, dump_path());
  EXPECT_EQ(counts, (ImportCounts{.users = 4,
                                  .tokens = 4,
                                  .invites = 2,
                                  .signed_prekeys = 2,
                                  .one_time_prekeys = 6,
                                  .deliveries = 9,
                                  .blobs = 3}));
  // The whole content, record for record, and what the store derives from it.
  EXPECT_EQ(export_all(new_), export_all(old_));
  EXPECT_EQ(derived_rows(dir_ / "new.db"), derived_rows(dir_ / "old.db"));

  EXPECT_EQ(new_.list_users(), old_.list_users());
  for (const std::string& name : kUsers) {
    SCOPED_TRACE(name);
    EXPECT_EQ(new_.list_tokens(name, kNow), old_.list_tokens(name, kNow));
    EXPECT_EQ(new_.pending(name, 0, 100, kNow), old_.pending(name, 0, 100, kNow));
    EXPECT_EQ(new_.queue_usage(name), old_.queue_usage(name));
    EXPECT_EQ(new_.blob_usage(name), old_.blob_usage(name));
    EXPECT_EQ(new_.count_one_time_prekeys(name), old_.count_one_time_prekeys(name));
  }
  EXPECT_EQ(new_.queue_depth(), 9u);
  EXPECT_EQ(new_.find_token(hash(1), kNow), old_.find_token(hash(1), kNow));
  EXPECT_EQ(new_.find_token(hash(3), kNow)->username, "bob");
  EXPECT_FALSE(new_.find_token(hash(4), kNow));  // expired there too
  for (const char* id : {"restricted1", "uploading", "open"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(new_.blob(id), old_.blob(id));
    EXPECT_EQ(new_.blob_readers(id), old_.blob_readers(id));
  }
  EXPECT_TRUE(new_.blob("restricted1")->restricted);
  EXPECT_EQ(new_.blob_readers("restricted1"), (std::vector<std::string>{"bob", "carol"}));

  // Bundles hand out the same keys in the same order, then fall back alike.
  for (int i = 0; i < 7; ++i) {
    const auto moved = new_.take_bundle("alice");
    const auto kept = old_.take_bundle("alice");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->identity, kept->identity);
    EXPECT_EQ(moved->signed_prekey, kept->signed_prekey);
    EXPECT_EQ(moved->one_time_prekey, kept->one_time_prekey);
    EXPECT_EQ(moved->one_time_remaining, kept->one_time_remaining);
  }
  EXPECT_FALSE(new_.take_bundle("carol"));  // no signed prekey

  EXPECT_TRUE(new_.consume_invite(hash(20), kNow));
  EXPECT_TRUE(new_.consume_invite(hash(21), kNow));
  EXPECT_FALSE(new_.consume_invite(hash(20), kNow));
}

TEST_F(SqliteExportTest, ExportsOneSnapshotWhileTheRelayWritesOn) {
  fill_old();
  const std::uint64_t queued = old_.queue_depth();
  std::uint64_t deliveries = 0;
  bool wrote = false;
  old_.export_records([&](const DumpRecord& record) {
    if (!wrote) {
      // The store stays usable meanwhile, and what it writes is not in this export.
      EXPECT_EQ(send_one(old_, send("alice", 60, {"bob"})).status, SendStatus::Stored);
      EXPECT_TRUE(old_.create_user(user("frank")));
      wrote = true;
    }
    if (std::holds_alternative<StoredDelivery>(record)) ++deliveries;
    if (const auto* exported = std::get_if<UserRecord>(&record)) {
      EXPECT_NE(exported->username, "frank");
    }
  });
  EXPECT_EQ(deliveries, queued);
  EXPECT_EQ(old_.queue_depth(), queued + 1);
}

TEST_F(SqliteExportTest, LaterSendsGetIdsAboveEveryIdTheOldStoreHandedOut) {
  fill_old();
  export_old();
  import_file(new_, dump_path());
  const auto queued = new_.pending("carol", 0, 100, kNow);
  ASSERT_FALSE(queued.empty());
  ASSERT_LT(queued.back().delivery_id, last_delivery_id_);  // the newest id was acknowledged

  const auto later = send_one(new_, send("alice", 50, {"carol", "bob"}));
  ASSERT_EQ(later.status, SendStatus::Stored);
  EXPECT_EQ(later.deliveries.at(0).delivery_id, last_delivery_id_ + 1);
  EXPECT_EQ(later.deliveries.at(1).delivery_id, last_delivery_id_ + 2);
  EXPECT_EQ(new_.queue_usage("carol").envelopes, old_.queue_usage("carol").envelopes + 1);
}

TEST_F(SqliteExportTest, QueuedMessagesKeepTheirIdempotencyAndSharing) {
  fill_old();
  export_old();
  import_file(new_, dump_path());
  // A repeated Send of a message still queued is recognised after the move.
  const auto repeated = send_one(new_, send("alice", 1, {"bob", "carol", "dave"}, 300));
  EXPECT_EQ(repeated.status, SendStatus::Duplicate);
  EXPECT_EQ(repeated.server_time_ms, kNow);

  // The three deliveries of the fan-out share one message row: acknowledging
  // all of them drops its bytes once, and the queue totals go back to zero.
  for (const std::string name : {"bob", "carol", "dave"}) {
    std::vector<DeliveryAck> acks;
    for (const QueuedEnvelope& envelope : new_.pending(name, 0, 100, kNow))
      acks.push_back({name, envelope.delivery_id});
    EXPECT_EQ(new_.ack_deliveries(acks), acks.size());
    EXPECT_EQ(new_.queue_usage(name), QueueUsage{});
  }
  store::Database db(dir_ / "new.db", store::DatabaseOptions{.query_only = true});
  auto message =
      db.prepare("SELECT count(*), max(pending), max(envelope IS NULL) FROM messages WHERE sender = 'alice'");
  ASSERT_EQ(message.step(), store::StepResult::Row);
  EXPECT_EQ(message.column_int64(0), 1);
  EXPECT_EQ(message.column_int64(1), 0);
  EXPECT_EQ(message.column_int64(2), 1);
}

TEST_F(SqliteExportTest, RefusesAStoreThatHoldsAUserAndChangesNothing) {
  fill_old();
  export_old();
  ASSERT_TRUE(new_.create_user(user("zed")));
  ASSERT_TRUE(new_.add_invite(hash(99), kNow + kHour));
  EXPECT_THROW(import_file(new_, dump_path()), store::StoreError);
  ASSERT_EQ(new_.list_users().size(), 1u);
  EXPECT_EQ(new_.list_users().at(0).username, "zed");
  EXPECT_EQ(new_.queue_depth(), 0u);
  EXPECT_FALSE(new_.find_token(hash(1), kNow));
  EXPECT_TRUE(new_.consume_invite(hash(99), kNow));
  EXPECT_FALSE(new_.consume_invite(hash(20), kNow));
}

TEST_F(SqliteExportTest, RefusesADeliveryForAnUnknownUserAndStaysEmpty) {
  const std::string dump =
      dump_of({user("alice"), TokenRecord{hash(1), "alice", "laptop", kNow + kHour},
               StoredDelivery{"alice", QueuedEnvelope{1, "bob", message_id(1), bytes(5, 1), kNow, kNow + kHour}},
               StoredDelivery{"mallory", QueuedEnvelope{2, "bob", message_id(1), bytes(5, 1), kNow, kNow + kHour}}});
  try {
    import_bytes(new_, dump);
    ADD_FAILURE() << "the dump was imported";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("delivery 2 names \"mallory\", who is not among the dump's users"),
              std::string::npos)
        << e.what();
  }
  expect_new_store_empty();
}

TEST_F(SqliteExportTest, RefusesACorruptedDumpAndStaysEmpty) {
  fill_old();
  export_old();
  std::string dump = read_file(dump_path());
  dump[dump.size() / 2] ^= 0x01;
  EXPECT_ANY_THROW(import_bytes(new_, dump));
  expect_new_store_empty();
}

TEST_F(SqliteExportTest, RefusesADumpWithoutItsTrailerAfterApplyingItsRecordsAndStaysEmpty) {
  fill_old();
  export_old();
  const std::string dump = read_file(dump_path());
  // Every record is whole and valid: only the end check can refuse it, and
  // it must still abort the import's transaction.
  EXPECT_THROW(import_bytes(new_, dump.substr(0, dump.size() - 45)), DumpFormatError);
  expect_new_store_empty();
  EXPECT_THROW(import_bytes(new_, dump.substr(0, dump.size() - 1)), DumpFormatError);
  expect_new_store_empty();
  EXPECT_EQ(import_bytes(new_, dump).users, 4u);
}

TEST_F(SqliteExportTest, RefusesRecordsThatDoNotFit) {
  const auto refused = [&](std::vector<DumpRecord> records, const std::string& reason) {
    SCOPED_TRACE(reason);
    std::size_t next = 0;
    try {
      new_.import_records([&]() -> std::optional<DumpRecord> {
        if (next == records.size()) return std::nullopt;
        return records[next++];
      });
      ADD_FAILURE() << "imported";
    } catch (const store::StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
    expect_new_store_empty();
  };
  const auto delivery = [](std::int64_t id, const std::string& to, std::uint8_t fill) {
    return StoredDelivery{to, QueuedEnvelope{id, "bob", message_id(1), bytes(5, fill), kNow, kNow + kHour}};
  };
  refused({user("alice"), user("alice")}, "user \"alice\" appears twice");
  refused({user("alice"), TokenRecord{hash(1), "alice", "", 0}, TokenRecord{hash(1), "alice", "", 0}},
          "a token of \"alice\" appears twice");
  refused({TokenRecord{hash(1), "nobody", "", 0}}, "a token names \"nobody\"");
  refused({InviteRecord{hash(1), 0}, InviteRecord{hash(1), 0}}, "an invite appears twice");
  refused({user("alice"), StoredSignedPrekey{"alice", {}}, StoredSignedPrekey{"alice", {}}},
          "a second signed prekey for \"alice\"");
  refused({user("alice"), StoredOneTimePrekey{"alice", {4, {}}}, StoredOneTimePrekey{"alice", {4, {}}}},
          "one-time prekey 4 of \"alice\" appears twice");
  refused({user("alice"), delivery(3, "alice", 1), delivery(3, "alice", 1)}, "delivery 3 queues a message");
  refused({user("alice"), user("carol"), delivery(3, "alice", 1), delivery(3, "carol", 1)}, "delivery 3 appears twice");
  refused({user("alice"), user("carol"), delivery(3, "alice", 1), delivery(4, "carol", 2)},
          "delivery 4 carries another envelope");
  refused({user("alice"), delivery(0, "alice", 1)}, "delivery 0 has an id below 1");
  refused({user("alice"), delivery(9, "alice", 1), DeliverySequence{8}}, "the delivery sequence 8 is below delivery 9");
  refused({DeliverySequence{8}, DeliverySequence{9}}, "a second delivery sequence");
  refused({user("alice"), StoredBlob{BlobRecord{"b1", "alice", 1, {}, 0, false, 0, false}, {"alice", "alice"}}},
          "reader \"alice\" of blob b1 appears twice");
  refused({user("alice"), StoredBlob{BlobRecord{"b1", "alice", 1, {}, 0, false, 0, false}, {"ghost"}}},
          "a reader of blob b1 names \"ghost\"");
  refused({user("alice"), StoredBlob{BlobRecord{"../b1", "alice", 1, {}, 0, false, 0, false}, {}}}, "a blob id is not");
}

TEST_F(SqliteExportTest, AnEmptyStoreMovesToo) {
  export_old();
  EXPECT_EQ(import_file(new_, dump_path()), ImportCounts{});
  expect_new_store_empty();
}

}  // namespace
}  // namespace sotto::relayd::export_test
