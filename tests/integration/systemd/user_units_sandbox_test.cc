// The user units as a desktop session runs them: a systemd user manager
// (inside systemd as PID 1 in namespaces of its own, see namespaced_systemd.h)
// with Debian's dbus.socket and dbus.service, which run dbus-daemon with
// --systemd-activation. The first call to org.sotto.Messenger1 must make the
// bus ask systemd for msgd.service (SystemdService=), msgd must come up under
// the unit's hardening, claim its name (Type=dbus, BusName=) and answer; and
// msg-notify.service must run beside it. The units and the activation file
// are the shipped ones with only @bindir@ pointing at the build.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support/child_process.h"
#include "tests/integration/support/msgd_process.h"
#include "tests/integration/support/relayd_process.h"
#include "tests/integration/systemd/namespaced_systemd.h"
#include "tests/support/temp_dir.h"

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kUnitsWait = std::chrono::seconds(30);
constexpr const char* kUnitsPassword = "correct horse battery";

// A user manager run as a system service, as user@.service does, with the
// XDG folders of a user whose home is the run directory.
void write_units(const SandboxRunDir& run, const std::string& relay) {
  for (const char* target : {"sysinit", "basic", "sockets", "network", "multi-user", "shutdown"}) {
    write_text_file(run / "units" / (std::string(target) + ".target"),
                    "[Unit]\nDescription=" + std::string(target) + "\n");
  }
  write_text_file(run / "units" / "sotto-sandbox-test.target",
                  "[Unit]\nDescription=Sotto sandbox test\nWants=sotto-user-manager.service\n");
  const std::string xdg = "XDG_RUNTIME_DIR=" + (run / "runtime").string() +
                          " XDG_CONFIG_HOME=" + (run / "config").string() +
                          " XDG_DATA_HOME=" + (run / "data").string() + " HOME=" + (run / "home").string();
  write_text_file(run / "units" / "sotto-user-manager.service",
                  "[Unit]\nDescription=a user manager for the test\n"
                  "[Service]\nType=notify\n"
                  "ExecStart=/lib/systemd/systemd --user --unit=sotto-user-test.target\n"
                  "Delegate=yes\n"
                  "Environment=" +
                      xdg +
                      "\n"
                      "StandardOutput=append:" +
                      (run / "user-manager.log").string() + "\nStandardError=inherit\n");
  fs::create_directories(run / "runtime");
  fs::permissions(run / "runtime", fs::perms::owner_all);
  fs::create_directories(run / "varlib");
  fs::create_directories(run / "home");

  // $XDG_DATA_HOME/systemd/user and $XDG_DATA_HOME/dbus-1/services are where
  // the user manager and the session bus look, next to /usr/lib/systemd/user
  // (dbus.socket, dbus.service, graphical-session.target) and /usr/share/dbus-1/services.
  const fs::path user_units = run / "data" / "systemd" / "user";
  fs::create_directories(user_units);
  for (const char* unit : {"msgd.service", "msg-notify.service"}) {
    fs::copy_file(fs::path(SOTTO_TEST_UNIT_DIR) / unit, user_units / unit);
  }
  write_text_file(user_units / "sotto-user-test.target", "[Unit]\nDescription=Sotto user test\nWants=dbus.socket\n");
  const fs::path services = run / "data" / "dbus-1" / "services";
  fs::create_directories(services);
  fs::copy_file(fs::path(SOTTO_TEST_UNIT_DIR) / "org.sotto.Messenger1.service",
                services / "org.sotto.Messenger1.service");
  write_text_file(run / "config" / "sotto" / "msgd.yaml", "relay: " + relay + "\n");
}

TEST(UserUnitsUnderSystemd, SessionBusStartsMsgdServiceOnFirstCallAndMsgNotifyRunsBesideIt) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root: it boots systemd as PID 1 in new PID, mount and cgroup namespaces";
  }
  // The session bus as a desktop session has it under systemd: Debian's user
  // units dbus.socket and dbus.service.
  ASSERT_TRUE(fs::exists("/usr/lib/systemd/user/dbus.socket"))
      << "/usr/lib/systemd/user/dbus.socket is missing: install dbus-user-session";
  const TempDir relay_dir;
  RelaydProcess relayd(relay_dir / "relay");
  relayd.start();
  const std::string relay = "127.0.0.1:" + std::to_string(relayd.port());

  const SandboxRunDir run(SOTTO_SANDBOX_RUN_ROOT);
  write_units(run, relay);
  NamespacedSystemd systemd(run.path());
  systemd.boot(kUnitsWait);
  const NamespacedSystemd::Manager user{run / "runtime"};
  auto diagnostics = [&] {
    return "\n---- user manager ----\n" + read_text_file(run / "user-manager.log") +
           "---- systemctl --user status ----\n" +
           systemd.systemctl({"status", "msgd.service", "msg-notify.service", "dbus.service"}, user).output +
           "---- systemd ----\n" + systemd.console_log();
  };
  ASSERT_TRUE(systemd.wait_for_property("sotto-user-manager.service", "ActiveState", "active", kUnitsWait))
      << diagnostics();
  ASSERT_TRUE(systemd.wait_for_property("dbus.socket", "ActiveState", "active", kUnitsWait, user)) << diagnostics();
  EXPECT_EQ(systemd.property("msgd.service", "ActiveState", user), "inactive");

  // The first call on the bus, with no msgd running.
  const std::string bus = "unix:path=" + (run / "runtime" / "bus").string();
  const auto status = run_program({MsgdProcess::msgctl_binary().string(), "--bus", "--json", "status"}, {},
                                  {{"DBUS_SESSION_BUS_ADDRESS", bus}});
  ASSERT_EQ(status.status, 0) << status.output << diagnostics();
  EXPECT_EQ(nlohmann::json::parse(status.out).at("relay"), relay) << status.out;

  // systemd started msgd.service for the bus: msgd runs in the unit's cgroup.
  EXPECT_EQ(systemd.property("msgd.service", "ActiveState", user), "active") << diagnostics();
  const fs::path app_slice = "system.slice/sotto-user-manager.service/app.slice";
  const auto msgds = systemd.processes_in(app_slice / "msgd.service");
  ASSERT_EQ(msgds.size(), 1u) << diagnostics();
  EXPECT_EQ(status_field(msgds.front(), "NoNewPrivs"), "1");
  EXPECT_EQ(status_field(msgds.front(), "Seccomp"), "2");

  // msgd does real work under its filter: keys, SQLite, TLS to the relay.
  const auto registered =
      run_program({MsgdProcess::msgctl_binary().string(), "--bus", "register", "alice", "--password-stdin"},
                  std::string(kUnitsPassword) + "\n", {{"DBUS_SESSION_BUS_ADDRESS", bus}});
  EXPECT_EQ(registered.status, 0) << registered.output << diagnostics();
  const auto after = run_program({MsgdProcess::msgctl_binary().string(), "--bus", "--json", "status"}, {},
                                 {{"DBUS_SESSION_BUS_ADDRESS", bus}});
  ASSERT_EQ(after.status, 0) << after.output;
  EXPECT_EQ(nlohmann::json::parse(after.out).at("username"), "alice") << after.out;

  // msg-notify: up under its own hardening, waiting for a notification
  // server that this session does not have, without crashing or restarting.
  ASSERT_EQ(systemd.systemctl({"start", "msg-notify.service"}, user).status, 0) << diagnostics();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(systemd.property("msg-notify.service", "ActiveState", user), "active") << diagnostics();
  EXPECT_EQ(systemd.property("msg-notify.service", "NRestarts", user), "0") << diagnostics();
  const auto notifiers = systemd.processes_in(app_slice / "msg-notify.service");
  ASSERT_EQ(notifiers.size(), 1u) << diagnostics();
  EXPECT_EQ(status_field(notifiers.front(), "NoNewPrivs"), "1");
  EXPECT_EQ(status_field(notifiers.front(), "Seccomp"), "2");

  // A stop is clean for both.
  ASSERT_EQ(systemd.systemctl({"stop", "msg-notify.service", "msgd.service"}, user).status, 0) << diagnostics();
  EXPECT_EQ(systemd.property("msgd.service", "Result", user), "success") << diagnostics();
  EXPECT_EQ(systemd.property("msg-notify.service", "Result", user), "success") << diagnostics();
}

}  // namespace
}  // namespace sotto::testing
