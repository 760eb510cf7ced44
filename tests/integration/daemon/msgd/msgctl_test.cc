// msgctl against real msgd processes: the commands a user types, their exit
// codes (0 ok, 1 failure, 2 usage, 3 daemon unreachable, 4 not delivered),
// and `watch` living through a msgd restart.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgctlTest : public MsgdTest {
 protected:
  void register_with_msgctl(const std::string& name, bool via_bus = false) {
    const auto r = user(name).msgctl({"register", name, "--password-stdin"}, std::string(kPassword) + "\n", via_bus);
    ASSERT_EQ(r.status, 0) << r.output;
  }
};

TEST_F(MsgctlTest, SendHistoryAndFingerprintOverSocketAndBus) {
  start_relayd();
  add_user("alice", /*with_bus=*/true);
  add_user("bob", /*with_bus=*/true);
  register_with_msgctl("alice", /*via_bus=*/true);
  register_with_msgctl("bob");

  auto sent = user("alice").msgctl({"send", "bob", "hi from msgctl", "--wait"}, {}, /*via_bus=*/true);
  ASSERT_EQ(sent.status, 0) << sent.output;

  auto history = user("bob").msgctl({"history", "alice"});
  ASSERT_EQ(history.status, 0) << history.output;
  EXPECT_NE(history.out.find("hi from msgctl"), std::string::npos) << history.out;

  auto as_json = user("bob").msgctl({"--json", "history", "alice"}, {}, /*via_bus=*/true);
  ASSERT_EQ(as_json.status, 0) << as_json.output;
  const json parsed = json::parse(as_json.out);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed.at(0).at("text"), "hi from msgctl");

  const json alice_number = json::parse(user("alice").msgctl({"--json", "fingerprint", "bob"}).out);
  const json bob_number = json::parse(user("bob").msgctl({"--json", "fingerprint", "alice"}).out);
  EXPECT_EQ(alice_number.at("safety_number"), bob_number.at("safety_number"));
  const auto human = user("alice").msgctl({"fingerprint", "bob"});
  EXPECT_NE(human.out.find(alice_number.at("safety_number").get<std::string>().substr(0, 5)), std::string::npos)
      << human.out;

  // Text from stdin.
  auto piped = user("alice").msgctl({"send", "bob", "-"}, "from a pipe\n");
  ASSERT_EQ(piped.status, 0) << piped.output;
  ASSERT_TRUE(eventually([&] { return user("bob").msgctl({"inbox"}).out.find("from a pipe") != std::string::npos; }));
}

// Groups as a user types them: create, send to @GROUP (over D-Bus and the
// socket), history showing who wrote in which group, members, remove.
TEST_F(MsgctlTest, GroupCommandsAgainstRealDaemons) {
  start_relayd();
  add_user("alice", /*with_bus=*/true);
  add_user("bob");
  add_user("carol");
  register_with_msgctl("alice", /*via_bus=*/true);
  register_with_msgctl("bob");
  register_with_msgctl("carol");

  const auto created = user("alice").msgctl({"group", "create", "ops", "bob", "carol"}, {}, /*via_bus=*/true);
  ASSERT_EQ(created.status, 0) << created.output;
  ASSERT_TRUE(eventually([&] { return user("bob").msgctl({"group", "list"}).out.find("ops") != std::string::npos; }));
  ASSERT_TRUE(eventually([&] { return user("carol").msgctl({"group", "list"}).out.find("ops") != std::string::npos; }));

  const auto sent = user("alice").msgctl({"send", "@ops", "deploy at noon", "--wait"}, {}, /*via_bus=*/true);
  ASSERT_EQ(sent.status, 0) << sent.output;
  ASSERT_EQ(user("bob").msgctl({"send", "@ops", "ack"}).status, 0);
  ASSERT_TRUE(eventually([&] {
    const auto h = user("carol").msgctl({"history", "@ops"});
    return h.out.find("deploy at noon") != std::string::npos && h.out.find("ack") != std::string::npos;
  }));
  const auto history = user("carol").msgctl({"history", "@ops"});
  EXPECT_NE(history.out.find("alice in #ops"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("bob in #ops"), std::string::npos) << history.out;

  const json members = json::parse(user("bob").msgctl({"--json", "group", "members", "ops"}).out);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members.at(0).at("username"), "alice");
  EXPECT_TRUE(members.at(0).at("admin").get<bool>());

  // bob is not an admin: exit 1 with msgd's reason; the group is unchanged.
  const auto refused = user("bob").msgctl({"group", "remove", "ops", "carol"});
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("admin"), std::string::npos) << refused.output;
  // A name msgctl refuses before asking msgd: exit 2.
  EXPECT_EQ(user("alice").msgctl({"group", "create", "#bad"}).status, 2);

  ASSERT_EQ(user("alice").msgctl({"group", "remove", "ops", "carol"}).status, 0);
  ASSERT_TRUE(eventually([&] {
    return json::parse(user("carol").msgctl({"--json", "group", "list"}).out).at(0).at("status") == "removed";
  }));
  const auto broadcast = user("alice").msgctl({"--json", "broadcast", "to each of you"});
  ASSERT_EQ(broadcast.status, 0) << broadcast.output;
  EXPECT_EQ(json::parse(broadcast.out).at("count"), 2);
}

TEST_F(MsgctlTest, ExitCodes) {
  start_relayd();
  add_user("alice");
  add_user("bob");
  // 1: msgd answered with an error (no account yet).
  auto failure = user("alice").msgctl({"send", "bob", "x"});
  EXPECT_EQ(failure.status, 1) << failure.output;
  EXPECT_NE(failure.output.find("NotLoggedIn"), std::string::npos) << failure.output;
  register_with_msgctl("alice");
  register_with_msgctl("bob");
  // 0.
  EXPECT_EQ(user("alice").msgctl({"status"}).status, 0);
  // 2: usage.
  EXPECT_EQ(user("alice").msgctl({"sendd", "bob", "x"}).status, 2);
  EXPECT_EQ(user("alice").msgctl({"send", "bob"}).status, 2);
  EXPECT_EQ(user("alice").msgctl({"history", "alice", "--limit", "many"}).status, 2);
  // 4: not delivered in time (bob is offline).
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());
  auto waited = user("alice").msgctl({"send", "bob", "are you there?", "--wait", "--wait-timeout", "1"});
  EXPECT_EQ(waited.status, 4) << waited.output;
  // 3: no daemon.
  auto unreachable = user("bob").msgctl({"status"});
  EXPECT_EQ(unreachable.status, 3) << unreachable.output;
  EXPECT_NE(unreachable.output.find("msgd is not running"), std::string::npos) << unreachable.output;
  // The message sent while bob was away arrives once he is back.
  user("bob").start();
  ASSERT_TRUE(
      eventually([&] { return user("bob").msgctl({"inbox"}).out.find("are you there?") != std::string::npos; }));
}

TEST_F(MsgctlTest, WatchSurvivesMsgdRestart) {
  start_relayd();
  add_user("alice");
  add_user("bob");
  register_with_msgctl("alice");
  register_with_msgctl("bob");
  ChildProcess watch;
  watch.spawn(
      {MsgdProcess::msgctl_binary().string(), "--socket", user("bob").socket_path().string(), "--json", "watch"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // subscribed
  call("alice", "send", {{"peer", "bob"}, {"text", "before the restart"}});
  ASSERT_TRUE(watch.wait_for_output("before the restart", std::chrono::seconds(20))) << watch.output();

  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());
  user("bob").start();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // watch reconnects with backoff
  call("alice", "send", {{"peer", "bob"}, {"text", "after the restart"}});
  ASSERT_TRUE(watch.wait_for_output("after the restart", std::chrono::seconds(30))) << watch.output();
  const auto status = watch.terminate_within(std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "Ctrl-C/SIGTERM ends watch cleanly";
}

// Files as a person sends them: a progress bar on a terminal (run under
// script(1), which gives msgctl a pseudo-terminal), none when piped, JSON
// lines with --json, then bob lists and saves the file.
TEST_F(MsgctlTest, SendFileShowsProgressOnATerminalOnlyAndBobSavesIt) {
  start_relayd();
  add_user("alice", /*with_bus=*/true);
  add_user("bob");
  register_with_msgctl("alice");
  register_with_msgctl("bob");
  const auto file = dir_ / "report.pdf";
  {
    std::ofstream out(file, std::ios::binary);
    for (int i = 0; i < (3 << 20) / 16; ++i) out << "0123456789abcdef";
  }

  // Piped: the result, no bar (no carriage returns).
  const auto piped = user("alice").msgctl({"send-file", "bob", file.string(), "--caption", "the report", "--wait"});
  ASSERT_EQ(piped.status, 0) << piped.output;
  EXPECT_EQ(piped.out.find('\r'), std::string::npos) << piped.out;

  // On a terminal: the bar redraws in place, then the summary line.
  const std::string command = MsgdProcess::msgctl_binary().string() + " --socket " +
                              user("alice").socket_path().string() + " send-file bob " + file.string();
  const auto tty = run_program({"/usr/bin/script", "-q", "-e", "-c", command, "/dev/null"});
  ASSERT_EQ(tty.status, 0) << tty.output;
  EXPECT_NE(tty.out.find('\r'), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("3.1 MB"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("uploaded"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("report.pdf"), std::string::npos) << tty.out;

  // --json over D-Bus: one JSON object a line, progress first, the result last.
  const auto lines = user("alice").msgctl({"--json", "send-file", "bob", file.string()}, {}, /*via_bus=*/true);
  ASSERT_EQ(lines.status, 0) << lines.output;
  std::istringstream stream(lines.out);
  std::vector<json> objects;
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) objects.push_back(json::parse(line));
  }
  ASSERT_GE(objects.size(), 2u) << lines.out;
  EXPECT_EQ(objects.back().at("state"), "uploaded") << lines.out;

  // bob: three files in `files`, the captioned one in history, saved twice
  // without overwriting.
  ASSERT_TRUE(eventually([&] {
    const auto listed = user("bob").msgctl({"--json", "files", "alice"});
    return listed.status == 0 && json::parse(listed.out).size() == 3 &&
           json::parse(listed.out).at(0).at("state") == "downloaded";
  }));
  const json files = json::parse(user("bob").msgctl({"--json", "files"}).out);
  const std::string id = files.at(0).at("id");
  const auto history = user("bob").msgctl({"history", "alice"});
  EXPECT_NE(history.out.find("report.pdf"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("the report"), std::string::npos) << history.out;
  const auto out_dir = dir_ / "bob-saves";
  std::filesystem::create_directories(out_dir);
  const auto first = user("bob").msgctl({"save", id, "--output", out_dir.string()});
  ASSERT_EQ(first.status, 0) << first.output;
  const auto second = user("bob").msgctl({"save", id, "--output", out_dir.string()});
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_TRUE(std::filesystem::exists(out_dir / "report.pdf"));
  EXPECT_TRUE(std::filesystem::exists(out_dir / "report (1).pdf"));
  EXPECT_EQ(std::filesystem::file_size(out_dir / "report (1).pdf"), std::filesystem::file_size(file));

  // Usage errors are caught before msgd is asked; a finished transfer cannot be cancelled.
  EXPECT_EQ(user("alice").msgctl({"send-file", "bob", (dir_ / "missing").string()}).status, 2);
  EXPECT_EQ(user("alice").msgctl({"send-file", "bob", dir_.string()}).status, 2);
  EXPECT_EQ(user("bob").msgctl({"cancel", id}).status, 1);
}

}  // namespace
}  // namespace sotto::testing
