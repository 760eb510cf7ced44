#include "lib/store/transaction.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

#include "lib/store/store_error.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using testing::TempDir;

class TransactionTest : public ::testing::Test {
 protected:
  TransactionTest() : db_(dir_ / "a.db") { db_.exec("CREATE TABLE t (x INTEGER)"); }

  void insert(int value) {
    auto statement = db_.cached("INSERT INTO t VALUES (?)");
    statement->bind(1, value);
    statement->step();
  }
  std::int64_t count() {
    auto statement = db_.cached("SELECT count(*) FROM t");
    statement->step();
    return statement->column_int64(0);
  }

  TempDir dir_;
  Database db_;
};

TEST_F(TransactionTest, CommitKeepsTheChanges) {
  Transaction transaction(db_);
  insert(1);
  insert(2);
  transaction.commit();
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(count(), 2);
}

TEST_F(TransactionTest, RollsBackWhenDestroyedWithoutCommit) {
  {
    Transaction transaction(db_);
    insert(1);
    EXPECT_TRUE(db_.in_transaction());
  }
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(count(), 0);
}

TEST_F(TransactionTest, RollsBackWhenAnExceptionLeavesTheScope) {
  try {
    Transaction transaction(db_);
    insert(1);
    throw std::runtime_error("work failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_EQ(count(), 0);
}

TEST_F(TransactionTest, ExplicitRollbackDiscardsTheChanges) {
  Transaction transaction(db_);
  insert(1);
  transaction.rollback();
  EXPECT_EQ(count(), 0);
  insert(2);  // outside any transaction now: autocommits
  EXPECT_EQ(count(), 1);
}

TEST_F(TransactionTest, CommittedWorkSurvivesReopening) {
  {
    Transaction transaction(db_);
    insert(1);
    transaction.commit();
  }
  Database reopened(dir_ / "a.db");
  auto statement = reopened.prepare("SELECT x FROM t");
  ASSERT_EQ(statement.step(), StepResult::Row);
  EXPECT_EQ(statement.column_int64(0), 1);
}

TEST_F(TransactionTest, ImmediateTransactionHoldsTheWriteLockFromBegin) {
  Database other(dir_ / "a.db", DatabaseOptions{.busy_timeout = std::chrono::milliseconds(20)});
  Transaction transaction(db_);
  try {
    Transaction competing(other);
    FAIL() << "a second IMMEDIATE transaction began while the first held the lock";
  } catch (const StoreError& error) {
    EXPECT_TRUE(error.is_busy()) << error.what();
  }
  transaction.commit();
  Transaction after(other);
  after.commit();
}

TEST_F(TransactionTest, DeferredTransactionLetsAnotherWriterIn) {
  Database other(dir_ / "a.db", DatabaseOptions{.busy_timeout = std::chrono::milliseconds(20)});
  Transaction reading(db_, TransactionMode::Deferred);
  EXPECT_EQ(count(), 0);
  Transaction writing(other);
  other.exec("INSERT INTO t VALUES (1)");
  writing.commit();
  // The reader's snapshot predates the write.
  EXPECT_EQ(count(), 0);
  reading.commit();
  EXPECT_EQ(count(), 1);
}

TEST_F(TransactionTest, RefusesToNest) {
  Transaction outer(db_);
  EXPECT_THROW(Transaction inner(db_), StoreError);
  insert(1);
  outer.commit();
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace sotto::store
