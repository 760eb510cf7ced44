// RelayLink, the supervisor, against real relayd processes: it reconnects
// after relayd is killed and restarted on the same port (calling
// on_connected again), reports up and down, backs off, keeps retrying a pin
// mismatch at the capped pace, and stops promptly.

#include "daemon/relay/relay_link.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "tests/integration/daemon/relay/relay_test_support.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::msgd::testing {
namespace {

using sotto::testing::RelaydProcess;

struct StateEvent {
  bool up;
  std::string reason;
  Clock::time_point at;
};

// What the hooks saw. Owned by the test, outliving the link.
struct Observed {
  std::vector<StateEvent> states;
  int connected_calls = 0;
  int pongs = 0;
  bool fail_first_on_connected = false;
  std::vector<std::string> hook_errors;

  int ups() const {
    int n = 0;
    for (const auto& s : states) n += s.up ? 1 : 0;
    return n;
  }
  int downs() const { return static_cast<int>(states.size()) - ups(); }
};

Awaitable<void> on_connected(Observed* seen, std::shared_ptr<RelayConnection> connection) {
  ++seen->connected_calls;
  if (seen->fail_first_on_connected && seen->connected_calls == 1) {
    throw std::runtime_error("login refused for the test");
  }
  // The hook can use the connection: its read loop is already running.
  wire::Frame ping;
  ping.mutable_ping();
  const wire::Frame answer = co_await connection->request(ping, milliseconds(3000));
  if (answer.body_case() == wire::Frame::kPong) ++seen->pongs;
}

RelayLinkHooks hooks_for(Observed* seen) {
  RelayLinkHooks hooks;
  hooks.on_connected = [seen](std::shared_ptr<RelayConnection> connection) {
    return on_connected(seen, std::move(connection));
  };
  hooks.on_state = [seen](bool up, const std::string& reason) { seen->states.push_back({up, reason, Clock::now()}); };
  return hooks;
}

// Waits until pred() or limit; the io thread keeps running meanwhile. Callers
// build the awaitable first and then co_await it: g++ 12 mishandles lambda
// temporaries inside a co_await expression.
Awaitable<bool> wait_until(std::function<bool()> pred, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!pred() && Clock::now() < deadline) co_await sleep_for(milliseconds(10));
  co_return pred();
}

class RelayLinkTest : public RelayTestBase {
 protected:
  void TearDown() override {
    if (HasFailure() && relayd_) std::cerr << "---- relayd log ----\n" << relayd_->log() << "--------------------\n";
    relayd_.reset();
    RelayTestBase::TearDown();
  }

  asio::io_context io_;
  MemoryPinStore pins_;
  std::unique_ptr<RelaydProcess> relayd_;
  Observed seen_;
};

struct ReconnectResult {
  bool first_up = false;
  bool went_down = false;
  bool back_up = false;
  bool current_null_while_down = false;
  bool current_set_while_up = false;
};

Awaitable<void> kill_and_restart(RelayLink* link, RelaydProcess* relayd, Observed* seen, ReconnectResult* out) {
  link->start();
  auto wait1 = wait_until([&] { return seen->pongs == 1; }, milliseconds(5000));
  out->first_up = co_await std::move(wait1);
  out->current_set_while_up = link->current() != nullptr && link->connected();
  relayd->kill9();
  auto wait2 = wait_until([&] { return !link->connected(); }, milliseconds(3000));
  out->went_down = co_await std::move(wait2);
  out->current_null_while_down = link->current() == nullptr;
  // Let a failed attempt or two happen while relayd is away.
  co_await sleep_for(milliseconds(300));
  relayd->start();  // blocks the io thread while relayd starts; fine for the test
  auto wait3 = wait_until([&] { return seen->pongs == 2; }, milliseconds(5000));
  out->back_up = co_await std::move(wait3);
  link->stop();
}

TEST_F(RelayLinkTest, ReconnectsAfterRelaydIsKilledAndRestartedOnTheSamePort) {
  const std::uint16_t port = free_loopback_port();
  relayd_ = make_relayd_on_port(dir_ / "relayd", port);
  relayd_->start();
  RelayLink link(io_.get_executor(), RelayEndpoint{"127.0.0.1", port}, pins_, std::nullopt, hooks_for(&seen_),
                 net::Backoff(milliseconds(50), milliseconds(400), 1));
  ReconnectResult r;
  run_until_done(io_, kill_and_restart(&link, relayd_.get(), &seen_, &r), milliseconds(15000));

  EXPECT_TRUE(r.first_up);
  EXPECT_TRUE(r.current_set_while_up);
  EXPECT_TRUE(r.went_down);
  EXPECT_TRUE(r.current_null_while_down);
  EXPECT_TRUE(r.back_up);
  EXPECT_EQ(seen_.connected_calls, 2) << "on_connected runs once per connection";
  EXPECT_EQ(seen_.pongs, 2);
  ASSERT_GE(seen_.states.size(), 3U);
  EXPECT_TRUE(seen_.states.front().up);
  EXPECT_EQ(seen_.states.front().reason, "");
  EXPECT_FALSE(seen_.states[1].up);
  EXPECT_FALSE(seen_.states[1].reason.empty());
  EXPECT_TRUE(seen_.states.back().up);
  EXPECT_EQ(seen_.ups(), 2);
  // Attempts while relayd was down were reported as failures with a reason.
  for (std::size_t i = 2; i + 1 < seen_.states.size(); ++i) {
    EXPECT_FALSE(seen_.states[i].up);
    EXPECT_NE(seen_.states[i].reason.find("cannot connect to relay 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << seen_.states[i].reason;
  }
  EXPECT_EQ(pins_.saves, 1) << "the restarted relayd kept its certificate";
}

struct PinRetryResult {
  std::vector<StateEvent> before_forget;
  bool connected_after_forget = false;
  milliseconds reconnect_took{0};
};

Awaitable<void> mismatch_then_forget(RelayLink* link, MemoryPinStore* pins, Observed* seen, PinRetryResult* out) {
  link->start();
  auto wait4 = wait_until([&] { return seen->downs() >= 3; }, milliseconds(5000));
  co_await std::move(wait4);
  out->before_forget = seen->states;
  // What `msgctl relay forget` does: drop the pin, then ask for a reconnect now.
  pins->pins.clear();
  const auto forgot_at = Clock::now();
  link->reconnect_now();
  auto wait5 = wait_until([&] { return link->connected(); }, milliseconds(3000));
  out->connected_after_forget = co_await std::move(wait5);
  out->reconnect_took = std::chrono::duration_cast<milliseconds>(Clock::now() - forgot_at);
  link->stop();
}

TEST_F(RelayLinkTest, APinMismatchIsRetriedAtTheCappedPaceAndReportedUntilForgotten) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  const RelayEndpoint endpoint{"127.0.0.1", relayd_->port()};
  const std::string stale = "sha256:" + std::string(64, 'e');
  pins_.pins[endpoint.to_string()] = stale;
  // The cap (250 ms) is what a mismatch waits, never the 10 ms initial wait.
  RelayLink link(io_.get_executor(), endpoint, pins_, std::nullopt, hooks_for(&seen_),
                 net::Backoff(milliseconds(10), milliseconds(250), 2));
  PinRetryResult r;
  run_until_done(io_, mismatch_then_forget(&link, &pins_, &seen_, &r), milliseconds(10000));

  ASSERT_GE(r.before_forget.size(), 3U);
  for (std::size_t i = 0; i < r.before_forget.size(); ++i) {
    const auto& event = r.before_forget[i];
    EXPECT_FALSE(event.up);
    EXPECT_NE(event.reason.find(stale), std::string::npos) << event.reason;
    EXPECT_NE(event.reason.find("msgctl relay forget"), std::string::npos) << event.reason;
    if (i > 0) {
      const auto gap = std::chrono::duration_cast<milliseconds>(event.at - r.before_forget[i - 1].at);
      EXPECT_GE(gap, milliseconds(240)) << "attempt " << i << " came too soon";
    }
  }
  EXPECT_TRUE(r.connected_after_forget);
  EXPECT_LT(r.reconnect_took, milliseconds(200)) << "reconnect_now did not cut the wait short";
  EXPECT_EQ(pins_.pins.count(endpoint.to_string()), 1U);
  EXPECT_NE(pins_.pins[endpoint.to_string()], stale);
}

struct HookFailureResult {
  bool recovered = false;
};

Awaitable<void> survive_hook_failure(RelayLink* link, Observed* seen, HookFailureResult* out) {
  link->start();
  auto wait6 = wait_until([&] { return seen->pongs == 1; }, milliseconds(5000));
  out->recovered = co_await std::move(wait6);
  link->stop();
}

TEST_F(RelayLinkTest, AFailingOnConnectedCausesAReconnect) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  seen_.fail_first_on_connected = true;
  RelayLink link(io_.get_executor(), RelayEndpoint{"127.0.0.1", relayd_->port()}, pins_, std::nullopt,
                 hooks_for(&seen_), net::Backoff(milliseconds(20), milliseconds(100), 3));
  HookFailureResult r;
  run_until_done(io_, survive_hook_failure(&link, &seen_, &r), milliseconds(8000));
  EXPECT_TRUE(r.recovered);
  EXPECT_EQ(seen_.connected_calls, 2);
  ASSERT_GE(seen_.states.size(), 3U);
  EXPECT_TRUE(seen_.states[0].up);
  EXPECT_FALSE(seen_.states[1].up);
  EXPECT_EQ(seen_.states[1].reason, "setting up the session failed: login refused for the test");
  EXPECT_TRUE(seen_.states[2].up);
}

// stop() must leave nothing behind: io_context::run() returns by itself once
// the link has stopped, whatever state it was in.
void expect_stop_is_prompt(asio::io_context& io, RelayLink& link, const std::function<bool()>& ready,
                           const char* state) {
  link.start();
  const auto limit = Clock::now() + milliseconds(5000);
  while (!ready() && Clock::now() < limit) {
    if (io.stopped()) io.restart();
    io.run_for(milliseconds(10));
  }
  ASSERT_TRUE(ready()) << "never reached: " << state;
  const auto stopped_at = Clock::now();
  link.stop();
  io.restart();
  io.run_for(milliseconds(3000));
  EXPECT_TRUE(io.stopped()) << "work left behind after stop() while " << state;
  EXPECT_LT(Clock::now() - stopped_at, milliseconds(500)) << "stop() while " << state << " was slow";
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.current(), nullptr);
}

TEST_F(RelayLinkTest, StopIsPromptWhileConnected) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  RelayLink link(io_.get_executor(), RelayEndpoint{"127.0.0.1", relayd_->port()}, pins_, std::nullopt,
                 hooks_for(&seen_));
  expect_stop_is_prompt(
      io_, link, [&] { return seen_.pongs == 1; }, "connected");
  const std::size_t states = seen_.states.size();
  io_.restart();
  io_.run_for(milliseconds(100));
  EXPECT_EQ(seen_.states.size(), states) << "a hook ran after stop()";
}

TEST_F(RelayLinkTest, StopIsPromptDuringABackoffWait) {
  // Nobody listens: the link fails and waits its (long) backoff.
  RelayLink link(io_.get_executor(), RelayEndpoint{"127.0.0.1", free_loopback_port()}, pins_, std::nullopt,
                 hooks_for(&seen_), net::Backoff(milliseconds(20000), milliseconds(30000), 4));
  expect_stop_is_prompt(
      io_, link, [&] { return seen_.downs() >= 1; }, "waiting to retry");
  EXPECT_NE(link.last_reason().find("cannot connect"), std::string::npos) << link.last_reason();
}

TEST_F(RelayLinkTest, StopIsPromptDuringAConnectAttempt) {
  // A listener that never accepts: TCP connects (the backlog), TLS never answers.
  net::tcp::acceptor silent(io_, net::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  RelayLink link(io_.get_executor(), RelayEndpoint{"127.0.0.1", silent.local_endpoint().port()}, pins_, std::nullopt,
                 hooks_for(&seen_));
  bool waited = false;
  asio::steady_timer timer(io_, milliseconds(200));
  timer.async_wait([&](const boost::system::error_code&) { waited = true; });
  expect_stop_is_prompt(
      io_, link, [&] { return waited; }, "connecting");
  EXPECT_TRUE(seen_.states.empty()) << "the attempt should still have been in progress";
  EXPECT_EQ(pins_.saves, 0);
}

TEST_F(RelayLinkTest, AMalformedConfiguredFingerprintIsRefusedUpFront) {
  EXPECT_THROW(RelayLink(io_.get_executor(), RelayEndpoint{"127.0.0.1", 7443}, pins_, std::string("sha256:xyz"),
                         hooks_for(&seen_)),
               std::invalid_argument);
}

}  // namespace
}  // namespace sotto::msgd::testing
