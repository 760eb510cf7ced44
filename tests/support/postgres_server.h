#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
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

  // The server tests take their databases from. Under ctest it is the one
  // server of the whole run: the postgres.start fixture (tests/support/
  // postgres_ctl.cc) starts it and writes where it listens into the file
  // named by $SOTTO_TEST_POSTGRES_RUN, and every test process attaches to
  // it, saving a server start (about 1.5 s) per test. A test binary run by
  // hand, without that variable, starts one of its own on first use and
  // stops it at exit. The shared server cannot be stopped or killed: a
  // fault test makes a PostgresServer of its own.
  static PostgresServer& shared();

  // For the run's fixture (run by ctest, so the caller's parent is the ctest
  // process): start_for_run starts a server that outlives this process (no
  // watchdog) and writes its address to `run_file`, or joins the one another
  // ctest run in the same build folder started; stop_for_run stops it when
  // no ctest run that joined it is still alive.
  static void start_for_run(const std::filesystem::path& run_file);
  static void stop_for_run(const std::filesystem::path& run_file);

  // A libpq URI for `database` on this server.
  std::string uri(const std::string& database) const;
  // Creates a database (a copy of template_name, or an empty one) and
  // returns its URI. Copying a database that already holds a schema is
  // faster than applying the schema again.
  std::string create_database(const std::string& name, const std::string& template_name = "");
  // A database with a name no other test has used on this server, and its URI.
  std::string create_fresh_database(const std::string& template_name = "");
  // Creates `name` and runs init(uri) on it, unless it exists: once per
  // server, even when several test processes ask at once (an advisory lock).
  // For a template that each test then copies.
  std::string create_database_once(const std::string& name, const std::function<void(const std::string&)>& init);

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
  struct Attach {};
  enum class Mode { owned, for_run };
  explicit PostgresServer(Mode mode);
  PostgresServer(Attach, const std::filesystem::path& run_file);
  void refuse_if_attached(const char* what) const;
  void run_as_server_user(const std::vector<std::string>& argv, const std::string& what) const;
  pid_t postmaster_pid() const;

  std::filesystem::path folder_;  // socket, data/ and logs
  std::filesystem::path data_;
  int port_ = 0;
  bool running_ = false;
  int watchdog_pipe_ = -1;  // write end; its closing (our exit, even by a crash) stops the server
  pid_t watchdog_ = -1;
  int next_database_ = 0;
  bool attached_ = false;  // the run's server: never stopped from here
};

}  // namespace sotto::testing
