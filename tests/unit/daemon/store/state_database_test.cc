#include "daemon/store/state_database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "daemon/store/account_store.h"
#include "daemon/store/message_store.h"
#include "daemon/store/state_schema.h"
#include "daemon/store/transfer_store.h"
#include "lib/store/migrations.h"
#include "lib/store/store_error.h"
#include "tests/support/file_mode.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

using sotto::testing::file_mode;

std::string open_error(const fs::path& data_dir) {
  try {
    StateDatabase state(data_dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(MsgdStoreStateDatabase, CreatesStateDbWithOwnerOnlyModesAndTheCurrentSchema) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore(state.db()).set_int("k", 1);  // a write, so the WAL exists

  const fs::path db_path = dir.path() / "state.db";
  EXPECT_EQ(state.db().path(), db_path);
  EXPECT_EQ(file_mode(db_path), 0600u);
  int sidecars = 0;
  for (const char* suffix : {"-wal", "-shm"}) {
    const fs::path sidecar = db_path.string() + suffix;
    if (!fs::exists(sidecar)) continue;
    ++sidecars;
    EXPECT_EQ(file_mode(sidecar), 0600u) << sidecar;
  }
  EXPECT_EQ(sidecars, 2) << "WAL mode keeps -wal and -shm next to an open database";
  EXPECT_EQ(store::schema_version(state.db()), static_cast<int>(state_migrations().size()));
  EXPECT_EQ(store::schema_version(state.db()), 3);
}

// A data dir from before files (version 1) is upgraded in place: its history
// stays, as text messages, and the file tables appear.
TEST(MsgdStoreStateDatabase, UpgradesAVersionOneFileInPlace) {
  TempDir dir;
  {
    store::Database old(dir.path() / "state.db");
    store::migrate(old, state_migrations().first(1));
    old.exec(
        "INSERT INTO messages (id, peer, direction, sender, text, sent_at_ms, received_at_ms, state, identity_warning)"
        " VALUES ('0123456789abcdef0123456789abcdef', 'bob', 'in', 'bob', 'from before', 1, 2, 'unread', 0)");
  }
  StateDatabase state(dir.path());
  EXPECT_EQ(store::schema_version(state.db()), 3);
  const auto history = MessageStore(state.db()).history("bob", 10, std::nullopt);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].text, "from before");
  EXPECT_EQ(history[0].kind, MessageKind::kText);
  EXPECT_TRUE(TransferStore(state.db()).list("").empty());
}

TEST(MsgdStoreStateDatabase, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    AccountStore(state.db()).set_username("alice");
  }
  StateDatabase state(dir.path());
  EXPECT_EQ(AccountStore(state.db()).username(), "alice");
  EXPECT_EQ(store::schema_version(state.db()), 3);
}

TEST(MsgdStoreStateDatabase, TurnsOnSecureDelete) {
  TempDir dir;
  StateDatabase state(dir.path());
  auto pragma = state.db().prepare("PRAGMA secure_delete");
  ASSERT_EQ(pragma.step(), store::StepResult::Row);
  EXPECT_EQ(pragma.column_int64(0), 1);
}

TEST(MsgdStoreStateDatabase, RefusesADataDirOthersCanRead) {
  TempDir dir;
  for (const fs::perms mode : {fs::perms(0755), fs::perms(0750), fs::perms(0701), fs::perms(0707)}) {
    fs::permissions(dir.path(), mode);
    const std::string error = open_error(dir.path());
    EXPECT_NE(error.find("mode"), std::string::npos) << error;
    EXPECT_NE(error.find("chmod 700"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(dir.path() / "state.db")) << "nothing may be created in a refused directory";
  }
  fs::permissions(dir.path(), fs::perms(0700));
  EXPECT_NO_THROW(StateDatabase state(dir.path()));
}

TEST(MsgdStoreStateDatabase, RefusesAMissingDirAndAFile) {
  TempDir dir;
  EXPECT_NE(open_error(dir.path() / "missing").find("No such file"), std::string::npos);
  const fs::path file = dir.path() / "plain";
  std::ofstream(file) << "x";
  fs::permissions(file, fs::perms(0600));
  EXPECT_NE(open_error(file).find("not a directory"), std::string::npos);
}

TEST(MsgdStoreStateDatabase, RefusesAFileFromANewerMsgd) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    state.db().exec("PRAGMA user_version = 4");
  }
  EXPECT_THROW(StateDatabase state(dir.path()), store::NewerSchemaError);
}

TEST(MsgdStoreStateDatabase, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  {
    std::ofstream junk(dir.path() / "state.db", std::ios::binary);
    junk << std::string(8192, 'j');
  }
  fs::permissions(dir.path() / "state.db", fs::perms(0600));
  EXPECT_THROW(StateDatabase state(dir.path()), store::StoreError);
}

}  // namespace
}  // namespace sotto::msgd
