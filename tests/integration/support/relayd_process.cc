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
#include <string_view>

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
  spawn();
  if (!wait_ready(timeout)) {
    const std::string text = log();
    kill9();
    throw std::runtime_error("relayd did not become ready; its output:\n" + text);
  }
}

namespace {
// Writes n in decimal and a NUL at out, without allocating: it runs between
// fork and exec, where only async-signal-safe work is allowed.
void write_decimal(char* out, long n) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  while (count > 0) *out++ = digits[--count];
  *out = '\0';
}
}  // namespace

void RelaydProcess::spawn() {
  if (pid_ > 0) throw std::logic_error("relayd already running");
  {
    std::lock_guard lock(mutex_);
    port_ = 0;
    metrics_port_ = 0;
    log_ += "---- start ----\n";
    // Only this run's lines count: an earlier run's "ready" must not.
    ready_search_from_ = log_.size();
  }
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = launcher_;
  args.insert(args.end(), {binary().string(), "--config", config_path().string(), "--listen", listen_,
                           "--state-dir", state_dir_.string()});
  // The environment is built before fork: the child of a threaded process may
  // not allocate. Variables set here replace the test's own of the same name.
  std::vector<std::string> env;
  auto overridden = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    for (const auto& [n, v] : environment_)
      if (n == name) return true;
    for (const auto& n : own_pid_variables_)
      if (n == name) return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env.emplace_back(*e);
  }
  for (const auto& [n, v] : environment_) env.push_back(n + "=" + v);
  std::vector<std::pair<std::size_t, std::size_t>> pid_slots;  // (entry, offset of the value)
  for (const auto& n : own_pid_variables_) {
    pid_slots.emplace_back(env.size(), n.size() + 1);
    env.push_back(n + "=" + std::string(23, '0'));  // room for any pid
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const pid_t self = ::getpid();
    for (const auto& [entry, offset] : pid_slots) write_decimal(envp[entry] + offset, self);
    ::dup2(pipefd[1], STDERR_FILENO);
    ::dup2(pipefd[1], STDOUT_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
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
}

bool RelaydProcess::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [&] { return log_.find("event=ready", ready_search_from_) != std::string::npos; });
}

void RelaydProcess::set_environment(const std::string& name, const std::string& value) {
  environment_.emplace_back(name, value);
}

void RelaydProcess::set_environment_to_own_pid(const std::string& name) { own_pid_variables_.push_back(name); }

void RelaydProcess::set_launcher(std::vector<std::string> command) { launcher_ = std::move(command); }

std::optional<int> RelaydProcess::terminate_within(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reap();
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
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

long RelaydProcess::peak_rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
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
