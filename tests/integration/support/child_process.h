#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sotto::testing {

// A real child process whose stdout and stderr the test collects in the
// background (so the pipe never fills), for waiting on log lines.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is an absolute path. env: NAME=VALUE pairs replacing the test's
  // own; unset: names removed from the inherited environment.
  void spawn(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env = {},
             const std::vector<std::string>& unset = {});
  // Waits until this run's output contains needle.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout);
  void kill9();
  // SIGTERM and wait: the wait status, or nullopt if still running after timeout.
  std::optional<int> terminate_within(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string output() const;           // everything so far, all runs
  std::string output_this_run() const;  // since the last spawn
  long rss_kib() const;                 // VmRSS of the running process

 private:
  void reap();
  pid_t pid_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  std::size_t run_start_ = 0;
};

// Runs a program to completion: exit status (128+N for signal N) and output.
struct ProgramResult {
  int status = -1;
  std::string output;  // stdout and stderr together
  std::string out;     // stdout alone
};
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                          const std::vector<std::pair<std::string, std::string>>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace sotto::testing
