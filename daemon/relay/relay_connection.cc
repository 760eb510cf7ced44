#include "daemon/relay/relay_connection.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <csignal>
#include <mutex>

#include "daemon/relay/relay_log.h"
#include "lib/net/tls_context.h"
#include "lib/version/version.h"
#include "lib/wire/error_frame.h"
#include "lib/wire/limits.h"

namespace sotto::msgd {

namespace asio = net::asio;
using net::Awaitable;
using net::tcp;

namespace {

// A relay that announces no idle timeout gets protocol.md's default (90 s).
constexpr std::chrono::milliseconds kDefaultIdleTimeout{90000};
// The keep-alive never pings more often than this, whatever a relay announces.
constexpr std::chrono::milliseconds kMinPingInterval{50};
// How much of a relay's free text (an Error reason) goes into our messages.
constexpr std::size_t kMaxRelayTextChars = 200;

void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// Text from the relay, bounded, for our own messages (log_event escapes it again).
std::string relay_text(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxRelayTextChars)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (text.size() > kMaxRelayTextChars) out += "...";
  return out;
}

std::string error_text(const wire::Error& error) {
  std::string out(wire::error_code_name(error.code()));
  if (!error.reason().empty()) out += ": " + relay_text(error.reason());
  return out;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

void wipe(std::string& bytes) {
  OPENSSL_cleanse(bytes.data(), bytes.size());
  bytes.clear();
}

}  // namespace

RelayConnection::RelayConnection(Passkey, asio::any_io_executor executor, SSL_CTX* ctx)
    : executor_(executor),
      ctx_(ctx),
      resolver_(executor),
      socket_(executor),
      connect_timer_(executor),
      write_signal_(executor),
      keepalive_timer_(executor),
      decoder_(wire::kDefaultMaxFrameBytes) {
  ignore_sigpipe();
}

RelayConnection::~RelayConnection() {
  OPENSSL_cleanse(pending_.data(), pending_.size());
  OPENSSL_cleanse(writing_.data(), writing_.size());
}

std::string RelayConnection::client_name() { return std::string("msgd/") + sotto::kVersion; }

std::shared_ptr<RelayConnection> RelayConnection::create(asio::any_io_executor executor, SSL_CTX* ctx) {
  return std::make_shared<RelayConnection>(Passkey{}, std::move(executor), ctx);
}

Awaitable<std::shared_ptr<RelayConnection>> RelayConnection::open(const RelayEndpoint& endpoint, SSL_CTX* ctx,
                                                                  PinStore& pins,
                                                                  std::optional<std::string> configured_pin,
                                                                  std::chrono::milliseconds timeout) {
  auto connection = create(co_await asio::this_coro::executor, ctx);
  co_await connection->connect(endpoint, pins, std::move(configured_pin), timeout);
  co_return connection;
}

Awaitable<void> RelayConnection::connect(RelayEndpoint endpoint, PinStore& pins,
                                         std::optional<std::string> configured_pin, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  endpoint_ = std::move(endpoint);
  const std::string relay = endpoint_.to_string();
  if (closed_) throw RelayConnectionLost(close_reason_);
  try {
    // A malformed configured pin is a configuration error: say so before any I/O.
    if (configured_pin) (void)normalize_fingerprint(*configured_pin);
  } catch (const std::invalid_argument& e) {
    close(e.what());
    throw;
  }
  connect_timer_.expires_after(timeout);
  connect_timer_.async_wait([weak = weak_from_this(), relay, timeout](const boost::system::error_code& ec) {
    if (ec) return;
    auto connection = weak.lock();
    if (connection && !connection->connected_) {
      connection->close("TIMEOUT: could not connect to relay " + relay + " within " + ms_text(timeout));
    }
  });
  try {
    co_await connect_steps(endpoint_, pins, configured_pin);
  } catch (const RelayPinMismatch& e) {
    close(e.what());
    throw;
  } catch (const std::exception& e) {
    // Once closed (by the timer, or by a supervisor's stop), that reason wins
    // over the aborted operation's.
    if (!closed_) close("cannot connect to relay " + relay + ": " + e.what());
    throw RelayConnectionLost(close_reason_);
  }
  connect_timer_.cancel();
  connected_ = true;
  last_sent_ = last_received_ = Clock::now();
  asio::co_spawn(executor_, write_loop(weak_from_this()), asio::detached);
}

Awaitable<void> RelayConnection::connect_steps(const RelayEndpoint& endpoint, PinStore& pins,
                                               const std::optional<std::string>& configured_pin) {
  const auto results =
      co_await resolver_.async_resolve(endpoint.host, std::to_string(endpoint.port), asio::use_awaitable);
  // A close() between two steps must stop the next one: async_connect would
  // otherwise open a fresh socket.
  if (closed_) throw RelayConnectionLost(close_reason_);
  co_await asio::async_connect(socket_, results, asio::use_awaitable);
  if (closed_) throw RelayConnectionLost(close_reason_);
  socket_.set_option(tcp::no_delay(true));
  stream_.emplace(std::move(socket_), ctx_, net::TlsStream::Role::kClient);
  // SNI, for a relay behind a TLS-routing proxy; pinning does not depend on it.
  if (!is_ip_literal(endpoint.host)) SSL_set_tlsext_host_name(stream_->native_handle(), endpoint.host.c_str());
  co_await stream_->handshake();
  if (closed_) throw RelayConnectionLost(close_reason_);
  fingerprint_ = net::peer_certificate_fingerprint(stream_->native_handle());
  check_pin(pins, endpoint.to_string(), configured_pin, fingerprint_);
  co_await say_hello();
}

Awaitable<void> RelayConnection::say_hello() {
  wire::Frame hello;
  const std::uint64_t id = next_request_id_++;
  hello.set_request_id(id);
  hello.mutable_hello()->set_protocol_version(wire::kProtocolVersion);
  hello.mutable_hello()->set_client(client_name());
  const std::string bytes = wire::encode_frame(hello);
  co_await stream_->write_all(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  while (received_.empty()) {
    if (closed_) throw RelayConnectionLost(close_reason_);
    co_await read_more();
  }
  wire::Frame answer = std::move(received_.front());
  received_.erase(received_.begin());
  if (answer.body_case() == wire::Frame::kError) {
    throw RelayConnectionLost("the relay refused Hello: " + error_text(answer.error()));
  }
  if (answer.body_case() != wire::Frame::kHelloOk || answer.request_id() != id) {
    throw RelayConnectionLost("the relay did not answer Hello with HelloOk");
  }
  hello_ok_ = answer.hello_ok();
  if (hello_ok_.protocol_version() != wire::kProtocolVersion) {
    throw RelayConnectionLost("the relay speaks protocol version " + std::to_string(hello_ok_.protocol_version()) +
                              "; msgd speaks " + std::to_string(wire::kProtocolVersion));
  }
  decoder_.set_max_frame_size(negotiated_max_frame_size());
  const auto idle =
      hello_ok_.idle_timeout_ms() == 0 ? kDefaultIdleTimeout : std::chrono::milliseconds(hello_ok_.idle_timeout_ms());
  ping_interval_ = std::max(idle / 3, kMinPingInterval);
}

std::uint32_t RelayConnection::negotiated_max_frame_size() const {
  if (hello_ok_.max_frame_size() == 0) return wire::kDefaultMaxFrameBytes;
  return std::clamp(hello_ok_.max_frame_size(), wire::kMinMaxFrameBytes, wire::kMaxMaxFrameBytes);
}

Awaitable<void> RelayConnection::read_more() {
  std::size_t n = 0;
  try {
    n = co_await stream_->read_some(read_buffer_);
  } catch (const std::exception& e) {
    if (!closed_) close(std::string("connection to the relay failed: ") + e.what());
    co_return;
  }
  if (closed_) co_return;
  if (n == 0) {
    close("relay closed the connection");
    co_return;
  }
  last_received_ = Clock::now();
  auto result = decoder_.feed(std::span<const std::uint8_t>(read_buffer_.data(), n));
  for (auto& frame : result.frames) received_.push_back(std::move(frame));
  if (result.error) {
    close("the relay sent a malformed frame: " + std::string(wire::error_code_name(result.error->code)) + ": " +
          result.error->reason);
  }
}

Awaitable<std::string> RelayConnection::run() {
  auto self = shared_from_this();
  if (!connected_ && !closed_) throw std::logic_error("RelayConnection::run() before connect() finished");
  if (running_) throw std::logic_error("RelayConnection::run() called twice");
  running_ = true;
  if (!closed_) asio::co_spawn(executor_, keepalive_loop(weak_from_this()), asio::detached);
  for (;;) {
    std::vector<wire::Frame> frames;
    frames.swap(received_);
    for (auto& frame : frames) dispatch(std::move(frame));
    if (closed_) break;
    co_await read_more();
  }
  co_return close_reason_;
}

void RelayConnection::dispatch(wire::Frame frame) {
  const std::uint64_t id = frame.request_id();
  if (id != 0) {
    const auto it = waiters_.find(id);
    // Not waited for: the Pong to a keep-alive Ping, an answer to
    // send_no_reply, or one that came after its request timed out.
    if (it == waiters_.end()) return;
    it->second->answer = std::move(frame);
    it->second->timer.cancel();
    waiters_.erase(it);
    return;
  }
  switch (frame.body_case()) {
    case wire::Frame::kError:
      close(error_text(frame.error()));
      return;
    case wire::Frame::kDeliver:
    case wire::Frame::kPrekeyStatus:
      if (!push_handler_) return;
      try {
        push_handler_(std::move(frame));
      } catch (const std::exception& e) {
        log_event("relay_push_failed", {{"relay", endpoint_.to_string()}, {"error", e.what()}});
      }
      return;
    default:
      close("the relay sent a frame with request_id 0 that is not a push");
      return;
  }
}

void RelayConnection::queue(wire::Frame& frame) {
  wire::append_frame(frame, pending_, negotiated_max_frame_size());
  last_sent_ = Clock::now();
  write_signal_.cancel();
}

Awaitable<wire::Frame> RelayConnection::request(wire::Frame frame, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  if (closed_) throw RelayConnectionLost(close_reason_);
  if (!connected_) throw std::logic_error("RelayConnection::request() before connect() finished");
  const std::uint64_t id = next_request_id_++;
  frame.set_request_id(id);
  Waiter waiter(executor_);
  waiter.timer.expires_after(timeout);
  queue(frame);
  waiters_.emplace(id, &waiter);
  // However this coroutine ends, the reader must not find a dangling waiter.
  struct Unregister {
    RelayConnection& connection;
    std::uint64_t id;
    ~Unregister() { connection.waiters_.erase(id); }
  } unregister{*this, id};
  boost::system::error_code ec;
  co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (waiter.answer) co_return std::move(*waiter.answer);
  if (closed_) throw RelayConnectionLost(close_reason_);
  close("TIMEOUT: the relay did not answer a request within " + ms_text(timeout));
  throw RelayConnectionLost(close_reason_);
}

void RelayConnection::send_no_reply(wire::Frame frame) {
  if (closed_ || !connected_) return;
  frame.set_request_id(next_request_id_++);
  queue(frame);
}

Awaitable<void> RelayConnection::write_loop(std::weak_ptr<RelayConnection> weak) {
  for (;;) {
    auto self = weak.lock();
    if (!self || self->closed_) co_return;
    if (self->pending_.empty()) {
      auto& signal = self->write_signal_;
      signal.expires_at(Clock::time_point::max());
      self.reset();  // an idle writer does not keep the connection alive
      boost::system::error_code ec;
      co_await signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    self->writing_.swap(self->pending_);
    std::string failure;
    try {
      co_await self->stream_->write_all(
          std::span(reinterpret_cast<const std::uint8_t*>(self->writing_.data()), self->writing_.size()));
    } catch (const std::exception& e) {
      failure = e.what();
    }
    // The bytes may include a password (Login) or a token (Resume).
    wipe(self->writing_);
    if (!failure.empty() && !self->closed_) self->close("writing to the relay failed: " + failure);
  }
}

Awaitable<void> RelayConnection::keepalive_loop(std::weak_ptr<RelayConnection> weak) {
  for (;;) {
    auto self = weak.lock();
    if (!self || self->closed_) co_return;
    const auto now = Clock::now();
    if (now - self->last_received_ >= self->dead_after()) {
      self->close("TIMEOUT: nothing from the relay for " + ms_text(self->dead_after()));
      co_return;
    }
    if (now - self->last_sent_ >= self->ping_interval_) {
      wire::Frame ping;
      ping.mutable_ping();
      self->send_no_reply(std::move(ping));
    }
    auto& timer = self->keepalive_timer_;
    timer.expires_at(std::min(self->last_sent_ + self->ping_interval_, self->last_received_ + self->dead_after()));
    self.reset();  // the keep-alive does not keep the connection alive
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void RelayConnection::fail_all_waiters() {
  // Each waiter removes itself when it resumes; cancelling wakes it.
  for (auto& [id, waiter] : waiters_) waiter->timer.cancel();
}

void RelayConnection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  close_reason_ = reason;
  connect_timer_.cancel();
  write_signal_.cancel();
  keepalive_timer_.cancel();
  resolver_.cancel();
  if (stream_) {
    // close_notify in the middle of a partly written record would corrupt the
    // stream; then the plain close is the better goodbye.
    if (connected_ && writing_.empty()) stream_->shutdown_send();
    stream_->close();
  } else {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  // Nothing queued will be written now; it may hold a password.
  wipe(pending_);
  fail_all_waiters();
}

}  // namespace sotto::msgd
