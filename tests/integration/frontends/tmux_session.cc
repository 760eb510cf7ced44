#include "tests/integration/frontends/tmux_session.h"

#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "tests/integration/support/child_process.h"

namespace sotto::testing {
namespace {

constexpr const char* kTmux = "/usr/bin/tmux";
constexpr const char* kTarget = "tui";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool TmuxSession::available() { return ::access(kTmux, X_OK) == 0; }

TmuxSession::TmuxSession(std::filesystem::path dir, const std::vector<std::string>& command,
                         const std::vector<std::pair<std::string, std::string>>& env, int width, int height)
    : socket_(dir / "tmux.sock") {
  // `env -i` so the program sees exactly env (plus a PATH), whatever the
  // tmux server's own environment holds. remain-on-exit keeps the pane after
  // the program exits, so a test can still read its last screen.
  std::string line = "exec /usr/bin/env -i PATH=/usr/bin:/bin";
  for (const auto& [name, value] : env) line += " " + shell_quote(name + "=" + value);
  for (const auto& arg : command) line += " " + shell_quote(arg);
  tmux({"-f", "/dev/null", "new-session", "-d", "-s", kTarget, "-x", std::to_string(width), "-y",
        std::to_string(height), line});
  tmux({"set-option", "-t", kTarget, "remain-on-exit", "on"});
}

TmuxSession::~TmuxSession() { tmux({"kill-server"}, false); }

std::string TmuxSession::tmux(const std::vector<std::string>& args, bool check) {
  std::vector<std::string> argv{kTmux, "-S", socket_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProgramResult r = run_program(argv, {}, {{"LANG", "C.UTF-8"}}, std::chrono::seconds(20));
  if (check && r.status != 0) throw std::runtime_error("tmux " + args.front() + " failed: " + r.output);
  return r.out;
}

void TmuxSession::type(const std::string& text) { tmux({"send-keys", "-t", kTarget, "-l", text}); }
void TmuxSession::press(const std::string& key_name) { tmux({"send-keys", "-t", kTarget, key_name}); }
std::string TmuxSession::screen() { return tmux({"capture-pane", "-p", "-t", kTarget}); }
std::string TmuxSession::screen_with_attributes() { return tmux({"capture-pane", "-p", "-e", "-t", kTarget}); }

bool TmuxSession::wait_for(const std::function<bool(const std::string&)>& check, std::chrono::milliseconds timeout,
                           std::string* last) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string s = screen();
    const bool ok = check(s);
    if (last != nullptr) *last = s;
    if (ok) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool TmuxSession::wait_for_text(const std::string& needle, std::chrono::milliseconds timeout) {
  return wait_for([&](const std::string& s) { return s.find(needle) != std::string::npos; }, timeout);
}

void TmuxSession::resize(int width, int height) {
  tmux({"resize-window", "-t", kTarget, "-x", std::to_string(width), "-y", std::to_string(height)});
}

std::string TmuxSession::format(const std::string& variable) {
  std::string out = tmux({"display-message", "-p", "-t", kTarget, variable});
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

pid_t TmuxSession::program_pid() { return static_cast<pid_t>(std::stol(format("#{pane_pid}"))); }
bool TmuxSession::program_running() { return format("#{pane_dead}") != "1"; }

}  // namespace sotto::testing
