#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/relay/pin_check.h"
#include "daemon/relay/relay_connection.h"
#include "daemon/relay/relay_endpoint.h"
#include "lib/net/asio.h"
#include "lib/net/backoff.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// What msgd does with the relay connection. Any of them may be empty.
struct RelayLinkHooks {
  // Runs on every new connection, next to its read loop (so it can make
  // requests): logs in or resumes, flushes the outbox, ... If it throws, the
  // error is logged and the connection is closed (and so reconnected).
  std::function<net::Awaitable<void>(std::shared_ptr<RelayConnection>)> on_connected;
  // (true, "") when a connection is up; (false, reason) when it ended and
  // after every failed attempt, with that attempt's reason.
  std::function<void(bool connected, const std::string& reason)> on_state;
  // Pushes (Deliver, PrekeyStatus), from the connection's read loop.
  std::function<void(const std::shared_ptr<RelayConnection>&, wire::Frame)> on_push;
};

// Keeps one connection to the relay up for as long as msgd runs:
//   open -> connected (current() set, on_state(true), on_connected runs,
//   the read loop runs until the connection ends) -> on_state(false, reason)
//   -> wait backoff.next() -> again.
// The backoff restarts after a connection that lasted longer than
// kStableAfter or whose on_connected finished without an error (the session
// was established). A certificate that does not match the pin is retried
// only every backoff.cap() (the user may run `msgctl relay forget`), and its
// message is the reason reported.
//
// All calls come from the executor's thread. Hooks run on it too.
class RelayLink {
 public:
  static constexpr std::chrono::milliseconds kConnectTimeout{10000};
  static constexpr std::chrono::milliseconds kStableAfter{10000};

  // configured_pin: --relay-fingerprint or msgd.yaml's; std::invalid_argument
  // if it is malformed. pins must outlive the link.
  RelayLink(net::asio::any_io_executor executor, RelayEndpoint endpoint, PinStore& pins,
            std::optional<std::string> configured_pin, RelayLinkHooks hooks, net::Backoff backoff = {});
  RelayLink(const RelayLink&) = delete;
  RelayLink& operator=(const RelayLink&) = delete;
  ~RelayLink();  // stop()

  void start();
  // Closes the connection (or the attempt in progress) and ends the loop at
  // once. No hook is called from here on. Idempotent; start() does nothing after it.
  void stop();
  // Ends a backoff wait now (and restarts the backoff), e.g. after `msgctl
  // relay forget`. While connected it does nothing.
  void reconnect_now();

  // The connection while it is up; null while down.
  std::shared_ptr<RelayConnection> current() const;
  bool connected() const;
  // Why the last connection or attempt ended; empty before the first.
  std::string last_reason() const;
  const RelayEndpoint& endpoint() const;

 private:
  struct State;
  static net::Awaitable<void> supervise(std::shared_ptr<State> state);
  static net::Awaitable<void> run_on_connected(
      std::function<net::Awaitable<void>(std::shared_ptr<RelayConnection>)> hook,
      std::shared_ptr<RelayConnection> connection, std::shared_ptr<bool> established);

  std::shared_ptr<State> state_;
};

}  // namespace sotto::msgd
