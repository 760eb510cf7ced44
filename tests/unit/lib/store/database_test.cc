#include "lib/store/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "lib/store/store_error.h"
#include "tests/support/file_mode.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using testing::TempDir;

using sotto::testing::file_mode;

std::string pragma_text(Database& db, std::string_view pragma) {
  Statement statement = db.prepare(pragma);
  EXPECT_EQ(statement.step(), StepResult::Row);
  return statement.column_text(0);
}

std::int64_t pragma_int(Database& db, std::string_view pragma) {
  Statement statement = db.prepare(pragma);
  EXPECT_EQ(statement.step(), StepResult::Row);
  return statement.column_int64(0);
}

// Sets the process umask for one test and restores it afterwards.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

TEST(Database, CreatesNewFileWithMode0600EvenWithPermissiveUmask) {
  const ScopedUmask umask(0);
  const TempDir dir;
  const Database db(dir / "a.db");
  EXPECT_EQ(file_mode(dir / "a.db"), 0600u);
}

TEST(Database, WalAndShmFilesHaveMode0600) {
  const ScopedUmask umask(0);
  const TempDir dir;
  Database db(dir / "a.db");
  db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
  ASSERT_TRUE(std::filesystem::exists(dir / "a.db-wal"));
  ASSERT_TRUE(std::filesystem::exists(dir / "a.db-shm"));
  EXPECT_EQ(file_mode(dir / "a.db-wal"), 0600u);
  EXPECT_EQ(file_mode(dir / "a.db-shm"), 0600u);
}

TEST(Database, KeepsTheModeOfAnExistingFile) {
  const TempDir dir;
  { std::ofstream(dir / "a.db").flush(); }
  std::filesystem::permissions(dir / "a.db", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                 std::filesystem::perms::group_read);
  const Database db(dir / "a.db");
  EXPECT_EQ(file_mode(dir / "a.db"), 0640u);
}

TEST(Database, UsesWalJournalMode) {
  const TempDir dir;
  Database db(dir / "a.db");
  EXPECT_EQ(pragma_text(db, "PRAGMA journal_mode"), "wal");
}

TEST(Database, UsesSynchronousFull) {
  const TempDir dir;
  Database db(dir / "a.db");
  // 2 is FULL (https://www.sqlite.org/pragma.html#pragma_synchronous).
  EXPECT_EQ(pragma_int(db, "PRAGMA synchronous"), 2);
}

TEST(Database, EnforcesForeignKeys) {
  const TempDir dir;
  Database db(dir / "a.db");
  EXPECT_EQ(pragma_int(db, "PRAGMA foreign_keys"), 1);
  db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id));");
  try {
    db.exec("INSERT INTO child VALUES (42)");
    FAIL() << "a dangling reference was accepted";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_CONSTRAINT_FOREIGNKEY);
    EXPECT_TRUE(error.is_constraint());
  }
}

TEST(Database, CommittedDataSurvivesClosingAndReopening) {
  const TempDir dir;
  {
    Database db(dir / "a.db");
    db.exec("CREATE TABLE t (x TEXT)");
    auto insert = db.cached("INSERT INTO t VALUES (?)");
    insert->bind(1, "kept");
    insert->step();
  }
  Database db(dir / "a.db");
  EXPECT_EQ(pragma_text(db, "SELECT x FROM t"), "kept");
}

TEST(Database, QueryOnlyConnectionRefusesWrites) {
  const TempDir dir;
  {
    Database db(dir / "a.db");
    db.exec("CREATE TABLE t (x INTEGER)");
  }
  Database reader(dir / "a.db", DatabaseOptions{.query_only = true});
  EXPECT_EQ(pragma_int(reader, "SELECT count(*) FROM t"), 0);
  try {
    reader.exec("INSERT INTO t VALUES (1)");
    FAIL() << "a query-only connection wrote";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.primary_code(), SQLITE_READONLY);
  }
}

TEST(Database, OpenNamesThePathWhenTheDirectoryIsMissing) {
  const TempDir dir;
  const auto path = dir / "missing" / "a.db";
  try {
    Database db(path);
    FAIL() << "opened a file in a missing directory";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
}

TEST(Database, OpenRefusesAFileThatIsNotADatabase) {
  const TempDir dir;
  { std::ofstream(dir / "a.db") << std::string(4096, 'x'); }
  try {
    Database db(dir / "a.db");
    FAIL() << "opened a garbage file";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.primary_code(), SQLITE_NOTADB);
  }
}

TEST(Database, SecondWriterWaitsForTheBusyTimeoutThenFailsAsBusy) {
  const TempDir dir;
  Database first(dir / "a.db");
  first.exec("CREATE TABLE t (x INTEGER)");
  Database second(dir / "a.db", DatabaseOptions{.busy_timeout = std::chrono::milliseconds(100)});
  first.exec("BEGIN IMMEDIATE");
  const auto start = std::chrono::steady_clock::now();
  try {
    second.exec("BEGIN IMMEDIATE");
    FAIL() << "two writers held the lock at once";
  } catch (const StoreError& error) {
    EXPECT_TRUE(error.is_busy()) << error.what();
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  first.exec("COMMIT");
  second.exec("BEGIN IMMEDIATE; COMMIT;");
}

TEST(Database, ReportsChangesAndLastInsertRowid) {
  const TempDir dir;
  Database db(dir / "a.db");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER); INSERT INTO t (x) VALUES (1), (2), (3);");
  EXPECT_EQ(db.last_insert_rowid(), 3);
  db.exec("UPDATE t SET x = 0 WHERE x >= 2");
  EXPECT_EQ(db.changes(), 2);
}

TEST(Database, ReportsWhetherATransactionIsOpen) {
  const TempDir dir;
  Database db(dir / "a.db");
  EXPECT_FALSE(db.in_transaction());
  db.exec("BEGIN");
  EXPECT_TRUE(db.in_transaction());
  db.exec("ROLLBACK");
  EXPECT_FALSE(db.in_transaction());
}

TEST(Database, AppliesThePageSizeToANewFile) {
  const TempDir dir;
  Database db(dir / "a.db", DatabaseOptions{.page_size = 8192});
  EXPECT_EQ(pragma_int(db, "PRAGMA page_size"), 8192);
}

TEST(Database, AppliesTheCacheSize) {
  const TempDir dir;
  Database db(dir / "a.db", DatabaseOptions{.cache_size_kib = 32768});
  EXPECT_EQ(pragma_int(db, "PRAGMA cache_size"), -32768);
}

TEST(Database, CheckpointCopiesTheWalIntoTheFileWhenAutomaticCheckpointsAreOff) {
  const TempDir dir;
  Database db(dir / "a.db", DatabaseOptions{.wal_autocheckpoint_pages = 0});
  EXPECT_EQ(pragma_int(db, "PRAGMA wal_autocheckpoint"), 0);
  db.exec("CREATE TABLE t (x BLOB); INSERT INTO t VALUES (zeroblob(100000));");
  // The blob has not reached the main file yet (it holds only the header page).
  EXPECT_LT(std::filesystem::file_size(dir / "a.db"), 100000u);
  EXPECT_EQ(db.checkpoint(), 0);
  EXPECT_GT(std::filesystem::file_size(dir / "a.db"), 100000u);
}

TEST(Database, MovedConnectionKeepsWorking) {
  const TempDir dir;
  Database original(dir / "a.db");
  original.exec("CREATE TABLE t (x INTEGER)");
  Database moved = std::move(original);
  moved.exec("INSERT INTO t VALUES (7)");
  EXPECT_EQ(pragma_int(moved, "SELECT x FROM t"), 7);
}

}  // namespace
}  // namespace sotto::store
