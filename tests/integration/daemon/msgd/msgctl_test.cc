// msgctl against real msgd processes: the commands a user types, their exit
// codes (0 ok, 1 failure, 2 usage, 3 daemon unreachable, 4 not delivered),
// and `watch` living through a msgd restart.
#include <gtest/gtest.h>
#include <sys/wait.h>

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

}  // namespace
}  // namespace sotto::testing
