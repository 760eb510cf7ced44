// org.sotto.Messenger1.service really starts msgd: a private session bus
// reads the activation file from a service directory, and the first call to
// org.sotto.Messenger1 (msgctl --bus status), with no msgd running, makes the
// bus start msgd and deliver the call to it.
//
// dbus-daemon here runs without systemd activation, so it ignores the file's
// SystemdService= line and runs Exec= itself; under a systemd user manager
// the bus asks for msgd.service instead (checked by verify_units.sh).

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ios>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/support/child_process.h"
#include "tests/integration/support/dbus_session.h"
#include "tests/integration/support/msgd_process.h"
#include "tests/integration/support/relayd_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kActivationWait = std::chrono::seconds(20);

// The pids of running processes whose command line contains needle.
std::vector<pid_t> processes_with_argument(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      std::ifstream in(entry.path() / "cmdline");
      cmdline.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) {
      // The process ended between the listing and the read (libstdc++'s
      // filebuf throws on ESRCH): some other test's process, not a match.
      continue;
    }
    if (cmdline.find(needle) != std::string::npos) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// The value of NAME in a running process's environment, if set.
std::optional<std::string> environment_of(pid_t pid, const std::string& name) {
  const std::string variables = read_text_file(fs::path("/proc") / std::to_string(pid) / "environ");
  const std::string prefix = name + "=";
  std::size_t at = 0;
  while (at < variables.size()) {
    const std::size_t end = variables.find('\0', at);
    const std::string entry = variables.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (entry.starts_with(prefix)) return entry.substr(prefix.size());
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

// Stops a msgd the bus started (the bus is its parent, not the test) and
// waits for it to go, so that no msgd outlives the test.
void stop_activated(const std::string& marker) {
  for (const pid_t pid : processes_with_argument(marker)) ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kActivationWait;
  while (!processes_with_argument(marker).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const pid_t pid : processes_with_argument(marker)) ::kill(pid, SIGKILL);
}

// Runs stop_activated when the test ends, also when an assertion ended it early.
class ActivatedMsgdGuard {
 public:
  explicit ActivatedMsgdGuard(std::string marker) : marker_(std::move(marker)) {}
  ~ActivatedMsgdGuard() { stop_activated(marker_); }
  ActivatedMsgdGuard(const ActivatedMsgdGuard&) = delete;
  ActivatedMsgdGuard& operator=(const ActivatedMsgdGuard&) = delete;

 private:
  std::string marker_;
};

TEST(MsgdDbusActivation, FirstCallOnTheBusStartsMsgdFromTheActivationFile) {
  TempDir dir;
  // msgd reads $XDG_CONFIG_HOME/sotto/msgd.yaml; the bus passes its own
  // environment (inherited from this test) to what it starts.
  ::setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
  RelaydProcess relayd(dir / "relay");
  relayd.start();
  const std::string relay = "127.0.0.1:" + std::to_string(relayd.port());

  // The shipped activation file, with @bindir@/msgd replaced by this build's
  // msgd and the arguments that keep it inside the test's directory.
  const std::string tmpl = read_text_file(fs::path(SOTTO_SYSTEMD_UNIT_SOURCE_DIR) / "org.sotto.Messenger1.service.in");
  const std::string exec_line = "Exec=@bindir@/msgd\n";
  const auto at = tmpl.find(exec_line);
  ASSERT_NE(at, std::string::npos) << "the activation file has no line '" << exec_line << "':\n" << tmpl;
  const fs::path data_dir = dir / "data";
  const fs::path socket = dir / "run" / "msgd.sock";
  std::string activation = tmpl;
  activation.replace(at, exec_line.size(),
                     "Exec=" + MsgdProcess::msgd_binary().string() + " --data-dir " + data_dir.string() + " --socket " +
                         socket.string() + " --relay " + relay + "\n");
  fs::create_directories(dir / "services");
  std::ofstream(dir / "services" / "org.sotto.Messenger1.service") << activation;

  fs::create_directories(dir / "bus");
  DbusSession bus(dir / "bus", {dir / "services"});
  const ActivatedMsgdGuard guard(data_dir.string());

  // No msgd yet: its socket does not answer.
  const auto before = run_program({MsgdProcess::msgctl_binary().string(), "--socket", socket.string(), "status"});
  EXPECT_EQ(before.status, 3) << before.output;
  EXPECT_TRUE(processes_with_argument(data_dir.string()).empty());

  const auto status = run_program({MsgdProcess::msgctl_binary().string(), "--bus", "--json", "status"}, {},
                                  {{"DBUS_SESSION_BUS_ADDRESS", bus.address()}});
  const std::string bus_log = read_text_file(dir / "bus" / "dbus-daemon.log");
  ASSERT_EQ(status.status, 0) << status.output << "\n---- dbus-daemon and msgd ----\n" << bus_log;
  const auto reply = nlohmann::json::parse(status.out);
  // The relay address came from the activation file's Exec= line.
  EXPECT_EQ(reply.at("relay"), relay) << status.out;

  const auto msgds = processes_with_argument(data_dir.string());
  ASSERT_EQ(msgds.size(), 1u) << "expected one msgd started by the bus\n" << bus_log;
  // Only a bus that activates a service sets DBUS_STARTER_ADDRESS for it.
  EXPECT_EQ(environment_of(msgds.front(), "DBUS_STARTER_ADDRESS"), bus.address()) << "msgd was not started by the bus";
  // The activated msgd serves its socket too, and a second call finds the
  // same msgd instead of starting another.
  EXPECT_EQ(run_program({MsgdProcess::msgctl_binary().string(), "--socket", socket.string(), "status"}).status, 0);
  EXPECT_EQ(run_program({MsgdProcess::msgctl_binary().string(), "--bus", "status"}, {},
                        {{"DBUS_SESSION_BUS_ADDRESS", bus.address()}})
                .status,
            0);
  EXPECT_EQ(processes_with_argument(data_dir.string()), msgds);

  stop_activated(data_dir.string());
  EXPECT_TRUE(processes_with_argument(data_dir.string()).empty());
}

}  // namespace
}  // namespace sotto::testing
