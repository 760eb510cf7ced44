#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/relay/pin_check.h"
#include "daemon/relay/relay_connection.h"
#include "lib/net/asio.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::msgd::testing {

namespace asio = net::asio;
using net::Awaitable;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// msgd's keystore stands behind PinStore in the daemon; tests keep pins in memory.
class MemoryPinStore : public PinStore {
 public:
  std::optional<std::string> load_pin(const std::string& relay) override;
  void save_pin(const std::string& relay, const std::string& fingerprint) override;
  std::map<std::string, std::string> pins;
  int saves = 0;
};

// A loopback TCP port nobody listens on right now (bound to port 0 and released).
std::uint16_t free_loopback_port();

// A relayd that listens on a fixed port across restarts (RelaydProcess always
// passes --listen 127.0.0.1:0; a /bin/sh launcher swaps in the port).
std::unique_ptr<sotto::testing::RelaydProcess> make_relayd_on_port(const std::filesystem::path& state_dir,
                                                                   std::uint16_t port, const std::string& yaml = {});

// The fingerprint a relay presents, read with the independent test client.
std::string presented_fingerprint(std::uint16_t port);

// Runs main on io until it finishes (then stops io) or limit passes; fails
// the test on the limit or on an exception escaping main.
void run_until_done(asio::io_context& io, Awaitable<void> main, milliseconds limit);

// Waits (polling every 10 ms, without blocking the io thread) until *flag is
// true or limit passes; returns *flag.
Awaitable<bool> wait_for(const bool* flag, milliseconds limit);
Awaitable<void> sleep_for(milliseconds duration);

// Stores run()'s result; done is set when it returns.
struct RunResult {
  std::string reason;
  bool done = false;
  Clock::time_point ended{};
};
Awaitable<void> collect_run(std::shared_ptr<RelayConnection> connection, RunResult* out);

// A fresh temporary directory per test, removed unless the test failed; SIGPIPE ignored.
class RelayTestBase : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::filesystem::path dir_;
};

}  // namespace sotto::msgd::testing
