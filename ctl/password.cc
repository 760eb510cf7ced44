#include "ctl/password.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <istream>

#include "ctl/command.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

constexpr std::size_t kMaxPassword = kMaxArgumentBytes;

// The terminal state a signal handler restores. Only one prompt runs at a time.
volatile std::sig_atomic_t g_restore_active = 0;
int g_tty_fd = -1;
termios g_saved_termios{};

extern "C" void restore_terminal_and_reraise(int signal_number) {
  if (g_restore_active) tcsetattr(g_tty_fd, TCSANOW, &g_saved_termios);
  // SA_RESETHAND put the default action back; raising again runs it once this
  // handler returns, so the process ends the way it would have without us.
  raise(signal_number);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Echo off for its lifetime, with signal handlers that put echo back.
class EchoOff {
 public:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) return;
    g_tty_fd = fd_;
    g_saved_termios = saved_;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_reraise;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &previous_[i]);
    g_restore_active = 1;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (g_tty_fd != fd_) return;
    tcsetattr(fd_, TCSANOW, &saved_);
    g_restore_active = 0;
    for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
    g_tty_fd = -1;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  struct sigaction previous_[std::size(kSignals)]{};
  bool active_ = false;
};

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void check_password(const std::string& password) {
  if (password.empty()) throw UsageError("the password is empty");
  if (password.size() > kMaxPassword) throw UsageError("the password is longer than 64 KiB");
  if (!is_valid_utf8(password)) throw UsageError("the password is not valid UTF-8");
}

}  // namespace

void wipe(std::string& secret) {
  if (!secret.empty()) explicit_bzero(secret.data(), secret.size());
  secret.clear();
}

std::string read_password_line(std::istream& in) {
  std::string line;
  char c = 0;
  bool got_any = false;
  while (in.get(c)) {
    got_any = true;
    if (c == '\n') break;
    if (line.size() > kMaxPassword) {
      wipe(line);
      throw UsageError("the password on stdin is longer than 64 KiB");
    }
    line.push_back(c);
  }
  if (!got_any) throw UsageError("--password-stdin: stdin is empty (expected the password on one line)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  try {
    check_password(line);
  } catch (...) {
    wipe(line);
    throw;
  }
  return line;
}

std::optional<std::string> prompt_on_terminal(std::string_view prompt) {
  const FileDescriptor tty(open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.get() < 0) return std::nullopt;
  std::string password;
  {
    const EchoOff echo_off(tty.get());
    if (!echo_off.active()) return std::nullopt;
    write_all(tty.get(), prompt);
    char c = 0;
    for (;;) {
      const ssize_t n = read(tty.get(), &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || c == '\n') break;
      if (password.size() > kMaxPassword) break;
      password.push_back(c);
    }
    c = 0;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

std::string obtain_password(Context& context, bool confirm) {
  if (context.args.password_stdin) return read_password_line(context.in);
  if (!context.stdin_is_terminal || !context.prompt_password) {
    throw UsageError("no terminal to ask for the password on: pass it on stdin with --password-stdin");
  }
  std::optional<std::string> first = context.prompt_password("Password: ");
  if (!first) throw UsageError("no terminal to ask for the password on: pass it on stdin with --password-stdin");
  WipeOnExit wipe_first(*first);
  check_password(*first);
  if (confirm) {
    std::optional<std::string> second = context.prompt_password("Repeat the password: ");
    if (!second) throw UsageError("no terminal to ask for the password on");
    WipeOnExit wipe_second(*second);
    if (*second != *first) throw UsageError("the two passwords differ; nothing was registered");
  }
  std::string password = *first;
  return password;
}

}  // namespace sotto::ctl
