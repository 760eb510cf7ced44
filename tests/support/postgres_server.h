#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sotto::testing {

// A throwaway PostgreSQL 15 server for tests, started by the test itself:
// Debian's initdb and pg_ctl in a fresh private folder, run as the `postgres`
// system account when the test runs as root (the server refuses root). It
// listens on a Unix socket in that folder only (listen_addresses = ''), so
// test binaries running in parallel never meet, and runs with fsync on: the
// store it serves promises durability, and the restart tests check it.
//
// Throws std::runtime_error with what to install or fix when the binaries
// are missing or the server does not come up: a test that needs it fails,
// it is never skipped.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The one server of this test process, started on first use (a second or
  // two) and stopped at exit. Tests take a fresh database each from it.
  static PostgresServer& shared();

  // A libpq URI for `database` on this server.
  std::string uri(const std::string& database) const;
  // Creates a database (a copy of template_name, or an empty one) and
  // returns its URI. Copying a database that already holds a schema is
  // faster than applying the schema again.
  std::string create_database(const std::string& name, const std::string& template_name = "");
  // A database with a name unused in this process so far, and its URI.
  std::string create_fresh_database(const std::string& template_name = "");

  // For fault tests: a clean shutdown, a crash of every server process
  // (SIGKILL, no checkpoint, recovery on the next start), and a start.
  void stop();
  void kill9();
  void start();
  void restart() {
    stop();
    start();
  }

  bool running() const { return running_; }
  const std::filesystem::path& folder() const { return folder_; }

 private:
  void run_as_server_user(const std::vector<std::string>& argv, const std::string& what) const;
  pid_t postmaster_pid() const;

  std::filesystem::path folder_;  // socket, data/ and logs
  std::filesystem::path data_;
  int port_ = 0;
  bool running_ = false;
  int watchdog_pipe_ = -1;  // write end; its closing (our exit, even by a crash) stops the server
  pid_t watchdog_ = -1;
  int next_database_ = 0;
};

}  // namespace sotto::testing
