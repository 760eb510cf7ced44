#include "frontends/notify/event_loop.h"

#include <poll.h>
#include <pthread.h>
#include <sdbus-c++/Error.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include "frontends/notify/notify_log.h"

namespace sotto::notify {
namespace {

// A bounded number of bus messages per turn, so a flood on the bus cannot
// starve the timers; the next turn follows at once.
constexpr int kMaxBusMessagesPerTurn = 64;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

EventLoop::EventLoop(sdbus::IConnection& bus) : bus_(bus) {
  const sigset_t set = stop_signals();
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error("cannot block SIGTERM and SIGINT");
  signal_fd_ = api::UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_.valid()) throw std::runtime_error(std::string("signalfd failed: ") + std::strerror(errno));
}

EventLoop::~EventLoop() {
  signal_fd_.reset();
  const sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

EventLoop::TimerId EventLoop::call_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  timers_.emplace(std::make_pair(Clock::now() + delay, id), std::move(fn));
  return id;
}

void EventLoop::cancel(TimerId id) {
  // A handful of timers at most: a scan is simpler than a second index.
  const auto it = std::find_if(timers_.begin(), timers_.end(), [id](const auto& t) { return t.first.second == id; });
  if (it != timers_.end()) timers_.erase(it);
}

void EventLoop::stop(int status) {
  status_ = status;
  running_ = false;
}

void EventLoop::run_due_timers() {
  const Clock::time_point now = Clock::now();
  // Timers set by a handler run on a later turn, even when already due.
  while (running_ && !timers_.empty() && timers_.begin()->first.first <= now) {
    std::function<void()> fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
}

int EventLoop::poll_timeout_ms(const sdbus::IConnection::PollData& bus) const {
  std::optional<std::chrono::microseconds> wait = bus.getRelativeTimeout();
  if (!timers_.empty()) {
    const auto until_timer =
        std::chrono::duration_cast<std::chrono::microseconds>(timers_.begin()->first.first - Clock::now());
    const auto bounded = std::max(until_timer, std::chrono::microseconds(0));
    wait = wait ? std::min(*wait, bounded) : bounded;
  }
  if (!wait) return -1;
  // Round up: a wait rounded down to 0 ms would spin until the deadline.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

int EventLoop::run() {
  running_ = true;
  status_ = 0;
  while (running_) {
    sdbus::IConnection::PollData bus_poll{};
    try {
      for (int i = 0; running_ && i < kMaxBusMessagesPerTurn && bus_.processPendingRequest(); ++i) {
      }
      run_due_timers();
      if (!running_) break;
      bus_poll = bus_.getEventLoopPollData();
    } catch (const sdbus::Error& e) {
      log_warning("bus_lost", {{"error", e.getMessage()}});
      return 1;
    }
    pollfd fds[2] = {{bus_poll.fd, bus_poll.events, 0}, {signal_fd_.get(), POLLIN, 0}};
    if (::poll(fds, 2, poll_timeout_ms(bus_poll)) < 0 && errno != EINTR) {
      log_warning("poll_failed", {{"error", std::strerror(errno)}});
      return 1;
    }
    if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 && (fds[0].revents & POLLIN) == 0) {
      log_warning("bus_lost", {{"error", "the session bus closed the connection"}});
      return 1;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        log_event("stopping", {{"signal", std::to_string(info.ssi_signo)}});
      }
      return 0;
    }
  }
  return status_;
}

}  // namespace sotto::notify
