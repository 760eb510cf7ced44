#include "tests/integration/support/relayd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace sotto::testing {

std::filesystem::path RelaydProcess::binary() { return SOTTO_RELAYD_BINARY; }

RelaydProcess::RelaydProcess(std::filesystem::path state_dir, std::string yaml) : state_dir_(std::move(state_dir)) {
  std::filesystem::create_directories(state_dir_);
  std::ofstream(config_path()) << yaml;
}

RelaydProcess::~RelaydProcess() {
  if (pid_ > 0) kill9();
}

void RelaydProcess::start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) throw std::logic_error("relayd already running");
  std::size_t log_start = 0;
  {
    std::lock_guard lock(mutex_);
    port_ = 0;
    metrics_port_ = 0;
    log_ += "---- start ----\n";
    log_start = log_.size();
  }
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string config = config_path().string();
  const std::string state = state_dir_.string();
  const std::string bin = binary().string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(pipefd[1], STDERR_FILENO);
    ::dup2(pipefd[1], STDOUT_FILENO);
    const char* argv[] = {bin.c_str(),   "--config",    config.c_str(), "--listen",
                          "127.0.0.1:0", "--state-dir", state.c_str(),  nullptr};
    ::execv(bin.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(pipefd[1]);
  stderr_fd_ = pipefd[0];
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread([this, fd = stderr_fd_] {
    std::array<char, 4096> buf{};
    const std::regex listening(R"(event=listening address=\S+ port=(\d+))");
    const std::regex metrics(R"(event=metrics_listening address=\S+ port=(\d+))");
    std::string line;
    for (;;) {
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n <= 0) break;
      std::lock_guard lock(mutex_);
      for (ssize_t i = 0; i < n; ++i) {
        const char c = buf[static_cast<std::size_t>(i)];
        log_.push_back(c);
        if (c != '\n') {
          line.push_back(c);
          continue;
        }
        std::smatch m;
        if (port_ == 0 && std::regex_search(line, m, listening)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        if (metrics_port_ == 0 && std::regex_search(line, m, metrics)) {
          metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        }
        line.clear();
      }
      changed_.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  });
  bool ready = false;
  {
    // Only this run's lines count: an earlier run's "ready" must not.
    std::unique_lock lock(mutex_);
    ready = changed_.wait_for(lock, timeout, [&] { return log_.find("event=ready", log_start) != std::string::npos; });
  }
  if (!ready) {
    const std::string text = log();
    kill9();
    throw std::runtime_error("relayd did not become ready; its output:\n" + text);
  }
}

bool RelaydProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return log_.find(needle) != std::string::npos; });
}

std::string RelaydProcess::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void RelaydProcess::reap() {
  if (reader_.joinable()) reader_.join();
  pid_ = -1;
}

void RelaydProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reap();
}

int RelaydProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reap();
  return status;
}

long RelaydProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      in >> kib;
      return kib;
    }
    in.ignore(4096, '\n');
  }
  return -1;
}

CommandResult run_relayd_command(const std::vector<std::string>& args, const std::string& stdin_text) {
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string bin = RelaydProcess::binary().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    std::vector<const char*> argv{bin.c_str()};
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  if (!stdin_text.empty()) (void)!::write(in[1], stdin_text.data(), stdin_text.size());
  ::close(in[1]);
  CommandResult result;
  std::array<char, 4096> buf{};
  ssize_t n;
  while ((n = ::read(out[0], buf.data(), buf.size())) > 0)
    result.output.append(buf.data(), static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace sotto::testing
