// The relayd command line: check-config, cert-fingerprint, user and invite
// administration, --version and --help.

#include <fstream>
#include <regex>

#include "tests/integration/relayd/relayd_fixture.h"

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
