#include "lib/store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "lib/store/database.h"
#include "lib/store/transaction.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace wal_checkpointer_test {

using namespace std::chrono_literals;
using sotto::testing::TempDir;

constexpr std::uintmax_t kFrameBytes = 4096 + 24;  // default page size plus the WAL frame header

// One transaction of `rows` rows of 1 KiB each: about rows / 4 pages.
void commit_rows(Database& db, int first, int rows) {
  Transaction transaction(db);
  auto insert = db.cached("INSERT INTO t (id, body) VALUES (?, randomblob(1000))");
  for (int i = 0; i < rows; ++i) {
    insert->bind(1, first + i);
    insert->step();
    insert->reset();
  }
  transaction.commit();
}

// `commits` transactions of 100 rows, each followed by `pause`, like a group
// commit's writer between batches.
void commit_with_pauses(Database& db, int commits, std::chrono::milliseconds pause) {
  for (int i = 0; i < commits; ++i) {
    commit_rows(db, i * 100, 100);
    std::this_thread::sleep_for(pause);
  }
}

std::int64_t count_rows(Database& db) {
  auto count = db.prepare("SELECT count(*) FROM t");
  EXPECT_EQ(count.step(), StepResult::Row);
  return count.column_int64(0);
}

class WalCheckpointerTest : public ::testing::Test {
 protected:
  WalCheckpointerTest() : path_(dir_ / "db"), db_(path_, DatabaseOptions{.sync_on_commit = false}) {
    db_.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  }

  std::uintmax_t wal_bytes() const { return std::filesystem::file_size(path_.string() + "-wal"); }

  TempDir dir_;
  std::filesystem::path path_;
  Database db_;
};

TEST_F(WalCheckpointerTest, ItsThreadCopiesTheWalSoTheWriterNeverHasTo) {
  WalCheckpointer checkpointer(path_, 50, 100'000);
  checkpointer.watch(db_);
  // About 5,000 pages in commits of 25, with pauses long enough for a
  // checkpoint to finish between two commits, so that the WAL can start over.
  commit_with_pauses(db_, 200, 10ms);
  EXPECT_GE(checkpointer.background_checkpoints(), 1u);
  EXPECT_EQ(checkpointer.inline_checkpoints(), 0u);
  // Without checkpoints the WAL would hold every page written (over 20 MB);
  // with them it started over well before the hard limit was near.
  EXPECT_LT(wal_bytes(), 2'000 * kFrameBytes);
  checkpointer.unwatch(db_);
  EXPECT_EQ(count_rows(db_), 20'000);
}

TEST_F(WalCheckpointerTest, AWriterThatNeverPausesIsBoundedByTheHardLimit) {
  // The soft limit is out of reach, so only the inline checkpoint at the hard
  // limit keeps the WAL from growing without end.
  WalCheckpointer checkpointer(path_, 1'000'000, 200);
  checkpointer.watch(db_);
  for (int i = 0; i < 100; ++i) commit_rows(db_, i * 100, 100);
  EXPECT_GE(checkpointer.inline_checkpoints(), 1u);
  EXPECT_EQ(checkpointer.background_checkpoints(), 0u);
  // The hard limit plus one commit (about 25 pages), not the 2,500 written.
  EXPECT_LT(wal_bytes(), 300 * kFrameBytes);
  checkpointer.unwatch(db_);
}

TEST_F(WalCheckpointerTest, WhatWasCommittedIsInTheMainFileAfterACheckpoint) {
  {
    WalCheckpointer checkpointer(path_, 10, 100'000);
    checkpointer.watch(db_);
    commit_with_pauses(db_, 20, 1ms);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (checkpointer.background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_GE(checkpointer.background_checkpoints(), 1u);
    checkpointer.unwatch(db_);
  }
  // A second connection sees every row, whether from the WAL or the file,
  // and the database is whole.
  Database other(path_);
  EXPECT_EQ(count_rows(other), 2'000);
  auto check = other.prepare("PRAGMA integrity_check");
  ASSERT_EQ(check.step(), StepResult::Row);
  EXPECT_EQ(check.column_text(0), "ok");
}

TEST_F(WalCheckpointerTest, UnwatchedConnectionsCommitAsBeforeOnceItIsGone) {
  {
    WalCheckpointer checkpointer(path_, 10, 20);
    checkpointer.watch(db_);
    commit_rows(db_, 0, 100);
    checkpointer.unwatch(db_);
  }
  // The hook pointed at the destroyed object; SQLite's own checkpoint is back.
  for (int i = 1; i < 20; ++i) commit_rows(db_, i * 100, 100);
  EXPECT_EQ(count_rows(db_), 2'000);
}

TEST(WalCheckpointer, RefusesLimitsThatMakeNoSense) {
  TempDir dir;
  Database db(dir / "db");
  EXPECT_THROW(WalCheckpointer(dir / "db", 0, 10), std::invalid_argument);
  EXPECT_THROW(WalCheckpointer(dir / "db", 10, -5), std::invalid_argument);
}

}  // namespace wal_checkpointer_test
}  // namespace sotto::store
