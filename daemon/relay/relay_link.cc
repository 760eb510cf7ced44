#include "daemon/relay/relay_link.h"

#include "daemon/relay/relay_log.h"
#include "lib/net/tls_context.h"

namespace sotto::msgd {

namespace asio = net::asio;
using net::Awaitable;

struct RelayLink::State {
  State(asio::any_io_executor executor, RelayEndpoint endpoint, PinStore& pins,
        std::optional<std::string> configured_pin, RelayLinkHooks hooks, net::Backoff backoff)
      : executor(executor),
        endpoint(std::move(endpoint)),
        relay(this->endpoint.to_string()),
        pins(pins),
        configured_pin(std::move(configured_pin)),
        hooks(std::move(hooks)),
        backoff(std::move(backoff)),
        tls(net::make_client_context()),
        wake(executor) {}

  // Hooks are the caller's code: an exception from one must not end the loop.
  void report_state(bool up, const std::string& reason) {
    if (stopped || !hooks.on_state) return;
    try {
      hooks.on_state(up, reason);
    } catch (const std::exception& e) {
      log_event("relay_hook_failed", {{"relay", relay}, {"hook", "on_state"}, {"error", e.what()}});
    }
  }

  asio::any_io_executor executor;
  RelayEndpoint endpoint;
  std::string relay;
  PinStore& pins;
  std::optional<std::string> configured_pin;
  RelayLinkHooks hooks;
  net::Backoff backoff;
  net::SslCtxPtr tls;
  asio::steady_timer wake;
  std::shared_ptr<RelayConnection> connection;  // being opened, or up
  bool connected = false;
  bool started = false;
  bool stopped = false;
  bool wake_requested = false;
  std::string last_reason;
};

RelayLink::RelayLink(asio::any_io_executor executor, RelayEndpoint endpoint, PinStore& pins,
                     std::optional<std::string> configured_pin, RelayLinkHooks hooks, net::Backoff backoff) {
  if (configured_pin) configured_pin = normalize_fingerprint(*configured_pin);
  state_ = std::make_shared<State>(std::move(executor), std::move(endpoint), pins, std::move(configured_pin),
                                   std::move(hooks), std::move(backoff));
}

RelayLink::~RelayLink() { stop(); }

void RelayLink::start() {
  if (state_->started || state_->stopped) return;
  state_->started = true;
  asio::co_spawn(state_->executor, supervise(state_), [relay = state_->relay](const std::exception_ptr& error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log_event("relay_link_failed", {{"relay", relay}, {"error", e.what()}});
    }
  });
}

void RelayLink::stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  s.connected = false;
  s.wake.cancel();
  if (s.connection) s.connection->close("msgd is stopping");
  s.connection.reset();
}

void RelayLink::reconnect_now() {
  State& s = *state_;
  if (s.stopped || s.connected) return;
  s.wake_requested = true;
  s.backoff.reset();
  s.wake.cancel();
}

std::shared_ptr<RelayConnection> RelayLink::current() const { return state_->connected ? state_->connection : nullptr; }

bool RelayLink::connected() const { return state_->connected; }

std::string RelayLink::last_reason() const { return state_->last_reason; }

const RelayEndpoint& RelayLink::endpoint() const { return state_->endpoint; }

Awaitable<void> RelayLink::run_on_connected(std::function<Awaitable<void>(std::shared_ptr<RelayConnection>)> hook,
                                            std::shared_ptr<RelayConnection> connection,
                                            std::shared_ptr<bool> established) {
  std::string failure;
  try {
    co_await hook(connection);
    *established = true;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // A hook that failed because the connection died needs no second report.
  if (!failure.empty() && connection->is_open()) {
    log_event("relay_session_failed", {{"relay", connection->endpoint().to_string()}, {"error", failure}});
    connection->close("setting up the session failed: " + failure);
  }
}

Awaitable<void> RelayLink::supervise(std::shared_ptr<State> state) {
  State& s = *state;
  while (!s.stopped) {
    auto connection = RelayConnection::create(s.executor, s.tls.get());
    s.connection = connection;
    std::string reason;
    bool pin_mismatch = false;
    try {
      co_await connection->connect(s.endpoint, s.pins, s.configured_pin, kConnectTimeout);
    } catch (const RelayPinMismatch& e) {
      reason = e.what();
      pin_mismatch = true;
    } catch (const std::exception& e) {
      reason = e.what();
    }
    if (s.stopped) break;

    const bool was_up = reason.empty();
    if (was_up) {
      const auto up_since = RelayConnection::Clock::now();
      s.connected = true;
      s.wake_requested = false;
      log_event("relay_connected", {{"relay", s.relay},
                                    {"fingerprint", connection->fingerprint()},
                                    {"server", connection->server_hello().server()}});
      connection->on_push([weak_state = std::weak_ptr<State>(state),
                           weak_connection = std::weak_ptr<RelayConnection>(connection)](wire::Frame frame) {
        auto st = weak_state.lock();
        auto conn = weak_connection.lock();
        if (!st || !conn || st->stopped || !st->hooks.on_push) return;
        st->hooks.on_push(conn, std::move(frame));
      });
      s.report_state(true, "");
      auto established = std::make_shared<bool>(false);
      if (s.hooks.on_connected && !s.stopped) {
        asio::co_spawn(s.executor, run_on_connected(s.hooks.on_connected, connection, established), asio::detached);
      }
      reason = co_await connection->run();
      s.connected = false;
      if (s.stopped) break;
      if (*established || RelayConnection::Clock::now() - up_since > kStableAfter) s.backoff.reset();
    }
    s.connection.reset();
    connection.reset();
    s.last_reason = reason;

    const auto wait = pin_mismatch ? s.backoff.cap() : s.backoff.next();
    log_event(was_up ? "relay_disconnected" : "relay_connect_failed",
              {{"relay", s.relay}, {"reason", reason}, {"retry_in_ms", std::to_string(wait.count())}});
    s.report_state(false, reason);
    if (s.stopped) break;
    if (s.wake_requested) {
      s.wake_requested = false;
      continue;
    }
    s.wake.expires_after(wait);
    boost::system::error_code ec;
    co_await s.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    s.wake_requested = false;
  }
}

}  // namespace sotto::msgd
