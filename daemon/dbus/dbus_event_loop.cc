#include "daemon/dbus/dbus_event_loop.h"

#include <poll.h>
#include <sdbus-c++/Error.h>

#include <optional>
#include <utility>

namespace sotto::msgd {

namespace asio = net::asio;

// Lives as long as any wait handler still references it (each holds a
// shared_ptr), so a cancelled wait completing after the loop is gone is safe;
// `stopped` keeps such a handler off the connection.
struct DbusEventLoop::State {
  State(asio::io_context& io, sdbus::IConnection& c, FailureHandler f)
      : io(io), connection(&c), on_failure(std::move(f)), descriptor(io), timer(io) {}

  asio::io_context& io;
  sdbus::IConnection* connection;
  FailureHandler on_failure;
  asio::posix::stream_descriptor descriptor;
  asio::steady_timer timer;
  // Each arm() starts a new generation; completions of older waits (cancelled,
  // or losing the race to another wait) are ignored.
  unsigned long generation = 0;
  bool stopped = true;
  bool wake_posted = false;

  static void turn(const std::shared_ptr<State>& s);
  static void on_ready(const std::shared_ptr<State>& s, unsigned long generation);
  static void arm(const std::shared_ptr<State>& s);
  static void fail(const std::shared_ptr<State>& s, const std::string& reason);
};

namespace {

// A bounded number of requests per turn, so a flood on the bus cannot starve
// the rest of msgd; sd-bus then reports a zero timeout and the next turn follows.
constexpr int kMaxRequestsPerTurn = 64;

void release_descriptor(asio::posix::stream_descriptor& descriptor) {
  // release(), not close(): the fd is sd-bus's.
  if (descriptor.is_open()) descriptor.release();
}

}  // namespace

void DbusEventLoop::State::turn(const std::shared_ptr<State>& s) {
  if (s->stopped) return;
  try {
    for (int i = 0; i < kMaxRequestsPerTurn && s->connection->processPendingRequest(); ++i) {
    }
  } catch (const sdbus::Error& e) {
    fail(s, e.getMessage());
    return;
  }
  if (s->stopped) return;  // a handler may have stopped the service
  arm(s);
}

void DbusEventLoop::State::on_ready(const std::shared_ptr<State>& s, unsigned long generation) {
  if (s->stopped || generation != s->generation) return;
  turn(s);
}

void DbusEventLoop::State::arm(const std::shared_ptr<State>& s) {
  const unsigned long generation = ++s->generation;
  boost::system::error_code ignored;
  s->descriptor.cancel(ignored);
  s->timer.cancel();

  sdbus::IConnection::PollData poll_data{};
  try {
    poll_data = s->connection->getEventLoopPollData();
  } catch (const sdbus::Error& e) {
    fail(s, e.getMessage());
    return;
  }
  if (s->descriptor.is_open() && s->descriptor.native_handle() != poll_data.fd) release_descriptor(s->descriptor);
  if (!s->descriptor.is_open()) s->descriptor.assign(poll_data.fd);

  auto handler = [s, generation](const boost::system::error_code&) { on_ready(s, generation); };
  if (poll_data.events & POLLIN) s->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, handler);
  if (poll_data.events & POLLOUT) s->descriptor.async_wait(asio::posix::stream_descriptor::wait_write, handler);
  if (std::optional<std::chrono::microseconds> timeout = poll_data.getRelativeTimeout()) {
    s->timer.expires_after(*timeout);
    s->timer.async_wait(handler);
  }
}

void DbusEventLoop::State::fail(const std::shared_ptr<State>& s, const std::string& reason) {
  s->stopped = true;
  boost::system::error_code ignored;
  s->descriptor.cancel(ignored);
  s->timer.cancel();
  release_descriptor(s->descriptor);
  if (s->on_failure) s->on_failure(reason);
}

DbusEventLoop::DbusEventLoop(asio::io_context& io, sdbus::IConnection& connection, FailureHandler on_failure)
    : state_(std::make_shared<State>(io, connection, std::move(on_failure))) {}

DbusEventLoop::~DbusEventLoop() { stop(); }

void DbusEventLoop::start() {
  if (!state_->stopped) return;
  state_->stopped = false;
  State::turn(state_);
}

void DbusEventLoop::wake() {
  if (state_->stopped || state_->wake_posted) return;
  state_->wake_posted = true;
  asio::post(state_->io, [s = state_] {
    s->wake_posted = false;
    State::turn(s);
  });
}

void DbusEventLoop::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  ++state_->generation;
  boost::system::error_code ignored;
  state_->descriptor.cancel(ignored);
  state_->timer.cancel();
  release_descriptor(state_->descriptor);
}

}  // namespace sotto::msgd
