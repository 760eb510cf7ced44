// relayd.service and relayd.socket run for real by systemd as PID 1 (in
// namespaces of its own, see namespaced_systemd.h): every hardening directive
// of the shipped unit applies, and relayd must still do all of its work —
// TLS, Argon2id, SQLite with fsync, watchdog pings, the drain on stop, and
// binding its own port when the socket unit is not running.
//
// The test adds one drop-in per unit, for what must differ in a test: the
// build's relayd and a test configuration (ExecStart=), a log file instead of
// the journal, a free port instead of 7443, a short watchdog, and a system
// call filter that kills instead of failing with EPERM so that a call outside
// the filter cannot go unnoticed. None of them loosens the sandbox.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/integration/support/relay_test_client.h"
#include "tests/integration/support/relayd_process.h"
#include "tests/integration/systemd/namespaced_systemd.h"
#include "tests/integration/systemd/relay_probe.h"

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kSandboxWait = std::chrono::seconds(30);
constexpr const char* kSandboxPassword = "correct horse battery";

// The shipped units plus the test's drop-ins and the targets they refer to.
void write_units(const fs::path& run, std::uint16_t socket_port, std::uint16_t own_port) {
  const fs::path units = run / "units";
  fs::create_directories(units);
  for (const char* unit : {"relayd.service", "relayd.socket"}) {
    fs::copy_file(fs::path(SOTTO_TEST_UNIT_DIR) / unit, units / unit);
  }
  write_text_file(units / "relayd.service.d" / "sandbox-test.conf",
                  "[Service]\n"
                  "ExecStart=\n"
                  "ExecStart=" +
                      (run / "relayd").string() + " --config " + (run / "relayd.yaml").string() +
                      "\n"
                      "StandardOutput=append:" +
                      (run / "relayd.log").string() +
                      "\n"
                      "StandardError=inherit\n"
                      "SystemCallErrorNumber=kill\n"
                      "WatchdogSec=1s\n");
  write_text_file(units / "relayd.socket.d" / "sandbox-test.conf",
                  "[Socket]\nListenStream=\nListenStream=" + std::to_string(socket_port) + "\n");
  // Stand-ins for the targets the units' default dependencies name; the
  // namespace runs nothing but relayd.
  for (const char* target : {"sysinit", "basic", "sockets", "network", "multi-user", "shutdown"}) {
    write_text_file(units / (std::string(target) + ".target"), "[Unit]\nDescription=" + std::string(target) + "\n");
  }
  write_text_file(units / "sotto-sandbox-test.target", "[Unit]\nDescription=Sotto sandbox test\nWants=relayd.socket\n");
  // Used only while relayd.socket is stopped: relayd then binds this itself.
  write_text_file(run / "relayd.yaml", "listen:\n  - 127.0.0.1:" + std::to_string(own_port) + "\n");
  fs::permissions(run / "relayd.yaml",
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  fs::create_directories(run / "varlib");
  // A copy beside the units: the build tree may lie where the sandbox hides it.
  fs::copy_file(RelaydProcess::binary(), run / "relayd");
  fs::permissions(run / "relayd", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
}

TEST(RelaydUnderSystemd, ServesFromInsideTheShippedSandboxWithAndWithoutTheSocketUnit) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root: it boots systemd as PID 1 in new PID, mount and cgroup namespaces";
  }
  const SandboxRunDir run(SOTTO_SANDBOX_RUN_ROOT);
  const std::uint16_t socket_port = free_dual_stack_port();
  const std::uint16_t own_port = free_dual_stack_port();
  write_units(run.path(), socket_port, own_port);
  NamespacedSystemd systemd(run.path());
  systemd.boot(kSandboxWait);
  auto diagnostics = [&] {
    return "\n---- relayd.log ----\n" + read_text_file(run.path() / "relayd.log") + "---- systemctl status ----\n" +
           systemd.systemctl({"status", "relayd.service", "relayd.socket"}).output + "---- systemd ----\n" +
           systemd.console_log();
  };
  ASSERT_TRUE(systemd.wait_for_property("relayd.socket", "ActiveState", "active", kSandboxWait)) << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "ActiveState"), "inactive") << "relayd must wait for a client";

  // The first connection starts relayd.service.
  RelayTestClient alice(socket_port, {.timeout = kSandboxWait});
  ASSERT_TRUE(alice.handshake_ok()) << alice.handshake_error() << diagnostics();
  alice.hello();
  const RelayTestClient::Identity alice_identity;
  ASSERT_EQ(alice.register_user("alice", kSandboxPassword, alice_identity).body_case(), wire::Frame::kToken)
      << diagnostics();
  RelayTestClient bob(socket_port, {.timeout = kSandboxWait});
  ASSERT_TRUE(bob.handshake_ok()) << bob.handshake_error();
  bob.hello();
  const RelayTestClient::Identity bob_identity;
  ASSERT_EQ(bob.register_user("bob", kSandboxPassword, bob_identity).body_case(), wire::Frame::kToken);
  // SendAck comes only once the envelope is on disk (fsync under the filter).
  EXPECT_EQ(alice.send_envelope(test_message_id(1), {"bob"}, "ciphertext").body_case(), wire::Frame::kSendAck);
  const auto delivery = bob.next_delivery(kSandboxWait);
  ASSERT_TRUE(delivery.has_value()) << diagnostics();
  RelayTestClient over_ipv6(socket_port, {.timeout = kSandboxWait, .ipv6 = true});
  ASSERT_TRUE(over_ipv6.handshake_ok()) << over_ipv6.handshake_error() << diagnostics();
  EXPECT_NO_THROW(over_ipv6.hello()) << "Hello over IPv6 must get HelloOk" << diagnostics();

  ASSERT_EQ(systemd.property("relayd.service", "ActiveState"), "active") << diagnostics();
  const std::string main_pid = systemd.property("relayd.service", "MainPID");
  const auto processes = systemd.processes_in("system.slice/relayd.service");
  ASSERT_EQ(processes.size(), 1u) << diagnostics();
  const pid_t relayd = processes.front();
  // What the sandbox leaves relayd: no capabilities at all, no way to gain
  // any, a seccomp filter, and a user of its own.
  EXPECT_EQ(status_field(relayd, "CapEff"), "0000000000000000");
  EXPECT_EQ(status_field(relayd, "CapPrm"), "0000000000000000");
  EXPECT_EQ(status_field(relayd, "CapBnd"), "0000000000000000");
  EXPECT_EQ(status_field(relayd, "NoNewPrivs"), "1");
  EXPECT_EQ(status_field(relayd, "Seccomp"), "2");
  std::istringstream uids(status_field(relayd, "Uid"));
  uid_t uid = 0;
  uids >> uid;
  EXPECT_NE(uid, 0u);

  // WatchdogSec=1s: relayd must ping every 0.5 s through the sandbox, or
  // systemd kills and restarts it within about a second.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(systemd.property("relayd.service", "ActiveState"), "active") << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "NRestarts"), "0") << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "MainPID"), main_pid) << diagnostics();

  // A stop drains and exits 0.
  ASSERT_EQ(systemd.systemctl({"stop", "relayd.socket", "relayd.service"}).status, 0) << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "Result"), "success") << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "ExecMainStatus"), "0") << diagnostics();
  std::string log = read_text_file(run.path() / "relayd.log");
  EXPECT_NE(log.find("event=listening source=systemd sockets=1"), std::string::npos) << log;
  EXPECT_NE(log.find("event=stopped"), std::string::npos) << log;

  // StateDirectory=relayd: /var/lib/relayd -> private/relayd, 0700, owned by relayd's user.
  const fs::path state = run.path() / "varlib" / "private" / "relayd";
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0) << state;
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, uid);
  EXPECT_TRUE(fs::exists(state / "relayd.db"));
  EXPECT_EQ(fs::read_symlink(run.path() / "varlib" / "relayd"), fs::path("private/relayd"));

  // Without the socket unit relayd binds the configured port itself (above
  // 1024: no capability needed), on the same state: alice can log in again.
  ASSERT_EQ(systemd.systemctl({"start", "relayd.service"}).status, 0) << diagnostics();
  RelayTestClient again(own_port, {.timeout = kSandboxWait});
  ASSERT_TRUE(again.handshake_ok()) << again.handshake_error() << diagnostics();
  again.hello();
  EXPECT_EQ(again.login("alice", kSandboxPassword).body_case(), wire::Frame::kToken) << diagnostics();
  log = read_text_file(run.path() / "relayd.log");
  EXPECT_NE(log.find("event=listening address=127.0.0.1 port=" + std::to_string(own_port)), std::string::npos) << log;
  ASSERT_EQ(systemd.systemctl({"stop", "relayd.service"}).status, 0) << diagnostics();
  EXPECT_EQ(systemd.property("relayd.service", "Result"), "success") << diagnostics();
}

}  // namespace
}  // namespace sotto::testing
