#include "tests/integration/daemon/relay/relay_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <exception>

#include "tests/integration/support/relay_test_client.h"

namespace sotto::msgd::testing {

std::optional<std::string> MemoryPinStore::load_pin(const std::string& relay) {
  const auto it = pins.find(relay);
  if (it == pins.end()) return std::nullopt;
  return it->second;
}

void MemoryPinStore::save_pin(const std::string& relay, const std::string& fingerprint) {
  ++saves;
  pins[relay] = fingerprint;
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free port");
  return ntohs(addr.sin_port);
}

std::unique_ptr<sotto::testing::RelaydProcess> make_relayd_on_port(const std::filesystem::path& state_dir,
                                                                   std::uint16_t port, const std::string& yaml) {
  auto relayd = std::make_unique<sotto::testing::RelaydProcess>(state_dir, yaml);
  // sh -c SCRIPT relayd ARGS...: $0 is relayd; the loop rotates the arguments,
  // replacing the listen address, and exec keeps the pid (kill9 reaches relayd).
  const std::string script =
      "bin=$0; for a do shift; if [ \"$a\" = 127.0.0.1:0 ]; then a=127.0.0.1:" + std::to_string(port) +
      "; fi; set -- \"$@\" \"$a\"; done; exec \"$bin\" \"$@\"";
  relayd->set_launcher({"/bin/sh", "-c", script});
  return relayd;
}

std::string presented_fingerprint(std::uint16_t port) {
  sotto::testing::RelayTestClient client(port);
  if (!client.handshake_ok()) throw std::runtime_error("TLS handshake failed: " + client.handshake_error());
  return client.peer_fingerprint();
}

void run_until_done(asio::io_context& io, Awaitable<void> main, milliseconds limit) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(main), [&](std::exception_ptr e) {
    error = e;
    done = true;
    io.stop();
  });
  io.run_for(limit);
  if (!done) {
    ADD_FAILURE() << "the scenario did not finish within " << limit.count() << " ms";
    return;
  }
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the scenario threw: " << e.what();
    }
  }
}

Awaitable<void> sleep_for(milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  co_await timer.async_wait(asio::use_awaitable);
}

Awaitable<bool> wait_for(const bool* flag, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!*flag && Clock::now() < deadline) co_await sleep_for(milliseconds(10));
  co_return *flag;
}

Awaitable<void> collect_run(std::shared_ptr<RelayConnection> connection, RunResult* out) {
  out->reason = co_await connection->run();
  out->ended = Clock::now();
  out->done = true;
}

void RelayTestBase::SetUp() {
  ::signal(SIGPIPE, SIG_IGN);
  static int counter = 0;
  dir_ = std::filesystem::temp_directory_path() /
         ("sotto-msgd-relay-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void RelayTestBase::TearDown() {
  if (!HasFailure()) std::filesystem::remove_all(dir_);
}

}  // namespace sotto::msgd::testing
