#include "relayd/server/relay_session.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <iostream>
#include <utility>
#include <variant>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/constant_time.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/random.h"
#include "lib/wire/connection_phase.h"
#include "lib/wire/error_frame.h"
#include "lib/wire/limits.h"
#include "lib/wire/request_validator.h"
#include "lib/wire/username.h"
#include "relayd/auth/address_group.h"
#include "relayd/auth/invite_code.h"
#include "relayd/auth/password_hasher.h"
#include "relayd/auth/session_token.h"
#include "relayd/server/blocking_call.h"
#include "relayd/server/log.h"

namespace sotto::relayd {

namespace asio = net::asio;

namespace {

// Reads land in one buffer per io thread: a read completes and its bytes are
// handed to the session's decoder before the thread runs anything else, so no
// connection needs a read buffer of its own while it waits.
constexpr std::size_t kReadBufferSize = 64 * 1024;
thread_local std::array<std::uint8_t, kReadBufferSize> t_read_buffer;

// Failed authentications tolerated on one connection before it is closed;
// the rate limiters bound attempts across connections.
constexpr int kMaxAuthFailuresPerConnection = 5;
// A closing connection gets this long to flush its last frames.
constexpr auto kCloseGrace = std::chrono::seconds(2);
// Clients told SHUTTING_DOWN wait this long before reconnecting: a restart
// takes about that, and it spreads the reconnect burst.
constexpr std::uint32_t kShutdownRetryAfterMs = 2000;
// Envelopes read from the store per drain step.
constexpr std::size_t kDrainPage = 256;
// One-time prekeys one user may keep on the relay (storage bound).
constexpr std::uint32_t kMaxStoredOneTimePrekeys = 1000;

std::string as_string(crypto::ByteView v) { return std::string(v.begin(), v.end()); }
crypto::ByteView as_view(const std::string& s) { return crypto::as_bytes(s); }

}  // namespace

RelaySession::RelaySession(ServerContext& ctx, net::tcp::socket socket, std::string peer_address,
                           std::optional<ConnectionLimiter::Slot> slot)
    : ctx_(ctx),
      executor_(socket.get_executor()),
      stream_(std::move(socket), ctx.tls, net::TlsStream::Role::kServer),
      peer_(std::move(peer_address)),
      slot_(std::move(slot)),
      decoder_(ctx.settings.max_frame_size),
      write_signal_(executor_),
      writable_signal_(executor_),
      watchdog_timer_(executor_),
      started_(Clock::now()),
      last_activity_(started_) {
  ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
}

RelaySession::~RelaySession() {
  ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
  if (state_ == State::kAuthenticated || !username_.empty()) {
    ctx_.metrics.connections_authenticated.fetch_sub(1, std::memory_order_relaxed);
  }
}

void RelaySession::start() {
  auto self = shared_from_this();
  asio::co_spawn(executor_, run(self), asio::detached);
}

std::int64_t RelaySession::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RelaySession::log_prefix() const {
  std::string out = "peer=" + peer_;
  if (!username_.empty()) out += " user=" + username_;
  return out;
}

template <typename F>
net::Awaitable<std::invoke_result_t<F&>> RelaySession::blocking(F f) {
  return run_blocking(*ctx_.blocking, std::move(f));
}

// ---- lifecycle ----

net::Awaitable<void> RelaySession::run(std::shared_ptr<RelaySession> self) {
  asio::co_spawn(executor_, watchdog(self), asio::detached);
  try {
    co_await stream_.handshake();
  } catch (const std::exception& e) {
    ctx_.metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
    log_event("handshake_failed", log_prefix() + " error=\"" + e.what() + "\"");
    close_now();
    co_return;
  }
  handshake_done_ = true;
  asio::co_spawn(executor_, write_loop(self), asio::detached);

  try {
    while (!closed_ && state_ != State::kClosing) {
      const std::size_t n = co_await stream_.read_some(t_read_buffer);
      if (n == 0) break;
      last_activity_ = Clock::now();
      // The decoder copies what it keeps, and every complete frame is taken
      // out before any is handled: handling may suspend, and the shared read
      // buffer is reused by then.
      auto result = decoder_.feed(std::span<const std::uint8_t>(t_read_buffer.data(), n));
      for (auto& frame : result.frames) {
        if (closed_ || state_ == State::kClosing) break;
        // Backpressure: a client that sends requests but does not read the
        // answers stops being read, so its replies cannot pile up without bound.
        co_await wait_until_writable();
        if (closed_) break;
        co_await handle(frame);
        wipe_credentials(frame);
      }
      if (result.error && !closed_ && state_ != State::kClosing) {
        ctx_.metrics.protocol_errors.fetch_add(1, std::memory_order_relaxed);
        log_event("bad_frame", log_prefix() + " reason=\"" + result.error->reason + "\"");
        fail(0, result.error->code, result.error->reason);
      }
    }
  } catch (const std::exception& e) {
    if (!closed_) log_event("connection_error", log_prefix() + " error=\"" + e.what() + "\"");
  }
  if (state_ != State::kClosing) close_now();
}

net::Awaitable<void> RelaySession::write_loop(std::shared_ptr<RelaySession> /*keep_alive*/) {
  try {
    while (!closed_) {
      if (pending_.empty()) {
        if (close_after_flush_) break;
        write_signal_.expires_at(Clock::time_point::max());
        boost::system::error_code ec;
        co_await write_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      writing_.swap(pending_);
      co_await stream_.write_all(as_view(writing_));
      writing_.clear();
      // Do not keep a large buffer around after a burst.
      if (writing_.capacity() > 64 * 1024) std::string().swap(writing_);
      writable_signal_.cancel();
    }
    if (close_after_flush_ && !closed_) stream_.shutdown_send();
  } catch (const std::exception&) {
    // The reader or the watchdog reports the failure; just stop writing.
  }
  close_now();
}

net::Awaitable<void> RelaySession::watchdog(std::shared_ptr<RelaySession> /*keep_alive*/) {
  while (!closed_) {
    Clock::time_point deadline;
    if (state_ == State::kClosing) {
      deadline = closing_since_ + kCloseGrace;
    } else if (state_ == State::kAuthenticated) {
      deadline = last_activity_ + ctx_.settings.idle_timeout;
    } else {
      deadline = started_ + ctx_.settings.auth_timeout;
    }
    if (Clock::now() >= deadline) {
      if (state_ == State::kClosing) {
        close_now();
      } else if (state_ == State::kAuthenticated) {
        log_event("idle_timeout", log_prefix());
        fail(0, wire::TIMEOUT, "no frame within the idle timeout");
        continue;
      } else {
        ctx_.metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
        log_event("auth_timeout", log_prefix());
        if (!handshake_done_) {
          // No TLS channel yet, so no Error frame can be sent: just close.
          close_now();
          break;
        }
        fail(0, wire::TIMEOUT, "not authenticated within the deadline");
        continue;  // the closing grace ends it once the Error is flushed
      }
      break;
    }
    watchdog_timer_.expires_at(deadline);
    boost::system::error_code ec;
    co_await watchdog_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void RelaySession::close_now() {
  if (closed_) return;
  closed_ = true;
  stream_.close();
  write_signal_.cancel();
  writable_signal_.cancel();
  watchdog_timer_.cancel();
  if ((state_ == State::kAuthenticated || !username_.empty()) && ctx_.router.remove(username_, this) &&
      ctx_.presence_changed) {
    ctx_.presence_changed(username_, false);
  }
  slot_.reset();
}

void RelaySession::shutdown() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->closed_ || self->state_ == State::kClosing) return;
    self->fail(0, wire::SHUTTING_DOWN, "the relay is shutting down", kShutdownRetryAfterMs);
  });
}

void RelaySession::close_if_token_revoked(std::shared_ptr<const std::vector<crypto::Sha256Digest>> revoked) {
  asio::post(executor_, [self = shared_from_this(), revoked = std::move(revoked)] {
    if (self->closed_ || self->state_ != State::kAuthenticated) return;
    if (std::find(revoked->begin(), revoked->end(), self->token_hash_) == revoked->end()) return;
    log_event("token_revoked", self->log_prefix());
    self->fail(0, wire::UNAUTHENTICATED, "this connection's token was revoked or has expired");
  });
}

// ---- output ----

net::Awaitable<void> RelaySession::wait_until_writable() {
  while (!closed_ && pending_.size() + writing_.size() > ctx_.settings.max_pending_write_bytes / 2) {
    writable_signal_.expires_at(Clock::time_point::max());
    boost::system::error_code ec;
    co_await writable_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Passwords and tokens leave no copy in a decoded frame once handled.
void RelaySession::wipe_credentials(wire::Frame& frame) {
  auto wipe = [](std::string* s) { OPENSSL_cleanse(s->data(), s->size()); };
  switch (frame.body_case()) {
    case wire::Frame::kRegister:
      wipe(frame.mutable_register_()->mutable_password());
      break;
    case wire::Frame::kLogin:
      wipe(frame.mutable_login()->mutable_password());
      break;
    case wire::Frame::kResume:
      wipe(frame.mutable_resume()->mutable_token());
      break;
    default:
      break;
  }
}

void RelaySession::queue_frame(const wire::Frame& frame) {
  if (closed_ || close_after_flush_) return;
  wire::append_frame(frame, pending_, ctx_.settings.max_frame_size);
  write_signal_.cancel();
}

void RelaySession::send_error(std::uint64_t request_id, wire::ErrorCode code, const std::string& reason,
                              std::uint32_t retry_after_ms) {
  queue_frame(wire::make_error(request_id, code, reason, retry_after_ms));
}

void RelaySession::fail(std::uint64_t request_id, wire::ErrorCode code, const std::string& reason,
                        std::uint32_t retry_after_ms) {
  send_error(request_id, code, reason, retry_after_ms);
  close_after_flush_ = true;
  state_ = State::kClosing;
  closing_since_ = Clock::now();
  write_signal_.cancel();
  watchdog_timer_.cancel();
}

// ---- requests ----

net::Awaitable<void> RelaySession::handle(wire::Frame& frame) {
  const std::uint64_t id = frame.request_id();
  // Order first, fields second: a request in the wrong state is a protocol
  // violation whatever its fields hold.
  const auto phase = state_ == State::kConnected ? wire::ConnectionPhase::kAwaitingHello
                     : state_ == State::kGreeted ? wire::ConnectionPhase::kUnauthenticated
                                                 : wire::ConnectionPhase::kAuthenticated;
  if (auto error = wire::check_request_allowed(phase, frame)) {
    ctx_.metrics.protocol_errors.fetch_add(1, std::memory_order_relaxed);
    fail(id, error->code, error->reason);
    co_return;
  }
  if (auto error = wire::validate_request(frame)) {
    // A malformed field is answered and the connection stays usable unless the
    // error is one that closes it (the client broke the protocol itself).
    ctx_.metrics.protocol_errors.fetch_add(1, std::memory_order_relaxed);
    if (wire::closes_connection(error->code)) {
      fail(id, error->code, error->reason);
    } else {
      send_error(id, error->code, error->reason);
    }
    co_return;
  }

  const auto body = frame.body_case();
  if (state_ == State::kConnected) {
    if (body != wire::Frame::kHello) {
      fail(id, wire::PROTOCOL_VIOLATION, "the first frame must be Hello");
      co_return;
    }
    on_hello(frame);
    co_return;
  }
  if (body == wire::Frame::kHello) {
    fail(id, wire::PROTOCOL_VIOLATION, "Hello was already sent");
    co_return;
  }
  if (body == wire::Frame::kPing) {
    wire::Frame pong;
    pong.set_request_id(id);
    pong.mutable_pong();
    queue_frame(pong);
    co_return;
  }

  if (state_ == State::kGreeted) {
    switch (body) {
      case wire::Frame::kRegister:
        co_await on_register(frame);
        co_return;
      case wire::Frame::kLogin:
        co_await on_login(frame);
        co_return;
      case wire::Frame::kResume:
        co_await on_resume(frame);
        co_return;
      default:
        fail(id, wire::PROTOCOL_VIOLATION, "authenticate first (Register, Login or Resume)");
        co_return;
    }
  }

  switch (body) {
    case wire::Frame::kSend:
      on_send(frame);
      break;
    case wire::Frame::kDeliverAck:
      on_deliver_ack(frame);
      break;
    case wire::Frame::kFetchBundle:
      co_await on_fetch_bundle(frame);
      break;
    case wire::Frame::kPublishPrekeys:
      co_await on_publish_prekeys(frame);
      break;
    case wire::Frame::kPresence:
      co_await on_presence(frame);
      break;
    case wire::Frame::kBlobBegin:
      co_await on_blob_begin(frame);
      break;
    case wire::Frame::kBlobChunk:
      co_await on_blob_chunk(frame);
      break;
    case wire::Frame::kBlobEnd:
      co_await on_blob_end(frame);
      break;
    case wire::Frame::kBlobGet:
      co_await on_blob_get(frame);
      break;
    case wire::Frame::kBlobRelease:
      co_await on_blob_release(frame);
      break;
    case wire::Frame::kLogout:
      co_await on_logout(frame);
      break;
    case wire::Frame::kRegister:
    case wire::Frame::kLogin:
    case wire::Frame::kResume:
      fail(id, wire::PROTOCOL_VIOLATION, "this connection is already authenticated");
      break;
    default:
      fail(id, wire::PROTOCOL_VIOLATION, "not a client request");
      break;
  }
}

void RelaySession::on_hello(const wire::Frame& frame) {
  const auto& hello = frame.hello();
  if (hello.protocol_version() != wire::kProtocolVersion) {
    fail(frame.request_id(), wire::UNSUPPORTED_VERSION,
         "this relay speaks protocol version " + std::to_string(wire::kProtocolVersion));
    return;
  }
  if (ctx_.draining.load()) {
    fail(frame.request_id(), wire::SHUTTING_DOWN, "the relay is shutting down");
    return;
  }
  state_ = State::kGreeted;
  wire::Frame reply;
  reply.set_request_id(frame.request_id());
  auto* ok = reply.mutable_hello_ok();
  ok->set_protocol_version(wire::kProtocolVersion);
  ok->set_max_frame_size(ctx_.settings.max_frame_size);
  ok->set_server(ctx_.settings.server_name);
  ok->set_max_recipients(ctx_.settings.max_recipients);
  ok->set_max_blob_size(ctx_.settings.blob_max_size);
  ok->set_idle_timeout_ms(static_cast<std::uint32_t>(ctx_.settings.idle_timeout.count()));
  queue_frame(reply);
}

namespace {
// Answers RATE_LIMITED and returns true when any limiter refuses.
bool limited(std::initializer_list<std::pair<RateLimiter*, std::string>> checks, std::uint32_t* retry_after_ms) {
  for (const auto& [limiter, key] : checks) {
    if (limiter == nullptr) continue;
    const auto decision = limiter->check(key);
    if (!decision.allowed) {
      *retry_after_ms = static_cast<std::uint32_t>(decision.retry_after_ms);
      return true;
    }
  }
  return false;
}
}  // namespace

net::Awaitable<void> RelaySession::on_register(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.register_();
  const auto username = wire::canonical_username(req.username());
  if (!username.ok()) {
    send_error(id, wire::INVALID_ARGUMENT, "username: " + username.error());
    co_return;
  }
  if (ctx_.settings.registration == RegistrationPolicy::kClosed) {
    send_error(id, wire::REGISTRATION_CLOSED, "registration is closed on this relay");
    co_return;
  }
  std::uint32_t retry = 0;
  if (limited({{ctx_.register_per_address, source_group(peer_)}}, &retry)) {
    ctx_.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
    send_error(id, wire::RATE_LIMITED, "too many registrations from this address", retry);
    co_return;
  }
  const auto& identity = req.identity();
  if (!crypto::ed25519_verify(as_view(identity.signing_key()), as_view(identity.dh_key()),
                              as_view(identity.signature()))) {
    send_error(id, wire::INVALID_ARGUMENT, "identity: the signature over dh_key does not verify");
    co_return;
  }
  const std::string name = username.value();
  auto call1 = blocking([this, name] { return ctx_.store->find_user(name).has_value(); });
  const bool exists = co_await std::move(call1);
  if (exists) {
    ctx_.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
    send_error(id, wire::USERNAME_TAKEN, "that username is taken");
    co_return;
  }
  std::optional<crypto::Sha256Digest> invite_hash;
  if (ctx_.settings.registration == RegistrationPolicy::kInvite) {
    invite_hash = invite_code_hash(req.invite_code());
    if (!invite_hash) {
      ctx_.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
      send_error(id, wire::REGISTRATION_CLOSED, "registration needs a valid invite code");
      co_return;
    }
  }
  const Argon2Params params{ctx_.settings.argon2_memory_kib, ctx_.settings.argon2_iterations,
                            ctx_.settings.argon2_parallelism};
  std::string password = req.password();
  auto call2 = blocking([password = std::move(password), params]() mutable {
    auto h = hash_password(password, params);
    OPENSSL_cleanse(password.data(), password.size());
    return h;
  });
  std::string hash = co_await std::move(call2);
  UserRecord user;
  user.username = name;
  user.password_hash = std::move(hash);
  user.identity.signing_key = crypto::Bytes(identity.signing_key().begin(), identity.signing_key().end());
  user.identity.dh_key = crypto::Bytes(identity.dh_key().begin(), identity.dh_key().end());
  user.identity.signature = crypto::Bytes(identity.signature().begin(), identity.signature().end());
  user.created_at_ms = now_ms();
  const auto now = now_ms();
  auto create_call = blocking([this, user, invite_hash, now] {
    if (!invite_hash)
      return ctx_.store->create_user(user) ? CreateUserStatus::Created : CreateUserStatus::UsernameTaken;
    return ctx_.store->create_user_with_invite(user, *invite_hash, now);
  });
  const CreateUserStatus created = co_await std::move(create_call);
  if (created == CreateUserStatus::InvalidInvite) {
    ctx_.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
    send_error(id, wire::REGISTRATION_CLOSED, "registration needs a valid invite code");
    co_return;
  }
  if (created != CreateUserStatus::Created) {
    send_error(id, wire::USERNAME_TAKEN, "that username is taken");
    co_return;
  }
  log_event("registered", "peer=" + peer_ + " user=" + name);
  co_await issue_token(id, name, req.device_name());
}

net::Awaitable<void> RelaySession::on_login(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.login();
  const auto username = wire::canonical_username(req.username());
  // An invalid name cannot exist; answer like any unknown account.
  const std::string name = username.ok() ? username.value() : std::string();
  std::uint32_t retry = 0;
  if (limited({{ctx_.login_per_address, source_group(peer_)},
               {ctx_.login_per_account, name.empty() ? req.username() : name}},
              &retry)) {
    ctx_.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
    send_error(id, wire::RATE_LIMITED, "too many login attempts", retry);
    co_return;
  }
  std::string password = req.password();
  enum class Outcome { kBadCredentials, kOk, kNeedsIdentity, kBadIdentity };
  std::optional<IdentityKey> offered;
  if (req.has_identity()) {
    const auto& k = req.identity();
    offered = IdentityKey{crypto::Bytes(k.signing_key().begin(), k.signing_key().end()),
                          crypto::Bytes(k.dh_key().begin(), k.dh_key().end()),
                          crypto::Bytes(k.signature().begin(), k.signature().end())};
  }
  // The dummy check for unknown accounts costs what a real one does.
  const Argon2Params params{ctx_.settings.argon2_memory_kib, ctx_.settings.argon2_iterations,
                            ctx_.settings.argon2_parallelism};
  auto login_call = blocking([this, name, offered, params, password = std::move(password)]() mutable {
    std::optional<UserRecord> user;
    if (!name.empty()) user = ctx_.store->find_user(name);
    // Unknown accounts cost the same Argon2 work, so timing tells nothing.
    const bool good =
        user ? verify_password(password, user->password_hash) : (verify_against_dummy(password, params), false);
    OPENSSL_cleanse(password.data(), password.size());
    if (!good) return Outcome::kBadCredentials;
    if (!user->identity.signing_key.empty()) return Outcome::kOk;
    // An account made by "relayd user add" gets its identity on first login.
    if (!offered) return Outcome::kNeedsIdentity;
    if (!crypto::ed25519_verify(offered->signing_key, offered->dh_key, offered->signature))
      return Outcome::kBadIdentity;
    return ctx_.store->set_identity(name, *offered) ? Outcome::kOk : Outcome::kBadIdentity;
  });
  const Outcome outcome = co_await std::move(login_call);
  if (outcome == Outcome::kNeedsIdentity) {
    send_error(id, wire::INVALID_ARGUMENT, "identity: this account has no identity key yet; send it with this login");
    co_return;
  }
  if (outcome == Outcome::kBadIdentity) {
    send_error(id, wire::INVALID_ARGUMENT, "identity: the signature over dh_key does not verify");
    co_return;
  }
  if (outcome != Outcome::kOk) {
    ctx_.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
    log_event("login_failed", "peer=" + peer_);
    if (++auth_failures_ >= kMaxAuthFailuresPerConnection) {
      fail(id, wire::BAD_CREDENTIALS, "wrong username or password; too many failures on this connection");
    } else {
      send_error(id, wire::BAD_CREDENTIALS, "wrong username or password");
    }
    co_return;
  }
  co_await issue_token(id, name, req.device_name());
}

net::Awaitable<void> RelaySession::issue_token(std::uint64_t request_id, const std::string& username,
                                               const std::string& device) {
  const crypto::SecretBytes token = generate_token();
  const crypto::Sha256Digest hash = token_hash(token.view());
  const std::int64_t expires = now_ms() + ctx_.settings.token_lifetime.count();
  auto call5 =
      blocking([this, hash, username, device, expires] { ctx_.store->add_token(hash, username, device, expires); });
  co_await std::move(call5);
  wire::Frame reply;
  reply.set_request_id(request_id);
  auto* t = reply.mutable_token();
  t->set_token(token.data(), token.size());
  t->set_username(username);
  t->set_expires_at_ms(static_cast<std::uint64_t>(expires));
  queue_frame(reply);
  // The serialized copy inside reply holds the token too: wipe it.
  std::string* raw = reply.mutable_token()->mutable_token();
  OPENSSL_cleanse(raw->data(), raw->size());
  become_authenticated(username, hash);
}

net::Awaitable<void> RelaySession::on_resume(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto hash = token_hash(as_view(frame.resume().token()));
  const auto now = now_ms();
  auto call6 = blocking([this, hash, now] { return ctx_.store->find_token(hash, now); });
  auto record = co_await std::move(call6);
  // Revoked after find_token read it, and before this session was among
  // those the revocation closes (revoked_tokens.h).
  if (record && ctx_.revoked_tokens.contains(hash, std::chrono::steady_clock::now())) record.reset();
  if (!record) {
    ctx_.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
    log_event("resume_failed", "peer=" + peer_);
    if (++auth_failures_ >= kMaxAuthFailuresPerConnection) {
      fail(id, wire::UNAUTHENTICATED, "unknown, expired or revoked token");
    } else {
      send_error(id, wire::UNAUTHENTICATED, "unknown, expired or revoked token");
    }
    co_return;
  }
  wire::Frame reply;
  reply.set_request_id(id);
  reply.mutable_ok();
  queue_frame(reply);
  become_authenticated(record->username, hash);
}

void RelaySession::become_authenticated(const std::string& username, const crypto::Sha256Digest& token_hash) {
  state_ = State::kAuthenticated;
  username_ = username;
  token_hash_ = token_hash;
  slot_.reset();  // no longer counts against the unauthenticated caps
  ctx_.metrics.connections_authenticated.fetch_add(1, std::memory_order_relaxed);
  if (ctx_.router.add(username_, shared_from_this()) && ctx_.presence_changed) ctx_.presence_changed(username_, true);
  asio::co_spawn(executor_, drain_queue(shared_from_this()), asio::detached);
  asio::co_spawn(executor_, report_low_prekeys(shared_from_this()), asio::detached);
}

net::Awaitable<void> RelaySession::on_logout(const wire::Frame& frame) {
  const auto hash = token_hash_;
  auto call7 = blocking([this, hash] { ctx_.store->revoke_token(hash); });
  co_await std::move(call7);
  wire::Frame reply;
  reply.set_request_id(frame.request_id());
  reply.mutable_ok();
  queue_frame(reply);
  log_event("logout", log_prefix());
  close_after_flush_ = true;
  state_ = State::kClosing;
  closing_since_ = Clock::now();
  write_signal_.cancel();
  watchdog_timer_.cancel();
}

// ---- prekeys ----

net::Awaitable<void> RelaySession::on_publish_prekeys(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.publish_prekeys();
  const std::string name = username_;
  if (signing_key_.empty()) {
    auto call8 = blocking([this, name] { return ctx_.store->find_user(name); });
    auto user = co_await std::move(call8);
    if (!user) {
      fail(id, wire::UNAUTHENTICATED, "this account no longer exists");
      co_return;
    }
    signing_key_ = user->identity.signing_key;
  }
  std::optional<SignedPrekey> signed_prekey;
  if (req.has_signed_prekey()) {
    const auto& spk = req.signed_prekey();
    if (!crypto::ed25519_verify(signing_key_, as_view(spk.public_key()), as_view(spk.signature()))) {
      send_error(id, wire::INVALID_ARGUMENT, "signed_prekey: the signature does not verify with your identity key");
      co_return;
    }
    signed_prekey = SignedPrekey{spk.id(), crypto::Bytes(spk.public_key().begin(), spk.public_key().end()),
                                 crypto::Bytes(spk.signature().begin(), spk.signature().end())};
  }
  std::vector<OneTimePrekey> one_time;
  for (const auto& k : req.one_time_prekeys()) {
    one_time.push_back(OneTimePrekey{k.id(), crypto::Bytes(k.public_key().begin(), k.public_key().end())});
  }
  auto call9 = blocking([this, name, signed_prekey, one_time]() -> std::optional<std::uint32_t> {
    if (signed_prekey) ctx_.store->set_signed_prekey(name, *signed_prekey);
    if (!one_time.empty()) {
      const auto result = ctx_.store->add_one_time_prekeys(name, one_time, PrekeyLimits{kMaxStoredOneTimePrekeys});
      if (result.status != PrekeyUploadStatus::Stored) return std::nullopt;
    }
    return static_cast<std::uint32_t>(ctx_.store->count_one_time_prekeys(name));
  });
  const auto remaining = co_await std::move(call9);
  if (!remaining) {
    send_error(id, wire::INVALID_ARGUMENT,
               "one_time_prekeys: at most " + std::to_string(kMaxStoredOneTimePrekeys) + " may be stored");
    co_return;
  }
  wire::Frame reply;
  reply.set_request_id(id);
  auto* status = reply.mutable_prekey_status();
  status->set_one_time_remaining(*remaining);
  status->set_low_mark(ctx_.settings.prekey_low_mark);
  queue_frame(reply);
}

net::Awaitable<void> RelaySession::on_fetch_bundle(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto username = wire::canonical_username(frame.fetch_bundle().username());
  if (!username.ok()) {
    send_error(id, wire::INVALID_ARGUMENT, "username: " + username.error());
    co_return;
  }
  const std::string name = username.value();
  auto call10 = blocking([this, name] { return ctx_.store->take_bundle(name); });
  const auto bundle = co_await std::move(call10);
  if (!bundle) {
    send_error(id, wire::NOT_FOUND, "no such user, or the user has published no prekeys");
    co_return;
  }
  wire::Frame reply;
  reply.set_request_id(id);
  auto* b = reply.mutable_bundle();
  b->set_username(name);
  auto* identity = b->mutable_identity();
  identity->set_signing_key(as_string(bundle->identity.signing_key));
  identity->set_dh_key(as_string(bundle->identity.dh_key));
  identity->set_signature(as_string(bundle->identity.signature));
  auto* spk = b->mutable_signed_prekey();
  spk->set_id(bundle->signed_prekey.id);
  spk->set_public_key(as_string(bundle->signed_prekey.public_key));
  spk->set_signature(as_string(bundle->signed_prekey.signature));
  if (bundle->one_time_prekey) {
    auto* otk = b->mutable_one_time_prekey();
    otk->set_id(bundle->one_time_prekey->id);
    otk->set_public_key(as_string(bundle->one_time_prekey->public_key));
  }
  queue_frame(reply);
  if (bundle->one_time_remaining < ctx_.settings.prekey_low_mark) {
    const auto left = static_cast<std::uint32_t>(bundle->one_time_remaining);
    for (const auto& session : ctx_.router.sessions_of(name)) session->notify_prekeys(left);
  }
}

// Tells a client at login that its one-time prekeys are below the low mark
// (they may have been used up while it was away).
net::Awaitable<void> RelaySession::report_low_prekeys(std::shared_ptr<RelaySession> /*keep_alive*/) {
  try {
    const std::string name = username_;
    auto count_call = blocking([this, name] { return ctx_.store->count_one_time_prekeys(name); });
    const std::uint64_t count = co_await std::move(count_call);
    if (count < ctx_.settings.prekey_low_mark && !closed_) {
      wire::Frame push;
      auto* status = push.mutable_prekey_status();
      status->set_one_time_remaining(static_cast<std::uint32_t>(count));
      status->set_low_mark(ctx_.settings.prekey_low_mark);
      queue_frame(push);
    }
  } catch (const std::exception& e) {
    log_event("prekey_count_failed", log_prefix() + " error=\"" + e.what() + "\"");
  }
}

void RelaySession::notify_prekeys(std::uint32_t remaining) {
  asio::post(executor_, [self = shared_from_this(), remaining] {
    wire::Frame push;
    auto* status = push.mutable_prekey_status();
    status->set_one_time_remaining(remaining);
    status->set_low_mark(self->ctx_.settings.prekey_low_mark);
    self->queue_frame(push);
  });
}

// ---- messages ----

void RelaySession::on_send(wire::Frame& frame) {
  const auto id = frame.request_id();
  auto* req = frame.mutable_send();
  if (static_cast<std::uint32_t>(req->recipients_size()) > ctx_.settings.max_recipients) {
    send_error(id, wire::INVALID_ARGUMENT,
               "recipients: at most " + std::to_string(ctx_.settings.max_recipients) + " per Send");
    return;
  }
  PendingSend send;
  send.sender = username_;
  send.recipients.reserve(static_cast<std::size_t>(req->recipients_size()));
  // validate_request has refused a name given twice (canonical forms
  // compared), so the names go in as they are: a search of the list for
  // each name would cost half a million string comparisons for a group of
  // 1,000 (docs/performance.md, "Group fan-out").
  for (const auto& r : req->recipients()) {
    const auto name = wire::canonical_username(r);
    if (!name.ok()) {
      send_error(id, wire::INVALID_ARGUMENT, "recipients: " + name.error());
      return;
    }
    send.recipients.push_back(name.value());
  }
  // The validator has checked that message_id is exactly 16 bytes.
  std::copy_n(req->message_id().begin(), send.message_id.size(), send.message_id.begin());
  send.envelope = crypto::Bytes(req->envelope().begin(), req->envelope().end());
  const auto ttl_ms =
      req->ttl_seconds() == 0
          ? ctx_.settings.queue_ttl
          : std::min<std::chrono::milliseconds>(std::chrono::seconds(req->ttl_seconds()), ctx_.settings.queue_max_ttl);
  send.server_time_ms = now_ms();
  send.expires_at_ms = send.server_time_ms + ttl_ms.count();
  ctx_.commits->submit(std::move(send),
                       [self = shared_from_this(), id](const PendingSend& s, const SendResult* result) {
                         self->send_committed(id, s, result);
                       });
}

// CommitQueue's written hook (RelayServer sets it): runs on the committer's
// writer thread, once the envelope is written and
// before it is durable. A recipient's drain would already read it from the
// store, so pushing it now promises nothing more; only the SendAck waits for
// the sync. If the relay loses the envelope in a power cut before the sync,
// the sender, never acknowledged, sends it again, and the recipient's client
// drops the second copy by its message id (docs/protocol.md, "Delivery").
void RelaySession::push_written(Router& router, const PendingSend& send, const SendResult& result) {
  if (result.status != SendStatus::Stored) return;
  // One copy of the body for all the recipients online, made when the
  // first one is found: a group Send reaches up to 1,000 of them.
  std::shared_ptr<const QueuedEnvelope> body;
  for (const auto& d : result.deliveries) {
    auto sessions = router.sessions_of(d.recipient);
    if (sessions.empty()) continue;
    if (!body) {
      body = std::make_shared<const QueuedEnvelope>(
          QueuedEnvelope{0, send.sender, send.message_id, send.envelope, send.server_time_ms, send.expires_at_ms});
    }
    for (const auto& s : sessions) s->deliver(body, d.delivery_id, d.previous_delivery_id);
  }
}

// Runs on a syncer thread, right after the transaction is durable.
void RelaySession::send_committed(std::uint64_t request_id, const PendingSend& send, const SendResult* result) {
  const bool failed = result == nullptr;
  const SendStatus status = failed ? SendStatus::Stored : result->status;
  asio::post(executor_, [self = shared_from_this(), request_id, message_id = send.message_id,
                         time = failed ? send.server_time_ms : result->server_time_ms, status, failed] {
    if (failed) {
      self->send_error(request_id, wire::INTERNAL, "the relay could not store the envelope; retry");
      return;
    }
    switch (status) {
      case SendStatus::Stored:
      case SendStatus::Duplicate: {
        self->ctx_.metrics.sends.fetch_add(1, std::memory_order_relaxed);
        wire::Frame ack;
        ack.set_request_id(request_id);
        ack.mutable_send_ack()->set_message_id(message_id.data(), message_id.size());
        ack.mutable_send_ack()->set_server_time_ms(static_cast<std::uint64_t>(time));
        self->queue_frame(ack);
        break;
      }
      case SendStatus::QueueFull:
        self->ctx_.metrics.send_rejections.fetch_add(1, std::memory_order_relaxed);
        self->send_error(request_id, wire::QUEUE_FULL, "a recipient's queue is full; nothing was stored");
        break;
      case SendStatus::UnknownRecipient:
        self->ctx_.metrics.send_rejections.fetch_add(1, std::memory_order_relaxed);
        self->send_error(request_id, wire::NOT_FOUND, "a recipient does not exist; nothing was stored");
        break;
    }
  });
}

void RelaySession::deliver(std::shared_ptr<const QueuedEnvelope> body, std::int64_t delivery_id,
                           std::int64_t previous_delivery_id) {
  asio::post(executor_, [self = shared_from_this(), body = std::move(body), delivery_id, previous_delivery_id] {
    if (self->closed_ || self->state_ != State::kAuthenticated) return;
    if (previous_delivery_id > self->highest_pushed_) {
      // Another relay sharing the store committed the id before this one,
      // and its wake has not come yet: pushing this one now would carry the
      // session past it, and that wake would then be ignored as covered.
      // Read the store instead, in id order.
      self->highest_missed_ = std::max(self->highest_missed_, delivery_id);
      if (!self->draining_) asio::co_spawn(self->executor_, self->drain_queue(self), asio::detached);
      return;
    }
    if (!self->live_) {
      // The drain that is running (or will run) reads it from the store.
      self->highest_missed_ = std::max(self->highest_missed_, delivery_id);
      return;
    }
    if (delivery_id <= self->highest_pushed_) return;
    if (self->pending_.size() + self->writing_.size() > self->ctx_.settings.max_pending_write_bytes) {
      // A slow reader: stop pushing, and re-read from the store once its
      // queue has drained, so memory per connection stays bounded.
      self->live_ = false;
      self->highest_missed_ = std::max(self->highest_missed_, delivery_id);
      asio::co_spawn(self->executor_, self->drain_queue(self), asio::detached);
      return;
    }
    self->push_envelope(*body, delivery_id);
  });
}

void RelaySession::wake(std::int64_t delivery_id) {
  asio::post(executor_, [self = shared_from_this(), delivery_id] {
    if (self->closed_ || self->state_ != State::kAuthenticated || delivery_id <= self->highest_pushed_) return;
    // The envelope is in the store, not here: read it. A drain already
    // running reads again before it goes live, because of highest_missed_.
    self->highest_missed_ = std::max(self->highest_missed_, delivery_id);
    if (!self->draining_) asio::co_spawn(self->executor_, self->drain_queue(self), asio::detached);
  });
}

void RelaySession::poll_queue() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->closed_ || self->state_ != State::kAuthenticated || self->draining_) return;
    asio::co_spawn(self->executor_, self->drain_queue(self), asio::detached);
  });
}

void RelaySession::push_envelope(const QueuedEnvelope& e, std::int64_t delivery_id) {
  wire::Frame frame;
  auto* d = frame.mutable_deliver();
  d->set_delivery_id(static_cast<std::uint64_t>(delivery_id));
  d->set_message_id(e.message_id.data(), e.message_id.size());
  d->set_sender(e.sender);
  d->set_envelope(e.envelope.data(), e.envelope.size());
  d->set_server_time_ms(static_cast<std::uint64_t>(e.server_time_ms));
  queue_frame(frame);
  highest_pushed_ = delivery_id;
  ctx_.metrics.deliveries_pushed.fetch_add(1, std::memory_order_relaxed);
}

// Reads the user's stored queue in delivery order and pushes it, a page at a
// time, waiting for the socket to take each page. Live pushes are ignored
// until the stored queue has been read to the end; if any arrived meanwhile
// (highest_missed_), the loop reads again, so nothing committed is skipped.
net::Awaitable<void> RelaySession::drain_queue(std::shared_ptr<RelaySession> /*keep_alive*/) {
  if (draining_) co_return;
  draining_ = true;
  live_ = false;
  try {
    while (!closed_ && state_ == State::kAuthenticated) {
      co_await wait_until_writable();
      const std::string name = username_;
      const std::int64_t after = highest_pushed_;
      const auto now = now_ms();
      auto call11 = blocking([this, name, after, now] { return ctx_.store->pending(name, after, kDrainPage, now); });
      auto page = co_await std::move(call11);
      for (const auto& e : page) {
        if (e.delivery_id > highest_pushed_) push_envelope(e);
      }
      if (page.size() < kDrainPage && highest_missed_ <= highest_pushed_) {
        live_ = true;
        break;
      }
    }
  } catch (const std::exception& e) {
    log_error("drain_failed", log_prefix() + " error=\"" + e.what() + "\"");
    fail(0, wire::INTERNAL, "the relay could not read your queue; reconnect");
  }
  draining_ = false;
}

void RelaySession::on_deliver_ack(const wire::Frame& frame) {
  std::vector<DeliveryAck> refs;
  refs.reserve(static_cast<std::size_t>(frame.deliver_ack().delivery_ids_size()));
  for (const auto id : frame.deliver_ack().delivery_ids()) {
    refs.push_back(DeliveryAck{username_, static_cast<std::int64_t>(id)});
  }
  if (!refs.empty()) ctx_.commits->ack(std::move(refs));
  // Answered at once: the deletes are batched, and an ack that is lost only
  // means the envelope is delivered again (clients de-duplicate).
  wire::Frame ok;
  ok.set_request_id(frame.request_id());
  ok.mutable_ok();
  queue_frame(ok);
}

// ---- presence ----

net::Awaitable<void> RelaySession::on_presence(const wire::Frame& frame) {
  const auto id = frame.request_id();
  // With presence turned off everyone reads as offline, which is also what
  // an unknown username reads as: the answer tells nothing either way.
  const bool visible = ctx_.settings.presence == PresencePolicy::kEveryone;
  wire::Frame reply;
  reply.set_request_id(id);
  auto* status = reply.mutable_presence_status();
  std::vector<std::pair<int, std::string>> ask_bus;  // entry index, username: not connected here
  for (const auto& raw : frame.presence().usernames()) {
    const auto name = wire::canonical_username(raw);
    auto* entry = status->add_entries();
    entry->set_username(name.ok() ? name.value() : raw);
    const bool here = visible && name.ok() && ctx_.router.is_online(name.value());
    entry->set_online(here);
    if (visible && name.ok() && !here && ctx_.bus != nullptr) {
      ask_bus.emplace_back(status->entries_size() - 1, name.value());
    }
  }
  if (!ask_bus.empty()) {
    // Connected to another relay? The bus knows (a network round trip, so
    // off this thread). With the bus down the answer is what this relay sees.
    DeliveryBus* bus = ctx_.bus;
    auto call = blocking([bus, names = ask_bus] {
      std::vector<int> online;
      try {
        for (const auto& [index, name] : names) {
          if (bus->online_elsewhere(name).value_or(false)) online.push_back(index);
        }
      } catch (const std::exception& e) {
        log_warning("presence_lookup_failed", std::string("error=\"") + e.what() + "\"");
      }
      return online;
    });
    for (const int index : co_await std::move(call)) status->mutable_entries(index)->set_online(true);
  }
  queue_frame(reply);
}

// ---- blobs ----
//
// Lifecycle (docs/protocol.md, "Blobs"): BlobBegin creates the row and an
// empty file; the upload expires blob_upload_window after its last BlobBegin
// or BlobChunk; BlobEnd checks the bytes, records the readers and sets the
// expiry to blob_ttl from then. BlobRelease by the owner, or by the last
// reader holding a claim, deletes the blob at once; the housekeeping sweep
// deletes whatever expired, finished or not. Rows go first and files second,
// so a crash in between leaves only a file without a row, which the sweep at
// start removes (RelayServer::housekeeping).
//
// An expired blob is treated as gone by every request even before the sweep
// has deleted it, and a file deleted under a request (by a release or the
// sweep on another thread) is answered as a missing blob, not as a failure.

namespace {
// Chunks returned by BlobGet are capped so one read never builds a frame near
// the frame limit (lib/wire/limits.h has the same bound for uploads).
constexpr std::uint32_t kMaxBlobRead = 256 * 1024;

// Answers that must not tell a blob that exists apart from one that does not:
// a BlobGet or BlobRelease from someone who may not fetch or release the blob
// gets exactly what a made-up id gets.
constexpr const char* kNoSuchFile = "blob_id: no such file, or offset past its end";
constexpr const char* kNothingToRelease = "blob_id: no such file, or none you may release";
constexpr const char* kNoUploadOfYours = "blob_id: no upload of yours has that id";

struct BlobRefusal {
  wire::ErrorCode code = wire::INVALID_ARGUMENT;
  std::string reason;
};

bool file_is_gone(const BlobFileError& error) { return error.error_number() == ENOENT; }

// After the row is gone: the blob no longer exists for any request, so a file
// that cannot be deleted now is only disk space, logged and left to the sweep
// at the next start.
void remove_blob_file(BlobFiles& files, const std::string& blob_id) {
  try {
    files.remove(blob_id);
  } catch (const BlobFileError& e) {
    log_error("blob_remove_failed", std::string("error=\"") + e.what() + "\"");
  }
}
}  // namespace

net::Awaitable<void> RelaySession::on_blob_begin(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.blob_begin();
  const std::string owner = username_;
  const std::int64_t now = now_ms();
  // Every BlobBegin, new or resuming, opens a fresh upload window.
  const std::int64_t expires = now + ctx_.settings.blob_upload_window.count();
  wire::Frame reply;
  reply.set_request_id(id);
  auto* status = reply.mutable_blob_status();
  if (!req.upload_id().empty()) {
    const std::string blob_id = req.upload_id();
    auto call12 = blocking([this, owner, blob_id, now, expires]() -> std::optional<BlobRecord> {
      auto blob = ctx_.store->blob(blob_id);
      if (!blob || blob->owner != owner || blob->expires_at_ms <= now) return std::nullopt;
      if (blob->complete) return blob;
      // Resume from what the file really holds. Chunks are written to the
      // file before their offset is recorded, so after a crash of relayd
      // (kill -9 included) the file holds at least `received` bytes; after a
      // power cut the file's unsynced tail may be lost while the recorded
      // offset survived, and then the file's size is the truth. Either way the
      // answer never exceeds the bytes on disk, and the next chunk at that
      // offset cuts off anything beyond it (BlobFiles::write_at).
      std::uint64_t on_disk = 0;
      bool created = false;
      try {
        on_disk = ctx_.blobs->size(blob_id);
      } catch (const BlobFileError& e) {
        if (!file_is_gone(e)) throw;
        // The row was written and the file not (a crash between the two).
        ctx_.blobs->create(blob_id);
        created = true;
      }
      const std::uint64_t offset = std::min(blob->received, on_disk);
      if (!ctx_.store->set_blob_received(blob_id, offset, expires)) {
        // Completed, released or swept by another request meanwhile.
        if (created) ctx_.blobs->remove(blob_id);
        auto now_blob = ctx_.store->blob(blob_id);
        if (now_blob && now_blob->owner == owner && now_blob->complete) return now_blob;
        return std::nullopt;
      }
      blob->received = offset;
      blob->expires_at_ms = expires;
      return blob;
    });
    const auto blob = co_await std::move(call12);
    if (!blob) {
      send_error(id, wire::NOT_FOUND, "upload_id: no unfinished upload of yours has that id");
      co_return;
    }
    status->set_blob_id(blob->id);
    status->set_offset(blob->received);
    status->set_complete(blob->complete);
    status->set_expires_at_ms(static_cast<std::uint64_t>(blob->expires_at_ms));
    queue_frame(reply);
    co_return;
  }
  if (req.size() > ctx_.settings.blob_max_size) {
    send_error(id, wire::QUOTA_EXCEEDED,
               "size: files larger than " + std::to_string(ctx_.settings.blob_max_size) + " bytes are refused");
    co_return;
  }
  const std::string blob_id = crypto::to_hex(crypto::random_bytes(16));
  const BlobLimits limits{ctx_.settings.blob_max_size, ctx_.settings.blob_quota};
  Sha256Hash digest{};  // the validator has checked that sha256 is 32 bytes
  std::copy_n(req.sha256().begin(), digest.size(), digest.begin());
  const std::uint64_t size = req.size();
  auto call13 = blocking([this, owner, blob_id, size, digest, expires, limits] {
    const auto r = ctx_.store->begin_blob(owner, blob_id, size, digest, expires, limits);
    if (r == BlobBeginStatus::Started) {
      try {
        ctx_.blobs->create(blob_id);
      } catch (...) {
        // No file, no upload: give the quota back before reporting the failure.
        ctx_.store->remove_blob(blob_id);
        throw;
      }
    }
    return r;
  });
  const auto outcome = co_await std::move(call13);
  if (outcome != BlobBeginStatus::Started) {
    send_error(id, wire::QUOTA_EXCEEDED,
               outcome == BlobBeginStatus::TooLarge ? "size: above the relay's file size cap"
                                                    : "your file quota on this relay is used up");
    co_return;
  }
  status->set_blob_id(blob_id);
  status->set_offset(0);
  status->set_complete(false);
  status->set_expires_at_ms(static_cast<std::uint64_t>(expires));
  queue_frame(reply);
}

net::Awaitable<void> RelaySession::on_blob_chunk(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.blob_chunk();
  const std::string owner = username_;
  const std::string blob_id = req.blob_id();
  const std::uint64_t offset = req.offset();
  const std::uint64_t end = offset + req.data().size();  // no overflow: offset is checked against received <= size
  const std::int64_t now = now_ms();
  const std::int64_t expires = now + ctx_.settings.blob_upload_window.count();
  auto call14 =
      blocking([this, owner, blob_id, offset, data = req.data(), now, expires]() -> std::optional<std::string> {
        const auto blob = ctx_.store->blob(blob_id);
        if (!blob || blob->owner != owner || blob->expires_at_ms <= now) return std::string(kNoUploadOfYours);
        if (blob->complete) return "blob_id: that upload is already complete";
        if (offset != blob->received) return "offset: expected " + std::to_string(blob->received);
        if (data.size() > blob->size - offset) return "data: goes past the declared size";
        // The bytes reach the file (the page cache, which survives a crash of
        // relayd) before the new offset is recorded, so the recorded offset, the
        // one acknowledged below and reported by BlobBegin{upload_id}, never
        // exceeds what the file holds. The row update is one statement that also
        // moves the expiry: no extra write per chunk.
        try {
          ctx_.blobs->write_at(blob_id, offset, as_view(data));
        } catch (const BlobFileError& e) {
          if (file_is_gone(e)) return std::string(kNoUploadOfYours);  // released or swept meanwhile
          throw;
        }
        if (!ctx_.store->set_blob_received(blob_id, offset + data.size(), expires)) {
          return std::string(kNoUploadOfYours);
        }
        ctx_.upload_hashes.add(blob_id, offset, as_view(data));
        return std::nullopt;
      });
  const auto result = co_await std::move(call14);
  if (result) {
    send_error(id, wire::INVALID_ARGUMENT, *result);
    co_return;
  }
  wire::Frame reply;
  reply.set_request_id(id);
  auto* status = reply.mutable_blob_status();
  status->set_blob_id(blob_id);
  status->set_offset(end);
  status->set_expires_at_ms(static_cast<std::uint64_t>(expires));
  queue_frame(reply);
}

net::Awaitable<void> RelaySession::on_blob_end(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.blob_end();
  const std::string owner = username_;
  const std::string blob_id = req.blob_id();
  // The validator has checked each name and refused repeats and more than
  // the protocol's ceiling; this relay's own cap and the owner are checked
  // here, before anything is read or written.
  const auto reader_count = static_cast<std::size_t>(req.readers_size());
  if (reader_count > ctx_.settings.max_recipients) {
    send_error(id, wire::INVALID_ARGUMENT,
               "blob_end.readers has " + std::to_string(reader_count) + " entries, more than this relay's maximum of " +
                   std::to_string(ctx_.settings.max_recipients) + " (HelloOk.max_recipients)");
    co_return;
  }
  std::vector<std::string> readers;
  readers.reserve(reader_count);
  for (std::size_t i = 0; i < reader_count; ++i) {
    std::string name = wire::canonical_username(req.readers(static_cast<int>(i))).value();
    if (name == owner) {
      // Refused rather than dropped: a list naming only the owner would
      // otherwise turn into no list, which lets anyone with the id fetch.
      send_error(id, wire::INVALID_ARGUMENT,
                 "blob_end.readers[" + std::to_string(i) +
                     "] is the owner, who may always fetch the file; list only the others");
      co_return;
    }
    readers.push_back(std::move(name));
  }
  const std::int64_t now = now_ms();
  const std::int64_t expires = now + ctx_.settings.blob_ttl.count();
  auto call15 = blocking([this, owner, blob_id, readers, now, expires]() -> std::variant<BlobRefusal, BlobRecord> {
    auto blob = ctx_.store->blob(blob_id);
    if (!blob || blob->owner != owner || blob->expires_at_ms <= now) {
      return BlobRefusal{wire::INVALID_ARGUMENT, kNoUploadOfYours};
    }
    // A repeated BlobEnd answers the blob's status and changes nothing, the
    // readers included.
    if (blob->complete) return *blob;
    if (blob->received != blob->size) {
      return BlobRefusal{wire::INVALID_ARGUMENT, "the upload is incomplete: " + std::to_string(blob->received) +
                                                     " of " + std::to_string(blob->size) + " bytes"};
    }
    // The hash kept while the chunks came in order, else the file read back.
    auto kept = ctx_.upload_hashes.take(blob_id, blob->size);
    const auto digest = kept ? *kept : ctx_.blobs->sha256(blob_id);
    if (!crypto::constant_time_equal(digest, blob->sha256)) {
      // The upload cannot be repaired by resuming it: discard it, so that it
      // stops counting against the quota.
      ctx_.store->remove_blob(blob_id);
      remove_blob_file(*ctx_.blobs, blob_id);
      return BlobRefusal{wire::INVALID_ARGUMENT, "sha256: does not match the bytes; the upload was discarded"};
    }
    ctx_.blobs->sync(blob_id);
    const auto done = ctx_.store->complete_blob(blob_id, readers, expires);
    switch (done.status) {
      case BlobCompleteStatus::Completed:
        blob->complete = true;
        blob->expires_at_ms = expires;
        blob->restricted = !readers.empty();
        return *blob;
      case BlobCompleteStatus::UnknownReader: {
        const auto at = std::find(readers.begin(), readers.end(), done.reader) - readers.begin();
        return BlobRefusal{wire::NOT_FOUND, "blob_end.readers[" + std::to_string(at) +
                                                "] names no account on this relay; the upload is not finished yet"};
      }
      case BlobCompleteStatus::NotReady:
        break;
    }
    // Completed, released or swept by another request meanwhile.
    auto now_blob = ctx_.store->blob(blob_id);
    if (now_blob && now_blob->owner == owner && now_blob->complete) return *now_blob;
    return BlobRefusal{wire::INVALID_ARGUMENT, kNoUploadOfYours};
  });
  const auto result = co_await std::move(call15);
  if (const auto* refusal = std::get_if<BlobRefusal>(&result)) {
    send_error(id, refusal->code, refusal->reason);
    co_return;
  }
  const auto& blob = std::get<BlobRecord>(result);
  wire::Frame reply;
  reply.set_request_id(id);
  auto* status = reply.mutable_blob_status();
  status->set_blob_id(blob.id);
  status->set_offset(blob.size);
  status->set_complete(true);
  status->set_expires_at_ms(static_cast<std::uint64_t>(blob.expires_at_ms));
  queue_frame(reply);
}

net::Awaitable<void> RelaySession::on_blob_get(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const auto& req = frame.blob_get();
  const std::string user = username_;
  const std::string blob_id = req.blob_id();
  const std::uint64_t offset = req.offset();
  const std::uint32_t want = req.max_length() == 0 ? kMaxBlobRead : std::min(req.max_length(), kMaxBlobRead);
  const auto now = now_ms();
  struct Read {
    BlobRecord blob;
    crypto::Bytes data;
  };
  auto call16 = blocking([this, user, blob_id, offset, want, now]() -> std::optional<Read> {
    auto blob = ctx_.store->blob(blob_id);
    if (!blob || !blob->complete || blob->expires_at_ms <= now || offset > blob->size) return std::nullopt;
    // Who may fetch: the owner always; for a blob with readers only a reader
    // still holding a claim; for one without, anyone who knows the id.
    if (blob->restricted && blob->owner != user && !ctx_.store->holds_blob_claim(blob_id, user)) return std::nullopt;
    const std::uint64_t n = std::min<std::uint64_t>(want, blob->size - offset);
    try {
      return Read{*blob, ctx_.blobs->read(blob_id, offset, static_cast<std::size_t>(n))};
    } catch (const BlobFileError& e) {
      if (file_is_gone(e)) return std::nullopt;  // released or swept meanwhile
      throw;
    }
  });
  const auto result = co_await std::move(call16);
  if (!result) {
    send_error(id, wire::NOT_FOUND, kNoSuchFile);
    co_return;
  }
  wire::Frame reply;
  reply.set_request_id(id);
  auto* data = reply.mutable_blob_data();
  data->set_blob_id(blob_id);
  data->set_offset(offset);
  data->set_data(result->data.data(), result->data.size());
  data->set_total_size(result->blob.size);
  data->set_last(offset + result->data.size() >= result->blob.size);
  queue_frame(reply);
}

net::Awaitable<void> RelaySession::on_blob_release(const wire::Frame& frame) {
  const auto id = frame.request_id();
  const std::string user = username_;
  const std::string blob_id = frame.blob_release().blob_id();
  const auto now = now_ms();
  auto call17 = blocking([this, user, blob_id, now] {
    const auto status = ctx_.store->release_blob(blob_id, user, now);
    // The row is gone, so the owner's quota is free now; then the bytes.
    if (status == BlobReleaseStatus::Removed) {
      ctx_.upload_hashes.forget(blob_id);
      remove_blob_file(*ctx_.blobs, blob_id);
    }
    return status;
  });
  const auto status = co_await std::move(call17);
  if (status == BlobReleaseStatus::NotFound) {
    send_error(id, wire::NOT_FOUND, kNothingToRelease);
    co_return;
  }
  wire::Frame ok;
  ok.set_request_id(id);
  ok.mutable_ok();
  queue_frame(ok);
}

}  // namespace sotto::relayd
