#pragma once

#include <sdbus-c++/IConnection.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "lib/api/unique_fd.h"

namespace sotto::notify {

// msg-notify's one thread: waits on the session bus (for what sd-bus asks),
// on timers, and on SIGTERM/SIGINT, and runs every handler in turn. Nothing
// in a handler blocks: D-Bus calls are asynchronous and retries are timers.
class EventLoop {
 public:
  using TimerId = std::uint64_t;

  // Blocks SIGTERM and SIGINT for this thread and takes them through a
  // signalfd instead. The bus connection must outlive the loop.
  explicit EventLoop(sdbus::IConnection& bus);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs fn once, after delay, on the loop.
  TimerId call_after(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(TimerId id);

  // Until stop(), a SIGTERM or SIGINT (status 0), or the bus connection breaks (status 1).
  int run();
  void stop(int status);

 private:
  using Clock = std::chrono::steady_clock;

  void run_due_timers();
  // Milliseconds poll() may sleep: until the earlier of sd-bus's timeout and the next timer.
  int poll_timeout_ms(const sdbus::IConnection::PollData& bus) const;

  sdbus::IConnection& bus_;
  api::UniqueFd signal_fd_;
  // By due time, then by id, so timers due together run in the order set.
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  TimerId next_id_ = 1;
  bool running_ = false;
  int status_ = 0;
};

}  // namespace sotto::notify
