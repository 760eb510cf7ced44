#include "lib/store/wal_sync.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lib/store/database.h"
#include "lib/store/store_error.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using sotto::testing::TempDir;

std::int64_t count_rows(Database& db) {
  auto count = db.prepare("SELECT count(*) FROM t");
  EXPECT_EQ(count.step(), StepResult::Row);
  return count.column_int64(0);
}

TEST(WalSync, SyncsTheWalOfAConnectionThatDoesNotSyncOnCommit) {
  TempDir dir;
  const auto path = dir / "db";
  Database db(path, DatabaseOptions{.sync_on_commit = false});
  db.exec("CREATE TABLE t (x INTEGER)");
  WalSync wal(path);
  db.exec("INSERT INTO t VALUES (1)");
  EXPECT_NO_THROW(wal.sync());
  // What the connection committed is there for a new one.
  Database other(path);
  EXPECT_EQ(count_rows(other), 1);
}

TEST(WalSync, RefusesADatabaseWithoutAWalFile) {
  TempDir dir;
  EXPECT_THROW(WalSync(dir / "missing.db"), StoreError);
}

TEST(WalSync, RefusesToVouchForAWalFileThatWasRemoved) {
  TempDir dir;
  const auto path = dir / "db";
  Database db(path, DatabaseOptions{.sync_on_commit = false});
  db.exec("CREATE TABLE t (x INTEGER)");
  WalSync wal(path);
  EXPECT_NO_THROW(wal.sync());
  // Removed by hand: what the connection writes now goes to a file the
  // database will never be recovered from, whatever is synced.
  std::filesystem::remove(dir / "db-wal");
  std::ofstream(dir / "db-wal").put('x');
  db.exec("INSERT INTO t VALUES (1)");
  EXPECT_THROW(wal.sync(), StoreError);
}

}  // namespace
}  // namespace sotto::store
