#include "daemon/store/state_database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "daemon/store/account_store.h"
#include "daemon/store/group_store.h"
#include "daemon/store/message_store.h"
#include "daemon/store/outbox.h"
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
  EXPECT_EQ(store::schema_version(state.db()), 4);
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
  EXPECT_EQ(store::schema_version(state.db()), 4);
  const auto history = MessageStore(state.db()).history("bob", 10, std::nullopt);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].text, "from before");
  EXPECT_EQ(history[0].kind, MessageKind::kText);
  EXPECT_TRUE(TransferStore(state.db()).list("").empty());
}

// A data dir from before groups (version 3): its history and the outbox
// (sealed and unsealed entries) stay, and the group tables appear.
TEST(MsgdStoreStateDatabase, UpgradesAVersionThreeFileInPlace) {
  TempDir dir;
  {
    store::Database old(dir.path() / "state.db");
    store::migrate(old, state_migrations().first(3));
    old.exec(
        "INSERT INTO messages (id, peer, direction, sender, text, sent_at_ms, received_at_ms, state, identity_warning)"
        " VALUES ('0123456789abcdef0123456789abcdef', 'bob', 'out', 'alice', 'before groups', 1, 2, 'queued', 0)");
    old.exec(
        "INSERT INTO outbox (message_id, peer, kind, envelope) VALUES"
        " ('0123456789abcdef0123456789abcdef', 'bob', 'text', x'0102'),"
        " ('00000000000000000000000000000002', 'carol', 'receipt', NULL)");
  }
  StateDatabase state(dir.path());
  EXPECT_EQ(store::schema_version(state.db()), 4);
  const auto history = MessageStore(state.db()).history("bob", 10, std::nullopt);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].text, "before groups");

  Outbox outbox(state.db());
  const auto pending = outbox.pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].envelope, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_TRUE(pending[0].recipients.empty());
  EXPECT_FALSE(pending[1].envelope.has_value());
  EXPECT_TRUE(outbox.has_unsealed("carol"));
  EXPECT_FALSE(outbox.has_unsealed("bob"));

  GroupStore groups(state.db());
  EXPECT_TRUE(groups.all().empty());
  GroupRow row;
  row.id = "00000000000000000000000000000007";
  row.name = "new";
  row.state = {1};
  row.state_hash = std::vector<std::uint8_t>(32, 9);
  groups.save(row);
  EXPECT_EQ(groups.count_member_of(), 1u);
}

// Outbox::has_unsealed runs on every message sent: it must use the partial
// index, not scan an outbox that a long offline spell filled.
TEST(MsgdStoreStateDatabase, UnsealedOutboxLookupUsesItsIndex) {
  TempDir dir;
  StateDatabase state(dir.path());
  auto plan = state.db().prepare("EXPLAIN QUERY PLAN SELECT 1 FROM outbox WHERE peer = ? AND envelope IS NULL LIMIT 1");
  plan.bind(1, std::string_view("bob"));
  std::string details;
  while (plan.step() == store::StepResult::Row) details += plan.column_text(3) + "\n";
  EXPECT_NE(details.find("outbox_unsealed"), std::string::npos) << details;
}

TEST(MsgdStoreStateDatabase, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    AccountStore(state.db()).set_username("alice");
  }
  StateDatabase state(dir.path());
  EXPECT_EQ(AccountStore(state.db()).username(), "alice");
  EXPECT_EQ(store::schema_version(state.db()), 4);
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
    state.db().exec("PRAGMA user_version = 5");
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
