#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sotto::testing {

// A real relayd child process on a loopback port chosen by the kernel, with
// its own state directory and config file. Reads relayd's stderr in the
// background (so the pipe never fills) and learns the port from its
// "event=listening" line.
class RelaydProcess {
 public:
  // yaml: the config file's text; state_dir holds the database, certificate, blobs.
  RelaydProcess(std::filesystem::path state_dir, std::string yaml = {});
  ~RelaydProcess();
  RelaydProcess(const RelaydProcess&) = delete;
  RelaydProcess& operator=(const RelaydProcess&) = delete;

  // Starts relayd and waits (up to timeout) until it reports ready.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void kill9();     // SIGKILL and reap
  int terminate();  // SIGTERM, wait, return the exit status
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // for SIGSTOP/SIGCONT: a relay that hangs without dying

  std::uint16_t port() const { return port_; }
  std::uint16_t metrics_port() const { return metrics_port_; }
  const std::filesystem::path& state_dir() const { return state_dir_; }
  std::filesystem::path config_path() const { return state_dir_ / "relayd.yaml"; }
  std::string log() const;  // everything relayd wrote to stderr so far
  // Waits until the log contains needle.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout);
  // Peak resident memory of the running process in KiB (VmRSS).
  long rss_kib() const;

  static std::filesystem::path binary();

  // ---- Starting relayd the way systemd does (set these before start()) ----
  // Adds NAME=VALUE to relayd's environment, on top of the test's own.
  void set_environment(const std::string& name, const std::string& value);
  // Sets NAME to relayd's own pid. systemd sets WATCHDOG_PID and LISTEN_PID
  // to the service's pid, which only exists after fork, so the child writes it.
  void set_environment_to_own_pid(const std::string& name);
  // Runs relayd through a launcher: the command is launcher + relayd's own
  // arguments, e.g. {"/usr/bin/systemd-socket-activate", "-l", "127.0.0.1:7443"}.
  // The launcher's path must be absolute (it is not looked up in PATH).
  void set_launcher(std::vector<std::string> command);
  // The --listen address (default 127.0.0.1:0, a port the kernel picks). A
  // fixed port lets clients that pinned host:port reconnect after a restart.
  void set_listen(std::string address) { listen_ = std::move(address); }
  // Starts the process and returns at once; start() is spawn() + wait_ready().
  // A socket-activated relayd only starts at its first connection.
  void spawn();
  // Waits until this run of relayd has logged event=ready.
  bool wait_ready(std::chrono::milliseconds timeout);
  // SIGTERM, then waits up to timeout for the exit: the wait status, or
  // nullopt if relayd is still running (the destructor then kills it).
  std::optional<int> terminate_within(std::chrono::milliseconds timeout);
  // The most resident memory the running process has had, in KiB (VmHWM):
  // catches a buffer that grew and was freed again before anyone looked.
  long peak_rss_kib() const;

 private:
  void reap();
  std::filesystem::path state_dir_;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::vector<std::pair<std::string, std::string>> environment_;
  std::vector<std::string> own_pid_variables_;
  std::vector<std::string> launcher_;
  std::string listen_ = "127.0.0.1:0";
  std::size_t ready_search_from_ = 0;  // where this run's log begins
};

// Runs "relayd ARGS..." to completion; returns exit status and combined output.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_relayd_command(const std::vector<std::string>& args, const std::string& stdin_text = {});

}  // namespace sotto::testing
