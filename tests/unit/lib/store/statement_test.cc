#include "lib/store/statement.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lib/store/database.h"
#include "lib/store/store_error.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using testing::TempDir;
using Blob = std::vector<std::uint8_t>;

class StatementTest : public ::testing::Test {
 protected:
  StatementTest() : db_(dir_ / "a.db") { db_.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n ANY) STRICT"); }

  TempDir dir_;
  Database db_;
};

TEST_F(StatementTest, BindsAndReadsEveryType) {
  auto insert = db_.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
  const Blob blob{0x00, 0xff, 0x10};
  insert.bind(1, std::int64_t{-9'000'000'000});
  insert.bind(2, 2.5);
  insert.bind(3, std::string_view("text"));
  insert.bind(4, blob);
  insert.bind(5, nullptr);
  EXPECT_EQ(insert.step(), StepResult::Done);

  auto select = db_.prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_count(), 5);
  EXPECT_EQ(select.column_int64(0), -9'000'000'000);
  EXPECT_EQ(select.column_double(1), 2.5);
  EXPECT_EQ(select.column_text(2), "text");
  EXPECT_EQ(select.column_blob(3), blob);
  EXPECT_TRUE(select.column_is_null(4));
  EXPECT_FALSE(select.column_is_null(0));
  EXPECT_EQ(select.step(), StepResult::Done);
}

TEST_F(StatementTest, OptionalBindsItsValueOrNull) {
  auto insert = db_.prepare("INSERT INTO t (i, s, b) VALUES (?, ?, ?)");
  insert.bind(1, std::optional<std::int64_t>(5));
  insert.bind(2, std::optional<std::string>());
  insert.bind(3, std::optional<Blob>(Blob{1}));
  insert.step();

  auto select = db_.prepare("SELECT i, s, b FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_optional_int64(0), 5);
  EXPECT_EQ(select.column_optional_text(1), std::nullopt);
  EXPECT_EQ(select.column_optional_blob(2), Blob{1});
}

TEST_F(StatementTest, EmptyTextAndEmptyBlobAreNotNull) {
  auto insert = db_.prepare("INSERT INTO t (s, b) VALUES (?, ?)");
  insert.bind(1, std::string_view());
  insert.bind(2, Blob());
  insert.step();

  auto select = db_.prepare("SELECT s IS NULL, b IS NULL, length(s), length(b) FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 0);
  EXPECT_EQ(select.column_int64(1), 0);
  EXPECT_EQ(select.column_int64(2), 0);
  EXPECT_EQ(select.column_int64(3), 0);
}

TEST_F(StatementTest, TextWithEmbeddedNulRoundTrips) {
  const std::string text("a\0b", 3);
  auto insert = db_.prepare("INSERT INTO t (s) VALUES (?)");
  insert.bind(1, text);
  insert.step();
  auto select = db_.prepare("SELECT s FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_text(0), text);
}

TEST_F(StatementTest, BoundValuesAreCopiedSoTheCallersBufferMayDie) {
  auto insert = db_.prepare("INSERT INTO t (s, b) VALUES (?, ?)");
  {
    std::string text(100, 'q');
    Blob blob(100, 0x5a);
    insert.bind(1, text);
    insert.bind(2, blob);
    text.assign(100, 'z');
    blob.assign(100, 0);
  }
  insert.step();
  auto select = db_.prepare("SELECT s, b FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_text(0), std::string(100, 'q'));
  EXPECT_EQ(select.column_blob(1), Blob(100, 0x5a));
}

TEST_F(StatementTest, BindsUnsignedAndSmallIntegers) {
  auto insert = db_.prepare("INSERT INTO t (i) VALUES (?)");
  insert.bind(1, std::uint64_t{std::numeric_limits<std::int64_t>::max()});
  insert.step();
  insert.reset();
  insert.bind(1, std::uint32_t{4'000'000'000});
  insert.step();
  insert.reset();
  insert.bind(1, true);
  insert.step();

  auto select = db_.prepare("SELECT i FROM t ORDER BY rowid");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), std::numeric_limits<std::int64_t>::max());
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 4'000'000'000);
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 1);
}

TEST_F(StatementTest, RefusesAnUnsignedValueAboveTheSignedRange) {
  auto insert = db_.prepare("INSERT INTO t (i) VALUES (?)");
  try {
    insert.bind(1, std::uint64_t{1} << 63);
    FAIL() << "2^63 was bound as a negative number";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_RANGE);
  }
}

TEST_F(StatementTest, ResetRerunsTheStatementWithBindingsCleared) {
  auto insert = db_.prepare("INSERT INTO t (i) VALUES (?)");
  insert.bind(1, 1);
  insert.step();
  insert.reset();
  insert.step();  // the binding was cleared: inserts NULL

  auto select = db_.prepare("SELECT i FROM t ORDER BY rowid");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 1);
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_TRUE(select.column_is_null(0));
  select.reset();
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 1);
}

TEST_F(StatementTest, PrepareErrorCarriesSqlitesMessageAndCode) {
  try {
    db_.prepare("SELEC i FROM t");
    FAIL() << "bad SQL was prepared";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_ERROR);
    EXPECT_NE(std::string(error.what()).find("syntax error"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("SELEC i FROM t"), std::string::npos) << error.what();
  }
}

TEST_F(StatementTest, PrepareErrorNamesAMissingTable) {
  try {
    db_.prepare("SELECT x FROM nowhere");
    FAIL() << "a query on a missing table was prepared";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("no such table: nowhere"), std::string::npos) << error.what();
  }
}

TEST_F(StatementTest, ConstraintErrorCarriesTheExtendedCodeButNeverTheBoundValue) {
  db_.exec("CREATE TABLE u (name TEXT UNIQUE)");
  auto insert = db_.prepare("INSERT INTO u VALUES (?)");
  insert.bind(1, "secret-value-1234");
  insert.step();
  insert.reset();
  insert.bind(1, "secret-value-1234");
  try {
    insert.step();
    FAIL() << "a duplicate was inserted";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_CONSTRAINT_UNIQUE);
    EXPECT_NE(std::string(error.what()).find("UNIQUE constraint failed: u.name"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("secret-value-1234"), std::string::npos) << error.what();
  }
}

TEST_F(StatementTest, BindingAnIndexOutOfRangeThrows) {
  auto insert = db_.prepare("INSERT INTO t (i) VALUES (?)");
  try {
    insert.bind(2, 1);
    FAIL() << "parameter 2 of a one-parameter statement was bound";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_RANGE);
    EXPECT_NE(std::string(error.what()).find("bind parameter 2"), std::string::npos) << error.what();
  }
}

TEST_F(StatementTest, RefusesSqlWithMoreThanOneStatement) {
  EXPECT_THROW(db_.prepare("INSERT INTO t (i) VALUES (1); DROP TABLE t"), StoreError);
  // Neither statement ran: the table is still there, and empty.
  auto select = db_.prepare("SELECT count(*) FROM t");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 0);
}

TEST_F(StatementTest, AcceptsATrailingSemicolon) {
  auto select = db_.prepare("SELECT count(*) FROM t;  \n");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_int64(0), 0);
}

TEST_F(StatementTest, RefusesEmptySql) { EXPECT_THROW(db_.prepare("  "), StoreError); }

TEST_F(StatementTest, StepErrorCarriesSqlitesMessage) {
  db_.exec("CREATE TABLE c (x INTEGER CHECK (x > 0))");
  auto insert = db_.prepare("INSERT INTO c VALUES (?)");
  insert.bind(1, -1);
  try {
    insert.step();
    FAIL() << "the CHECK constraint did not fire";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.extended_code(), SQLITE_CONSTRAINT_CHECK);
    EXPECT_NE(std::string(error.what()).find("CHECK constraint failed"), std::string::npos) << error.what();
  }
}

TEST_F(StatementTest, ExposesItsSql) {
  const auto select = db_.prepare("SELECT 1");
  EXPECT_EQ(select.sql(), "SELECT 1");
}

}  // namespace
}  // namespace sotto::store
