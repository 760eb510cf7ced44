// A revoked token ends the connections it authenticated, within a second,
// however it was revoked: `relayd user revoke` and `passwd` and `remove`
// (other processes, which reach the running relay only through the
// database's revocation log), and Logout on another connection.

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using RevocationTest = RelaydTest;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// The promise in docs/security.md.
constexpr auto kRevocationDeadline = std::chrono::seconds(1);

struct Cut {
  bool told_unauthenticated = false;  // an Error UNAUTHENTICATED came first
  bool closed = false;
};

// Reads until the relay closes the connection or the deadline passes.
Cut wait_for_cut(RelayTestClient& client, SteadyClock::time_point deadline) {
  Cut cut;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) break;
    const auto frame = client.read_frame(left);
    if (!frame) break;  // closed, or out of time
    if (frame->request_id() == 0 && frame->body_case() == wire::Frame::kError &&
        frame->error().code() == wire::UNAUTHENTICATED) {
      cut.told_unauthenticated = true;
    }
  }
  cut.closed = client.wait_closed(milliseconds(0));
  return cut;
}

bool still_answers(RelayTestClient& client) {
  wire::Frame ping;
  ping.mutable_ping();
  try {
    return client.request(ping).body_case() == wire::Frame::kPong;
  } catch (const std::exception&) {
    return false;
  }
}

class LiveRevocationTest : public RevocationTest {
 protected:
  CommandResult admin(std::vector<std::string> args, const std::string& stdin_text = {}) {
    for (const std::string& a : {std::string("--config"), relayd().config_path().string(), std::string("--state-dir"),
                                 relayd().state_dir().string()}) {
      args.push_back(a);
    }
    return run_relayd_command(args, stdin_text);
  }

  // alice on two connections (a login and a resume of its token), bob on one.
  void connect_everyone() {
    start_relayd();
    alice_ = connect_as("alice", &alice_token_);
    alice_again_ = resume_as(alice_token_);
    bob_ = connect_as("bob");
  }

  // Both of alice's connections are told and closed within the deadline,
  // counted from when the command that revoked the token returned.
  void expect_alice_cut() {
    const auto deadline = SteadyClock::now() + kRevocationDeadline;
    for (auto* c : {alice_.get(), alice_again_.get()}) {
      const Cut cut = wait_for_cut(*c, deadline);
      EXPECT_TRUE(cut.told_unauthenticated) << "no UNAUTHENTICATED error before the close";
      EXPECT_TRUE(cut.closed) << "still open " << kRevocationDeadline.count() << " s after the revocation";
    }
    EXPECT_TRUE(relayd().wait_for_log("event=token_revoked", kWait));
    EXPECT_TRUE(still_answers(*bob_)) << "bob's connection was cut too";
  }

  std::string alice_token_;
  std::unique_ptr<RelayTestClient> alice_;
  std::unique_ptr<RelayTestClient> alice_again_;
  std::unique_ptr<RelayTestClient> bob_;
};

TEST_F(LiveRevocationTest, UserRevokeClosesTheAccountsLiveConnections) {
  connect_everyone();
  ASSERT_TRUE(still_answers(*alice_));
  const auto result = admin({"user", "revoke", "alice"});
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("revoked 1 token(s) of alice"), std::string::npos) << result.output;
  expect_alice_cut();
  // And the token no longer opens a new one.
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->resume(alice_token_).error().code(), wire::UNAUTHENTICATED);
}

TEST_F(LiveRevocationTest, ThePasswordChangeClosesLiveConnectionsAndOnlyTheNewPasswordLogsIn) {
  connect_everyone();
  const auto result = admin({"user", "passwd", "alice", "--password-stdin"}, "a brand new password\n");
  ASSERT_EQ(result.status, 0) << result.output;
  expect_alice_cut();
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->login("alice", "correct horse battery").error().code(), wire::BAD_CREDENTIALS);
  EXPECT_EQ(c->login("alice", "a brand new password").body_case(), wire::Frame::kToken);
}

TEST_F(LiveRevocationTest, RemovingTheAccountClosesItsLiveConnections) {
  connect_everyone();
  const auto result = admin({"user", "remove", "alice"});
  ASSERT_EQ(result.status, 0) << result.output;
  expect_alice_cut();
}

TEST_F(LiveRevocationTest, LogoutClosesTheOtherConnectionsOfTheSameToken) {
  connect_everyone();
  wire::Frame logout;
  logout.mutable_logout();
  ASSERT_EQ(alice_->request(logout).body_case(), wire::Frame::kOk);
  const Cut cut = wait_for_cut(*alice_again_, SteadyClock::now() + kRevocationDeadline);
  EXPECT_TRUE(cut.told_unauthenticated);
  EXPECT_TRUE(cut.closed);
  EXPECT_TRUE(still_answers(*bob_));
}

TEST_F(RevocationTest, AdminCommandsRefuseUnknownUsersAndShortPasswords) {
  start_relayd();
  connect_as("alice");
  const std::vector<std::string> where{"--config", relayd().config_path().string(), "--state-dir",
                                       relayd().state_dir().string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return args;
  };
  EXPECT_EQ(run_relayd_command(with({"user", "revoke", "nobody"})).status, 1);
  EXPECT_EQ(run_relayd_command(with({"user", "passwd", "nobody", "--password-stdin"}), "long enough\n").status, 1);
  const auto short_password = run_relayd_command(with({"user", "passwd", "alice", "--password-stdin"}), "short\n");
  EXPECT_EQ(short_password.status, 2);
  EXPECT_NE(short_password.output.find("at least 8 bytes"), std::string::npos) << short_password.output;
  EXPECT_EQ(run_relayd_command(with({"user", "passwd", "../x", "--password-stdin"}), "long enough\n").status, 2);
  EXPECT_EQ(run_relayd_command(with({"user", "passwd"})).status, 2);
  // The short password changed nothing.
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->login("alice", "correct horse battery").body_case(), wire::Frame::kToken);
}

}  // namespace
}  // namespace sotto::testing
