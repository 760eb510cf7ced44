// relayd started the way relayd.socket starts it: systemd-socket-activate
// holds one listening socket on every address of both families (what
// ListenStream=PORT with BindIPv6Only=both gives) and starts relayd on the
// first connection. relayd must serve IPv4 and IPv6 clients on that one
// socket and open none of its own.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/support/relay_test_client.h"
#include "tests/integration/support/relayd_process.h"
#include "tests/integration/systemd/relay_probe.h"
#include "tests/support/temp_dir.h"

namespace sotto::testing {
namespace {

constexpr auto kSocketWait = std::chrono::seconds(20);

// The [Socket] section's settings as KEY=VALUE lines.
std::vector<std::pair<std::string, std::string>> unit_settings(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::string setting(const std::vector<std::pair<std::string, std::string>>& settings, const std::string& key) {
  std::string value;
  int count = 0;
  for (const auto& [k, v] : settings) {
    if (k == key) {
      value = v;
      ++count;
    }
  }
  if (count != 1) throw std::runtime_error(key + "= appears " + std::to_string(count) + " times, expected once");
  return value;
}

std::string find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const auto candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

TEST(RelaydSocketUnit, ListensOnOnePortForBothFamiliesAndHandsTheSocketToRelayd) {
  const auto settings = unit_settings(std::filesystem::path(SOTTO_SYSTEMD_UNIT_SOURCE_DIR) / "relayd.socket");
  // A bare port means every address; BindIPv6Only=both makes that one socket
  // serve IPv4 too. The activation below reproduces exactly that.
  EXPECT_EQ(setting(settings, "ListenStream"), "7443");
  EXPECT_EQ(setting(settings, "BindIPv6Only"), "both");
  EXPECT_EQ(setting(settings, "Accept"), "no");
}

TEST(RelaydSocketActivation, ServesIpv4AndIpv6ClientsOnTheOneSocketSystemdPasses) {
  const std::string activate = find_in_path("systemd-socket-activate");
  ASSERT_FALSE(activate.empty()) << "systemd-socket-activate is not installed (Debian package systemd)";
  TempDir dir;
  const std::uint16_t port = free_dual_stack_port();
  RelaydProcess relayd(dir / "state");
  // "-l PORT" binds [::]:PORT; the kernel's default (net.ipv6.bindv6only=0)
  // makes it dual-stack, as BindIPv6Only=both does in the unit.
  relayd.set_launcher({activate, "-l", std::to_string(port)});
  relayd.spawn();
  ASSERT_TRUE(relayd.wait_for_log("Listening on [::]:" + std::to_string(port), kSocketWait)) << relayd.log();

  // The first connection starts relayd; the kernel queues it meanwhile.
  RelayTestClient v4(port, {.timeout = kSocketWait});
  ASSERT_TRUE(v4.handshake_ok()) << v4.handshake_error() << "\n" << relayd.log();
  ASSERT_TRUE(relayd.wait_ready(kSocketWait)) << relayd.log();
  v4.hello();
  const RelayTestClient::Identity identity;
  EXPECT_EQ(v4.register_user("alice", "correct horse battery", identity).body_case(), wire::Frame::kToken);

  RelayTestClient v6(port, {.timeout = kSocketWait, .ipv6 = true});
  ASSERT_TRUE(v6.handshake_ok()) << v6.handshake_error() << "\n" << relayd.log();
  EXPECT_NO_THROW(v6.hello()) << "Hello over IPv6 must get HelloOk\n" << relayd.log();

  const std::string log = relayd.log();
  EXPECT_NE(log.find("event=listening source=systemd sockets=1"), std::string::npos) << log;
  EXPECT_NE(log.find("event=listening address=:: port=" + std::to_string(port)), std::string::npos) << log;
  // --listen 127.0.0.1:0 is on relayd's command line too; with a passed
  // socket it must not open a second one.
  EXPECT_EQ(log.find("event=listening address=127.0.0.1"), std::string::npos) << log;

  const auto status = relayd.terminate_within(kSocketWait);
  ASSERT_TRUE(status.has_value()) << "relayd did not stop on SIGTERM";
}

}  // namespace
}  // namespace sotto::testing
