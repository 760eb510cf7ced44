#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace sotto::testing {

// A private redis-server (Debian's /usr/bin/redis-server) for one test: in a
// fresh temporary folder, listening only on a Unix socket there (--port 0:
// no TCP, so parallel tests never fight over ports), without persistence.
// The constructor returns once the server answers PING and throws
// std::runtime_error, saying what to install or what the server logged,
// when it cannot start: a missing redis-server fails the test, never skips it.
// The server dies with the test process (PR_SET_PDEATHSIG) even if the
// destructor never runs.
class RedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // "redis+unix:///tmp/sotto-test-XXXXXX/redis.sock".
  std::string url() const;
  const std::filesystem::path& socket_path() const { return socket_; }
  bool running() const { return pid_ > 0; }

  // SIGKILL, as a crash or an OOM kill would: no goodbye to the clients.
  void kill9();
  // A new server on the same socket path (after kill9() or stop()).
  void restart();
  // SIGTERM, then SIGKILL after 5 s; waits for the process.
  void stop();

 private:
  void start();
  void reap(int signal);

  TempDir dir_;
  std::filesystem::path socket_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

}  // namespace sotto::testing
