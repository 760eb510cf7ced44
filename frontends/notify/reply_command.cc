#include "frontends/notify/reply_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "frontends/notify/notify_log.h"

extern char** environ;

namespace sotto::notify {
namespace {

void reap_children(int) {
  const int saved = errno;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  errno = saved;
}

// posix_spawn attributes freed on every path.
class SpawnAttributes {
 public:
  SpawnAttributes() { ::posix_spawnattr_init(&attr_); }
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

}  // namespace

ProcessLauncher::ProcessLauncher() {
  struct sigaction action {};
  action.sa_handler = reap_children;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  ::sigaction(SIGCHLD, &action, nullptr);
}

void ProcessLauncher::launch(const std::vector<std::string>& argv_in) {
  if (argv_in.empty()) return;
  std::vector<std::string> words = argv_in;
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  SpawnAttributes attributes;
  // What msg-notify changed (SIGCHLD reaping, SIGPIPE ignored) or blocks
  // (SIGTERM, SIGINT: taken through a signalfd) goes back to the default.
  sigset_t changed;
  sigemptyset(&changed);
  for (const int sig : {SIGCHLD, SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&changed, sig);
  sigset_t none;
  sigemptyset(&none);
  ::posix_spawnattr_setsigdefault(attributes.get(), &changed);
  ::posix_spawnattr_setsigmask(attributes.get(), &none);
  ::posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  const int error = ::posix_spawnp(&pid, argv[0], nullptr, attributes.get(), argv.data(), environ);
  if (error != 0) {
    log_warning("reply_command_failed", {{"program", words[0]}, {"error", std::strerror(error)}});
    return;
  }
  log_event("reply_command_started", {{"program", words[0]}, {"pid", std::to_string(pid)}});
}

}  // namespace sotto::notify
