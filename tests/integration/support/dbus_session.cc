#include "tests/integration/support/dbus_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace sotto::testing {
namespace {

constexpr const char* kDbusDaemon = "/usr/bin/dbus-daemon";

// Reads the first line dbus-daemon writes to fd (its address), up to the deadline.
std::string read_address(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string out;
  while (out.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("dbus-daemon did not print its address in time");
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw std::runtime_error("poll on dbus-daemon's address pipe failed");
    if (r == 0) continue;
    char buf[512];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("dbus-daemon exited before printing its address");
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out.substr(0, out.find('\n'));
}

}  // namespace

DbusSession::DbusSession(std::filesystem::path dir, std::vector<std::filesystem::path> service_dirs,
                         std::chrono::milliseconds timeout)
    : dir_(std::move(dir)) {
  const auto config = dir_ / "session.conf";
  {
    std::ofstream out(config);
    out << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig>\n"
           "  <type>session</type>\n"
           "  <listen>unix:path="
        << (dir_ / "bus").string()
        << "</listen>\n"
           "  <auth>EXTERNAL</auth>\n";
    for (const auto& d : service_dirs) out << "  <servicedir>" << d.string() << "</servicedir>\n";
    out << "  <policy context=\"default\">\n"
           "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
           "    <allow eavesdrop=\"true\"/>\n"
           "    <allow own=\"*\"/>\n"
           "  </policy>\n"
           "</busconfig>\n";
    if (!out) throw std::runtime_error("cannot write " + config.string());
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  constexpr int kAddressFd = 3;  // the child's end, as --print-address=3
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // Its complaints (e.g. that it may not raise the fd limit) go to a file in dir, not the test's output.
  const std::string log = (dir_ / "dbus-daemon.log").string();
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], kAddressFd);
  const std::string config_arg = "--config-file=" + config.string();
  const std::string print_arg = "--print-address=" + std::to_string(kAddressFd);
  std::vector<char*> argv{const_cast<char*>(kDbusDaemon), const_cast<char*>(config_arg.c_str()),
                          const_cast<char*>("--nofork"), const_cast<char*>(print_arg.c_str()), nullptr};
  const int rc = ::posix_spawn(&pid_, kDbusDaemon, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    pid_ = -1;
    throw std::runtime_error(std::string("cannot start ") + kDbusDaemon);
  }
  try {
    address_ = read_address(pipe_fds[0], std::chrono::steady_clock::now() + timeout);
  } catch (...) {
    ::close(pipe_fds[0]);
    kill();
    throw;
  }
  ::close(pipe_fds[0]);
}

DbusSession::~DbusSession() {
  kill();
  if (exported_) {
    if (previous_address_) {
      ::setenv("DBUS_SESSION_BUS_ADDRESS", previous_address_->c_str(), 1);
    } else {
      ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
    }
  }
}

void DbusSession::export_to_environment() {
  if (!exported_) {
    if (const char* previous = std::getenv("DBUS_SESSION_BUS_ADDRESS")) previous_address_ = previous;
    exported_ = true;
  }
  ::setenv("DBUS_SESSION_BUS_ADDRESS", address_.c_str(), 1);
}

void DbusSession::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace sotto::testing
