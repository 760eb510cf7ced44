#include "frontends/tui/tui_app.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "lib/api/unique_fd.h"

namespace sotto::tui {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TuiApp::TuiApp(ChatModel& model, DaemonLink& link, Terminal& terminal, Options options)
    : model_(model), link_(link), terminal_(terminal), options_(options) {}

void TuiApp::handle(const Event& event) {
  for (Action& action : model_.apply(event)) {
    if (std::holds_alternative<Quit>(action)) {
      quit_ = true;
    } else if (std::holds_alternative<Ring>(action)) {
      terminal_.ring_bell();
    } else {
      link_.request(std::move(action));
    }
  }
}

int TuiApp::run() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGWINCH, SIGTERM, SIGHUP, SIGINT}) sigaddset(&signals, s);
  const api::UniqueFd signal_fd(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signal_fd.valid()) throw std::system_error(errno, std::generic_category(), "signalfd");

  const auto [width, height] = terminal_.size();
  handle(Resized{width, height});
  terminal_.draw(layout_screen(model_));
  auto next_presence = Clock::now() + options_.presence_interval;

  while (!quit_) {
    pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {link_.wake_fd(), POLLIN, 0}, {signal_fd.get(), POLLIN, 0}};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_presence - Clock::now());
    const int ready = ::poll(fds, 3, static_cast<int>(std::max<std::int64_t>(0, wait.count())));
    if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
    bool dirty = false;
    if (ready > 0 && (fds[2].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      while (::read(signal_fd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGWINCH) {
          terminal_.update_size();
          const auto [w, h] = terminal_.size();
          handle(Resized{w, h});
          dirty = true;
        } else {
          quit_ = true;
        }
      }
    }
    if (ready > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 && (fds[0].revents & POLLIN) == 0) {
      return 1;  // the terminal went away: nobody to show anything to
    }
    if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
      Terminal::Input input = terminal_.read_input();
      if (input.resized) {
        const auto [w, h] = terminal_.size();
        handle(Resized{w, h});
      }
      if (input.redraw) terminal_.repaint_all();
      const std::int64_t at = now_ms();
      for (const Key& k : input.keys) handle(KeyPressed{k, at});
      dirty = true;
    }
    if (ready > 0 && (fds[1].revents & POLLIN) != 0) {
      for (const Event& e : link_.take_events()) handle(e);
      dirty = true;
    }
    if (Clock::now() >= next_presence) {
      next_presence = Clock::now() + options_.presence_interval;
      if (model_.daemon_state() == DaemonState::kUp) link_.request(LoadPresence{});
    }
    if (dirty && !quit_) terminal_.draw(layout_screen(model_));
  }
  return 0;
}

}  // namespace sotto::tui
