#include "lib/store/migrations.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "lib/store/store_error.h"
#include "tests/support/temp_dir.h"

namespace sotto::store {
namespace {

using testing::TempDir;

constexpr std::array<Migration, 2> kTwoSteps{{
    {"create notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"},
    {"add tags",
     "CREATE TABLE tags (note INTEGER REFERENCES notes(id), tag TEXT); CREATE INDEX tags_by_note ON tags(note);"},
}};

bool table_exists(Database& db, std::string_view name) {
  auto statement = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?");
  statement.bind(1, name);
  statement.step();
  return statement.column_int64(0) == 1;
}

TEST(Migrations, ANewFileIsAtVersionZero) {
  const TempDir dir;
  Database db(dir / "a.db");
  EXPECT_EQ(schema_version(db), 0);
}

TEST(Migrations, AppliesEveryStepToAnEmptyFile) {
  const TempDir dir;
  Database db(dir / "a.db");
  EXPECT_EQ(migrate(db, kTwoSteps), 2);
  EXPECT_EQ(schema_version(db), 2);
  EXPECT_TRUE(table_exists(db, "notes"));
  EXPECT_TRUE(table_exists(db, "tags"));
  EXPECT_FALSE(db.in_transaction());
}

TEST(Migrations, ReopeningAppliesOnlyTheNewStepsAndKeepsData) {
  const TempDir dir;
  {
    Database db(dir / "a.db");
    EXPECT_EQ(migrate(db, std::span(kTwoSteps).first(1)), 1);
    EXPECT_FALSE(table_exists(db, "tags"));
    db.exec("INSERT INTO notes (body) VALUES ('kept')");
  }
  Database db(dir / "a.db");
  EXPECT_EQ(migrate(db, kTwoSteps), 2);
  EXPECT_TRUE(table_exists(db, "tags"));
  auto select = db.prepare("SELECT body FROM notes");
  ASSERT_EQ(select.step(), StepResult::Row);
  EXPECT_EQ(select.column_text(0), "kept");
}

TEST(Migrations, RunningTwiceChangesNothing) {
  const TempDir dir;
  Database db(dir / "a.db");
  migrate(db, kTwoSteps);
  db.exec("INSERT INTO notes (body) VALUES ('x')");
  EXPECT_EQ(migrate(db, kTwoSteps), 2);
  auto count = db.prepare("SELECT count(*) FROM notes");
  count.step();
  EXPECT_EQ(count.column_int64(0), 1);
}

TEST(Migrations, RefusesADatabaseFromANewerProgram) {
  const TempDir dir;
  {
    Database db(dir / "a.db");
    migrate(db, kTwoSteps);
  }
  Database db(dir / "a.db");
  try {
    migrate(db, std::span(kTwoSteps).first(1));
    FAIL() << "a version-2 file was opened by version-1 code";
  } catch (const NewerSchemaError& error) {
    EXPECT_EQ(error.found_version(), 2);
    EXPECT_EQ(error.supported_version(), 1);
    EXPECT_NE(std::string(error.what()).find("schema version 2 is newer"), std::string::npos) << error.what();
  }
  EXPECT_EQ(schema_version(db), 2);
  EXPECT_FALSE(db.in_transaction());
}

TEST(Migrations, AFailedStepLeavesTheFileAtThePreviousVersion) {
  constexpr std::array<Migration, 2> broken{{
      kTwoSteps[0],
      {"half broken", "CREATE TABLE half (x INTEGER); CREATE TABLE notes (again INTEGER);"},
  }};
  const TempDir dir;
  Database db(dir / "a.db");
  try {
    migrate(db, broken);
    FAIL() << "a failing step was reported as applied";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 2 (half broken)"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("table notes already exists"), std::string::npos) << error.what();
  }
  EXPECT_EQ(schema_version(db), 1);
  EXPECT_FALSE(table_exists(db, "half"));  // the step's first statement was rolled back too
  EXPECT_FALSE(db.in_transaction());
}

}  // namespace
}  // namespace sotto::store
