// The relayd command line: check-config, cert-fingerprint, user and invite
// administration, --version and --help.

#include <fstream>
#include <regex>

#include "tests/integration/relayd/relayd_fixture.h"
#include "tests/support/file_mode.h"

namespace sotto::testing {
namespace {

using CliTest = RelaydTest;

TEST_F(CliTest, CheckConfigAcceptsTheShippedExample) {
  const auto r = run_relayd_command({"check-config", SOTTO_SOURCE_DIR "/config/relayd.yaml"});
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(CliTest, CheckConfigNamesFileLineAndColumnOfAnUnknownKey) {
  const auto path = dir_ / "bad.yaml";
  std::ofstream(path) << "limits:\n  auth_timeout: 10s\n  max_frame_sise: 1MiB\n";
  const auto r = run_relayd_command({"check-config", path.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(path.string() + ":3:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("max_frame_sise"), std::string::npos) << r.output;
}

TEST_F(CliTest, CheckConfigRejectsInvalidYaml) {
  const auto path = dir_ / "broken.yaml";
  std::ofstream(path) << "limits: [unclosed\n";
  const auto r = run_relayd_command({"check-config", path.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(path.string() + ":"), std::string::npos) << r.output;
}

// config/relayd.yaml's header and the man page give both forms; each must
// check the file it names, and only that file.
TEST_F(CliTest, CheckConfigTakesTheFileAsConfigOption) {
  const std::string shipped = SOTTO_SOURCE_DIR "/config/relayd.yaml";
  const auto r = run_relayd_command({"check-config", "--config", shipped});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, shipped + ": ok\n");
  // Global options may come before the command too, as for every command.
  const auto before = run_relayd_command({"--config", shipped, "check-config"});
  EXPECT_EQ(before.status, 0) << before.output;
  EXPECT_EQ(before.output, shipped + ": ok\n");
}

TEST_F(CliTest, CheckConfigOptionFormNamesFileLineAndColumnOfAnError) {
  const auto path = dir_ / "bad.yaml";
  std::ofstream(path) << "limits:\n  auth_timeout: 10s\n  max_frame_sise: 1MiB\n";
  const auto r = run_relayd_command({"check-config", "--config", path.string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(path.string() + ":3:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("max_frame_sise"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(": ok"), std::string::npos) << r.output;
}

TEST_F(CliTest, CheckConfigWithTheFileGivenTwiceIsAUsageError) {
  const std::string shipped = SOTTO_SOURCE_DIR "/config/relayd.yaml";
  // Even two names for the same valid file: the command line is ambiguous.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"check-config", shipped, "--config", shipped},
           {"check-config", "--config", shipped, shipped},
           {"--config", shipped, "check-config", shipped},
           {"--config", shipped, "check-config", "--config", shipped},
           {"check-config", "--config", shipped, "--config", shipped},
       }) {
    const auto r = run_relayd_command(args);
    EXPECT_EQ(r.status, 2) << args.size() << " arguments: " << r.output;
    EXPECT_EQ(r.output.find(": ok"), std::string::npos) << r.output;
  }
  const auto r = run_relayd_command({"check-config", shipped, "--config", shipped});
  EXPECT_NE(r.output.find("check-config: the file is given more than once"), std::string::npos) << r.output;
}

TEST_F(CliTest, CheckConfigWithoutAFileIsAUsageError) {
  // No silent fallback to /etc/sotto/relayd.yaml: the operator named nothing.
  const auto r = run_relayd_command({"check-config"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("check-config: no file to check"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--config FILE"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(": ok"), std::string::npos) << r.output;
}

TEST_F(CliTest, RelaydRefusesToStartWithABadConfig) {
  const auto path = dir_ / "bad.yaml";
  std::ofstream(path) << "presence: sometimes\n";
  const auto r = run_relayd_command({"--config", path.string(), "--state-dir", (dir_ / "s").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(path.string() + ":1:"), std::string::npos) << r.output;
}

TEST_F(CliTest, CertFingerprintMatchesWhatClientsSee) {
  auto& relay = start_relayd();
  const auto r = run_relayd_command(
      {"cert-fingerprint", "--config", relay.config_path().string(), "--state-dir", relay.state_dir().string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("^sha256:[0-9a-f]{64}\n"))) << r.output;
  // The printed pin is the certificate clients really get in the handshake.
  auto client = connect();
  EXPECT_EQ(r.output, client->peer_fingerprint() + "\n");
}

TEST_F(CliTest, UserAdministration) {
  auto& relay = start_relayd();
  connect_as("alice");
  const std::vector<std::string> where{"--config", relay.config_path().string(), "--state-dir",
                                       relay.state_dir().string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return args;
  };
  const auto added = run_relayd_command(with({"user", "add", "bob", "--password-stdin"}), "bobs password\n");
  ASSERT_EQ(added.status, 0) << added.output;
  const auto list = run_relayd_command(with({"user", "list"}));
  ASSERT_EQ(list.status, 0) << list.output;
  EXPECT_NE(list.output.find("alice"), std::string::npos);
  EXPECT_NE(list.output.find("bob"), std::string::npos);
  EXPECT_EQ(run_relayd_command(with({"user", "add", "bob", "--password-stdin"}), "another password\n").status, 1);
  EXPECT_EQ(run_relayd_command(with({"user", "add", "../etc", "--password-stdin"}), "long password\n").status, 2);
  EXPECT_EQ(run_relayd_command(with({"user", "remove", "bob"})).status, 0);
  EXPECT_EQ(run_relayd_command(with({"user", "list"})).output.find("bob"), std::string::npos);
}

// export-store / import-store between two SQLite state folders: what a move
// to PostgreSQL does (ClusterTest covers that one), with its refusals.
TEST_F(CliTest, ExportAndImportMoveARelayAndRefuseWhatWouldLoseData) {
  auto& relay = start_relayd();
  connect_as("alice");
  connect_as("bob");
  EXPECT_EQ(relay.terminate(), 0);
  const auto old_state = relay.state_dir().string();
  const auto new_state = (dir_ / "moved").string();
  const auto dump = (dir_ / "relay.dump").string();
  const std::string config = relay.config_path().string();

  const auto exported = run_relayd_command({"--config", config, "--state-dir", old_state, "export-store", dump});
  ASSERT_EQ(exported.status, 0) << exported.output;
  EXPECT_EQ(file_mode(dump), 0600u);
  // Never over an existing file (an old dump, or something else entirely).
  const auto again = run_relayd_command({"--config", config, "--state-dir", old_state, "export-store", dump});
  EXPECT_EQ(again.status, 1) << again.output;

  // A damaged dump is refused and the new store stays empty.
  const auto damaged = (dir_ / "damaged.dump").string();
  std::filesystem::copy_file(dump, damaged);
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(damaged) / 2));
    f.put('\x7f');
  }
  const auto refused = run_relayd_command({"--config", config, "--state-dir", new_state, "import-store", damaged});
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_EQ(run_relayd_command({"--config", config, "--state-dir", new_state, "user", "list"}).output, "");

  const auto imported = run_relayd_command({"--config", config, "--state-dir", new_state, "import-store", dump});
  ASSERT_EQ(imported.status, 0) << imported.output;
  EXPECT_NE(imported.output.find("users=2"), std::string::npos) << imported.output;
  const auto list = run_relayd_command({"--config", config, "--state-dir", new_state, "user", "list"});
  EXPECT_NE(list.output.find("alice"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("bob"), std::string::npos) << list.output;
  // A second import would mix two relays: refused.
  EXPECT_EQ(run_relayd_command({"--config", config, "--state-dir", new_state, "import-store", dump}).status, 1);
}

TEST_F(CliTest, StoreOptionIsCheckedLikeTheFileAndMigrateReportsTheSchema) {
  const auto config = dir_ / "relayd.yaml";
  std::ofstream(config) << "";
  const std::string state = (dir_ / "s").string();
  const auto migrated = run_relayd_command({"--config", config.string(), "--state-dir", state, "migrate"});
  EXPECT_EQ(migrated.status, 0) << migrated.output;
  EXPECT_NE(migrated.output.find("is current"), std::string::npos) << migrated.output;
  const auto with_password = run_relayd_command(
      {"--config", config.string(), "--state-dir", state, "--store", "postgresql://relayd:secret@db/sotto", "migrate"});
  EXPECT_EQ(with_password.status, 2);
  EXPECT_NE(with_password.output.find("holds a password"), std::string::npos) << with_password.output;
  EXPECT_EQ(with_password.output.find("secret"), std::string::npos) << with_password.output;
  EXPECT_EQ(run_relayd_command({"--config", config.string(), "--store", "mysql://db", "migrate"}).status, 2);
  // PostgreSQL that is not there: a clear failure, exit 1, no password to leak.
  const auto unreachable = run_relayd_command(
      {"--config", config.string(), "--store", "postgresql:///sotto?host=" + (dir_ / "nowhere").string(), "migrate"});
  EXPECT_EQ(unreachable.status, 1) << unreachable.output;
  EXPECT_NE(unreachable.output.find("relayd: "), std::string::npos) << unreachable.output;
}

TEST_F(CliTest, VersionAndHelp) {
  const auto v = run_relayd_command({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.output.find("relayd "), std::string::npos);
  const auto h = run_relayd_command({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.output.find("check-config"), std::string::npos);
  EXPECT_NE(h.output.find("FILE or --config FILE"), std::string::npos) << h.output;
  EXPECT_EQ(run_relayd_command({"--no-such-flag"}).status, 2);
}

}  // namespace
}  // namespace sotto::testing
