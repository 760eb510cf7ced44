#include "lib/store/statement_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>

#include "lib/store/database.h"
#include "lib/store/store_error.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using testing::TempDir;

class StatementCacheTest : public ::testing::Test {
 protected:
  StatementCacheTest() : db_(dir_ / "a.db") { db_.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);"); }

  TempDir dir_;
  Database db_;
};

TEST_F(StatementCacheTest, HandsOutTheSamePreparedStatementForTheSameSql) {
  const Statement* first = nullptr;
  {
    auto statement = db_.cached("SELECT x FROM t ORDER BY x");
    first = &*statement;
  }
  auto again = db_.cached("SELECT x FROM t ORDER BY x");
  EXPECT_EQ(&*again, first);
  auto other = db_.cached("SELECT count(*) FROM t");
  EXPECT_NE(&*other, first);
}

TEST_F(StatementCacheTest, ResetsAndClearsAStatementWhenItIsReturned) {
  {
    auto select = db_.cached("SELECT x FROM t WHERE x >= ? ORDER BY x");
    select->bind(1, 2);
    ASSERT_EQ(select->step(), StepResult::Row);
    EXPECT_EQ(select->column_int64(0), 2);
  }
  auto select = db_.cached("SELECT x FROM t WHERE x >= ? ORDER BY x");
  // Unbound parameters are NULL, and x >= NULL matches nothing: the old
  // binding (2) is gone and the statement starts from the beginning.
  EXPECT_EQ(select->step(), StepResult::Done);
}

TEST_F(StatementCacheTest, RefusesANestedUseOfTheSameSql) {
  auto outer = db_.cached("SELECT x FROM t");
  try {
    auto inner = db_.cached("SELECT x FROM t");
    FAIL() << "one statement was lent twice";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_MISUSE);
  }
  // The outer user is undisturbed.
  EXPECT_EQ(outer->step(), StepResult::Row);
}

TEST_F(StatementCacheTest, StatementCanBeBorrowedAgainAfterAFailedStep) {
  db_.exec("CREATE TABLE u (x INTEGER UNIQUE); INSERT INTO u VALUES (1);");
  {
    auto insert = db_.cached("INSERT INTO u VALUES (?)");
    insert->bind(1, 1);
    EXPECT_THROW(insert->step(), StoreError);
  }
  auto insert = db_.cached("INSERT INTO u VALUES (?)");
  insert->bind(1, 2);
  EXPECT_EQ(insert->step(), StepResult::Done);
}

TEST_F(StatementCacheTest, FailedPrepareLeavesNoEntry) {
  StatementCache cache(db_.handle());
  EXPECT_THROW(cache.get("SELEC 1"), StoreError);
  EXPECT_EQ(cache.size(), 0u);
  { auto ok = cache.get("SELECT 1"); }
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(StatementCacheTest, AReturnedStatementHoldsNoReadSnapshot) {
  // A SELECT left mid-result keeps a read transaction open; a TRUNCATE
  // checkpoint by another connection must then wait for it. Returning the
  // statement to the cache resets it, so the checkpoint completes.
  {
    auto select = db_.cached("SELECT x FROM t");
    ASSERT_EQ(select->step(), StepResult::Row);
  }
  Database writer(dir_ / "a.db", DatabaseOptions{.busy_timeout = std::chrono::milliseconds(50)});
  writer.exec("INSERT INTO t VALUES (3)");
  auto checkpoint = writer.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_EQ(checkpoint.step(), StepResult::Row);
  EXPECT_EQ(checkpoint.column_int64(0), 0) << "checkpoint was blocked by a reader";
}

}  // namespace
}  // namespace sotto::store
