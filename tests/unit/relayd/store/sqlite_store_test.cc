// What only the SQLite backend has: its file, its modes, its schema history.
// Everything the Store interface promises is in store_conformance_test.cc,
// run against every backend.
#include "relayd/store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lib/store/database.h"
#include "lib/store/migrations.h"
#include "lib/store/store_error.h"
#include "relayd/store/sqlite_schema.h"
#include "tests/support/file_mode.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/relayd/store/store_test_data.h"

namespace sotto::relayd {
namespace {

using sotto::testing::TempDir;

using testdata::bytes;
using testdata::hash;
using testdata::kBlobLimits;
using testdata::kHour;
using testdata::kNow;
using testdata::kRoomy;
using testdata::send;
using testdata::user;

using sotto::testing::file_mode;

int raw_version(const std::filesystem::path& path) {
  store::Database db(path);
  return store::schema_version(db);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() : store_(path()) {
    for (const char* name : {"alice", "bob", "carol"}) EXPECT_TRUE(store_.create_user(user(name)));
  }

  std::filesystem::path path() const { return dir_ / "relay.db"; }

  SendResult send_one(const PendingSend& pending, const QueueLimits& limits = kRoomy) {
    const auto results = store_.commit_sends(std::span(&pending, 1), limits);
    EXPECT_EQ(results.size(), 1u);
    return results.at(0);
  }

  TempDir dir_;
  SqliteStore store_;
};

// ---- the file ----

TEST_F(SqliteStoreTest, DatabaseAndWalFilesHaveMode0600) {
  send_one(send("alice", 1, {"bob"}));
  EXPECT_EQ(file_mode(path()), 0600u);
  ASSERT_TRUE(std::filesystem::exists(dir_ / "relay.db-wal"));
  EXPECT_EQ(file_mode(dir_ / "relay.db-wal"), 0600u);
  EXPECT_EQ(file_mode(dir_ / "relay.db-shm"), 0600u);
}

TEST_F(SqliteStoreTest, FileIsInWalModeAtSchemaVersion2) {
  // A plain connection that sets no pragmas of its own sees what the file holds.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  const auto query = [&](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql, -1, &statement, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
    std::string value(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    return value;
  };
  EXPECT_EQ(query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query("PRAGMA user_version"), "3");
  sqlite3_close(raw);
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerRelayd) {
  {
    store::Database db(path());
    db.exec("PRAGMA user_version = 4");
  }
  try {
    SqliteStore newer(path());
    FAIL() << "a version-4 file was opened";
  } catch (const store::NewerSchemaError& error) {
    EXPECT_EQ(error.found_version(), 4);
    EXPECT_EQ(error.supported_version(), 3);
  }
}

TEST(SqliteStoreMigration, UpgradesAVersion1DatabaseInPlace) {
  TempDir dir;
  const auto path = dir.path() / "relay.db";
  {
    // A relay of schema version 1, with an account, a finished blob and an
    // unfinished one, as the previous relayd left them.
    store::Database db(path);
    ASSERT_EQ(store::migrate(db, sqlite_store_migrations().first(1)), 1);
    db.exec(
        "INSERT INTO users (id, username, password_hash, signing_key, dh_key, identity_signature, created_at_ms) "
        "VALUES (1, 'alice', 'h', x'01', x'02', x'03', 0), (2, 'bob', 'h', x'01', x'02', x'03', 0);"
        "INSERT INTO blobs (blob_id, owner_id, size, sha256, received, complete, expires_at_ms) VALUES "
        "('done', 1, 10, zeroblob(32), 10, 1, 1700000000000), ('half', 1, 10, zeroblob(32), 4, 0, 1700000000000);");
  }
  SqliteStore store(path);
  EXPECT_EQ(raw_version(path), 3);
  const auto done = store.blob("done");
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->complete);
  EXPECT_FALSE(done->restricted) << "an old blob stays fetchable by id, as before";
  EXPECT_TRUE(store.blob_readers("done").empty());
  const auto half = store.blob("half");
  ASSERT_TRUE(half.has_value());
  EXPECT_EQ(half->received, 4u);
  EXPECT_EQ(half->expires_at_ms, 1'700'000'000'000);
  // The new table works on the upgraded file.
  ASSERT_TRUE(store.set_blob_received("half", 10, kNow + kHour));
  EXPECT_EQ(store.complete_blob("half", std::vector<std::string>{"bob"}, kNow + kHour).status,
            BlobCompleteStatus::Completed);
  EXPECT_TRUE(store.holds_blob_claim("half", "bob"));
  EXPECT_EQ(store.release_blob("half", "bob", kNow), BlobReleaseStatus::Removed);
  EXPECT_EQ(store.remove_user("alice")->blob_ids, std::vector<std::string>{"done"});
}

TEST(SqliteStoreMigration, UpgradesAVersion2DatabaseAndLogsTheRevocationOfItsTokens) {
  TempDir dir;
  const auto path = dir.path() / "relay.db";
  {
    store::Database db(path);
    ASSERT_EQ(store::migrate(db, sqlite_store_migrations().first(2)), 2);
    db.exec(
        "INSERT INTO users (id, username, password_hash, signing_key, dh_key, identity_signature, created_at_ms) "
        "VALUES (1, 'alice', 'h', x'01', x'02', x'03', 0);"
        "INSERT INTO tokens (token_sha256, user_id, device_name, expires_at_ms) "
        "VALUES (zeroblob(32), 1, 'laptop', 9000000000000);");
  }
  SqliteStore store(path);
  EXPECT_EQ(raw_version(path), 3);
  EXPECT_EQ(store.last_token_revocation(), 0);
  // A token issued before the upgrade is logged when it goes, like any other.
  EXPECT_EQ(store.revoke_user_tokens("alice"), 1u);
  const auto log = store.token_revocations_after(0, 10);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].token_sha256, Sha256Hash{});
}

}  // namespace
}  // namespace sotto::relayd
