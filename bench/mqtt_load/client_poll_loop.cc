#include "bench/mqtt_load/client_poll_loop.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

namespace sotto::mqtt_load {

namespace {

using Clock = std::chrono::steady_clock;

// The longest one poll waits: how soon the loop notices state.stop and the
// next keepalive tick. Paced clients wake it sooner, for their next message.
constexpr auto kMaxWait = std::chrono::milliseconds(5);
// libmosquitto wants mosquitto_loop_misc "around once per second" (mosquitto.h).
constexpr auto kTickInterval = std::chrono::seconds(1);
// At the end: how long DISCONNECTs may take to leave.
constexpr auto kGoodbyeGrace = std::chrono::milliseconds(500);

timespec to_timespec(Clock::duration d) {
  const auto ns = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace

ClientPollLoop::ClientPollLoop(MqttRunState& state, std::vector<MqttClient*> clients)
    : state_(state), clients_(std::move(clients)) {}

ClientPollLoop::~ClientPollLoop() {
  state_.stop.store(true);
  join();
}

void ClientPollLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void ClientPollLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void ClientPollLoop::run() {
  try {
    for (auto* client : clients_) client->connect();
    serve();
    say_goodbye();
  } catch (const std::exception& e) {
    // A bug in this tool or a broken library; report it so that the run
    // fails with a reason instead of hanging until its deadline.
    state_.errors.add("internal_error");
    std::cerr << "mqtt_load: internal error in a poll loop: " << e.what() << '\n';
  }
}

void ClientPollLoop::serve() {
  std::vector<pollfd> fds;
  std::vector<MqttClient*> polled;
  auto next_tick = Clock::now() + kTickInterval;
  while (!state_.stop.load(std::memory_order_relaxed)) {
    // Publish first: the PUBACKs read in the last round made room.
    std::optional<Clock::time_point> wake;
    for (auto* client : clients_) {
      if (const auto due = client->publish_due()) wake = wake ? std::min(*wake, *due) : *due;
    }

    fds.clear();
    polled.clear();
    for (auto* client : clients_) {
      const int fd = client->socket();
      if (fd < 0) continue;
      const short events = static_cast<short>(POLLIN | (client->wants_write() ? POLLOUT : 0));
      fds.push_back(pollfd{fd, events, 0});
      polled.push_back(client);
    }
    const auto now = Clock::now();
    const auto wait =
        wake ? std::clamp<Clock::duration>(*wake - now, Clock::duration::zero(), kMaxWait) : Clock::duration(kMaxWait);
    const timespec timeout = to_timespec(wait);
    const int ready = ::ppoll(fds.data(), fds.size(), &timeout, nullptr);
    if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("ppoll: ") + std::strerror(errno));

    for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      const short revents = fds[i].revents;
      if (revents == 0) continue;
      // An error or hang-up is found by the read, which reports it.
      if (revents & (POLLIN | POLLERR | POLLHUP)) polled[i]->on_readable();
      if ((revents & POLLOUT) && polled[i]->socket() >= 0) polled[i]->on_writable();
    }
    if (Clock::now() >= next_tick) {
      for (auto* client : clients_) client->on_tick();
      next_tick += kTickInterval;
    }
  }
}

void ClientPollLoop::say_goodbye() {
  for (auto* client : clients_) client->disconnect();
  const auto deadline = Clock::now() + kGoodbyeGrace;
  std::vector<pollfd> fds;
  std::vector<MqttClient*> polled;
  while (Clock::now() < deadline) {
    fds.clear();
    polled.clear();
    for (auto* client : clients_) {
      if (client->socket() >= 0 && client->wants_write()) {
        fds.push_back(pollfd{client->socket(), POLLOUT, 0});
        polled.push_back(client);
      }
    }
    if (fds.empty()) return;
    const timespec timeout = to_timespec(kMaxWait);
    if (::ppoll(fds.data(), fds.size(), &timeout, nullptr) < 0 && errno != EINTR) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) polled[i]->on_writable();
    }
  }
}

}  // namespace sotto::mqtt_load
