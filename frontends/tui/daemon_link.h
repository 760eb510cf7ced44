#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "frontends/tui/chat_events.h"
#include "lib/api/client.h"
#include "lib/api/unique_fd.h"

namespace sotto::tui {

// One way to reach msgd: opens a client of the local API (lib/api), or
// throws api::TransportError.
struct DaemonTransport {
  std::function<std::unique_ptr<api::Client>()> connect;
  std::string description;  // "the session bus", the socket's path
};

// msg-tui's connection to msgd, kept off the terminal's thread: lib/api's
// clients block (each call bounded by its timeout), and the screen must never
// wait for msgd. Two threads, each with its own client:
//   - the call thread carries out the model's actions one at a time, and
//     (re)connects: tries each transport in order every `retry`, and once one
//     answers `status` and a second client of it has subscribed, posts
//     DaemonUp. So no event is missed between "up" and the first history;
//   - the event thread waits for msgd's events on the subscribed client.
// A broken connection on either posts DaemonDown and starts the reconnecting.
// Results and events are queued for the terminal's thread, which learns of
// them from wake_fd() becoming readable (an eventfd).
class DaemonLink {
 public:
  DaemonLink(std::vector<DaemonTransport> transports, std::chrono::milliseconds retry);
  ~DaemonLink();  // stops both threads; waits at most for one call's timeout
  DaemonLink(const DaemonLink&) = delete;
  DaemonLink& operator=(const DaemonLink&) = delete;

  void start();
  // Queues an action for msgd (LoadOverview, LoadHistory, SendText, ...).
  void request(Action action);
  int wake_fd() const { return wake_.get(); }
  // Everything posted since the last call; clears wake_fd().
  std::vector<Event> take_events();

 private:
  void run_calls();
  void run_events();
  bool connect_once();
  void drop_connection(const std::string& reason);
  void execute(const Action& action);
  void post(Event event);
  void post_down(const std::string& reason);

  std::vector<DaemonTransport> transports_;
  std::chrono::milliseconds retry_;
  api::UniqueFd wake_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  std::deque<Action> requests_;
  std::vector<Event> posted_;
  // Bumped at every (dis)connection: a client of an older generation is stale.
  std::uint64_t generation_ = 0;
  std::unique_ptr<api::Client> handed_events_;  // for the event thread
  std::uint64_t handed_generation_ = 0;
  bool down_posted_ = false;
  std::string last_down_reason_;

  // The call thread's own.
  std::unique_ptr<api::Client> calls_;
  std::uint64_t calls_generation_ = 0;

  std::thread call_thread_;
  std::thread event_thread_;
};

}  // namespace sotto::tui
