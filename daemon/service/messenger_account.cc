// Messenger: the account (register, login, logout) and the relay link.
#include <string>

#include "daemon/relay/pin_check.h"
#include "daemon/service/account_pin_store.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "daemon/service/relay_reply.h"
#include "daemon/service/wire_keys.h"
#include "lib/crypto/safety_number.h"
#include "lib/store/transaction.h"
#include "lib/wire/username.h"

namespace sotto::msgd {

using api::ApiError;
using api::ErrorName;
using nlohmann::json;

namespace {

constexpr std::chrono::seconds kDirectConnectTimeout{10};
constexpr std::size_t kMinPassword = 8;
constexpr std::size_t kMaxPassword = 1024;

std::string canonical_or_throw(const std::string& raw) {
  const auto canonical = wire::canonical_username(raw);
  if (!canonical.ok()) throw ApiError(ErrorName::kInvalidParams, "username: " + canonical.error());
  return canonical.value();
}

void check_password(const std::string& password) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    throw ApiError(ErrorName::kInvalidParams, "password: 8 to 1024 bytes");
  }
}

std::string token_string(const crypto::SecretBytes& token) {
  return std::string(reinterpret_cast<const char*>(token.data()), token.size());
}

}  // namespace

json Messenger::account_json() const {
  std::string fingerprint;
  if (identity_) {
    fingerprint = crypto::short_fingerprint(identity_->public_key().signing_key, identity_->public_key().dh_key);
  }
  return {{"username", username_}, {"identity_fingerprint", fingerprint}};
}

net::Awaitable<Messenger::ConnectionPtr> Messenger::open_direct_connection() {
  if (config_.relay.empty()) {
    throw ApiError(ErrorName::kRelayUnavailable,
                   "no relay configured: start msgd with --relay HOST:PORT or set relay: in msgd.yaml");
  }
  ConnectionPtr connection;
  std::string failure;
  bool pin_mismatch = false;
  try {
    auto opening = RelayConnection::open(endpoint_, tls_.get(), *pins_, configured_pin_, kDirectConnectTimeout);
    connection = co_await std::move(opening);
  } catch (const RelayPinMismatch& e) {
    pin_mismatch = true;
    failure = e.what();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (pin_mismatch) throw ApiError(ErrorName::kRelayPinMismatch, failure);
  if (!connection) {
    throw ApiError(ErrorName::kRelayUnavailable, "cannot reach the relay at " + endpoint_.to_string() + ": " + failure);
  }
  net::asio::co_spawn(io_, connection->run(), net::asio::detached);
  co_return connection;
}

void Messenger::accept_token(const wire::Token& token) {
  const crypto::ByteView bytes(reinterpret_cast<const std::uint8_t*>(token.token().data()), token.token().size());
  store::Transaction tx(database_.db());
  accounts_.set_username(token.username());
  accounts_.set_token(bytes, static_cast<std::int64_t>(token.expires_at_ms()));
  tx.commit();
  username_ = token.username();
}

void Messenger::ensure_identity() {
  if (identity_) return;
  keys_.save_identity(crypto::IdentityKeyPair::generate());
  identity_ = keys_.identity();
}

net::Awaitable<void> Messenger::authenticate(wire::Frame request, const char* what) {
  auto opening = open_direct_connection();
  ConnectionPtr connection = co_await std::move(opening);
  auto requesting = connection->request(std::move(request));
  wire::Frame reply = co_await std::move(requesting);
  if (reply.has_error()) connection->close();
  accept_token(expect_body(reply, wire::Frame::kToken, what).token());
  log_event(std::string(what) == "Register" ? "registered" : "logged_in", {{"account", username_}});
  // Publish prekeys before answering, so a peer can start a session with us
  // the moment the call returns.
  auto publishing = publish_prekeys(connection, /*rotate_if_due=*/true);
  co_await std::move(publishing);
  connection->close();
  stop_link();
  start_link();
}

net::Awaitable<json> Messenger::register_account(json params) {
  const std::string username = canonical_or_throw(params.at("username").get<std::string>());
  if (!username_.empty()) {
    throw ApiError(ErrorName::kAlreadyRegistered, "this msgd already holds the account '" + username_ +
                                                      "' (one account per data directory; use another --data-dir)");
  }
  std::string password = params.at("password").get<std::string>();
  check_password(password);
  ensure_identity();
  wire::Frame frame;
  auto* body = frame.mutable_register_();
  body->set_username(username);
  body->set_password(password);
  body->set_device_name(config_.device_name);
  body->set_invite_code(params.at("invite").get<std::string>());
  *body->mutable_identity() = to_wire(identity_->public_key());
  OPENSSL_cleanse(password.data(), password.size());
  auto authenticating = authenticate(std::move(frame), "Register");
  co_await std::move(authenticating);
  co_return account_json();
}

net::Awaitable<json> Messenger::login(json params) {
  const std::string username = canonical_or_throw(params.at("username").get<std::string>());
  if (!username_.empty() && username_ != username) {
    throw ApiError(ErrorName::kAlreadyRegistered,
                   "this msgd holds the keys of '" + username_ + "'; log in as them, or use another --data-dir");
  }
  std::string password = params.at("password").get<std::string>();
  check_password(password);
  ensure_identity();  // an account made by `relayd user add` gets this key on its first login
  wire::Frame frame;
  auto* body = frame.mutable_login();
  body->set_username(username);
  body->set_password(password);
  body->set_device_name(config_.device_name);
  *body->mutable_identity() = to_wire(identity_->public_key());
  OPENSSL_cleanse(password.data(), password.size());
  auto authenticating = authenticate(std::move(frame), "Login");
  co_await std::move(authenticating);
  co_return account_json();
}

net::Awaitable<json> Messenger::logout() {
  require_account();
  if (ConnectionPtr connection = authenticated_) {
    wire::Frame frame;
    frame.mutable_logout();
    try {
      auto requesting = connection->request(std::move(frame));
      co_await std::move(requesting);
    } catch (const std::exception& e) {
      // The token is forgotten locally either way; the relay expires it.
      log_warning("logout_not_confirmed", {{"error", e.what()}});
    }
  }
  accounts_.clear_token();
  stop_link();
  log_event("logged_out", {{"account", username_}});
  co_return json::object();
}

net::Awaitable<json> Messenger::online(json params) {
  require_account();
  ConnectionPtr connection = authenticated_;
  if (!connection) throw ApiError(ErrorName::kRelayUnavailable, "not connected to the relay right now");
  wire::Frame frame;
  auto* presence = frame.mutable_presence();
  const auto& peers = params.at("peers");
  if (peers.empty()) {
    for (const auto& c : contacts_.list()) presence->add_usernames(c.username);
  } else {
    for (const auto& p : peers) presence->add_usernames(canonical_or_throw(p.get<std::string>()));
  }
  json out = json::array();
  if (presence->usernames_size() == 0) co_return out;
  auto requesting = connection->request(std::move(frame));
  wire::Frame reply = co_await std::move(requesting);
  for (const auto& entry : expect_body(reply, wire::Frame::kPresenceStatus, "Presence").presence_status().entries()) {
    out.push_back({{"username", entry.username()}, {"online", entry.online()}});
  }
  co_return out;
}

void Messenger::start_link() {
  if (link_ || stopped_ || config_.relay.empty()) return;
  RelayLinkHooks hooks;
  hooks.on_connected = [this](ConnectionPtr connection) { return on_connected(std::move(connection)); };
  hooks.on_state = [this](bool connected, const std::string& reason) { on_state(connected, reason); };
  hooks.on_push = [this](const ConnectionPtr& connection, wire::Frame frame) { on_push(connection, std::move(frame)); };
  link_ = std::make_unique<RelayLink>(io_.get_executor(), endpoint_, *pins_, configured_pin_, std::move(hooks));
  link_->start();
}

void Messenger::stop_link() {
  authenticated_.reset();
  if (!link_) return;
  link_->stop();
  // Its coroutines may still be unwinding on this thread; keep it alive.
  retired_links_.push_back(std::move(link_));
}

net::Awaitable<void> Messenger::on_connected(ConnectionPtr connection) {
  const auto token = accounts_.token();
  if (!token) co_return;
  wire::Frame frame;
  frame.mutable_resume()->set_token(token_string(*token));
  auto requesting = connection->request(std::move(frame));
  wire::Frame reply = co_await std::move(requesting);
  if (reply.has_error() && reply.error().code() == wire::UNAUTHENTICATED) {
    accounts_.clear_token();
    log_warning("session_expired", {{"account", username_}});
    events_.publish(
        "ConnectionChanged",
        {{"connected", false}, {"relay", endpoint_.to_string()}, {"reason", "session expired: log in again"}});
    net::asio::post(io_, [this] { stop_link(); });
    co_return;
  }
  expect_body(reply, wire::Frame::kOk, "Resume");
  authenticated_ = connection;
  log_event("relay_authenticated", {{"relay", endpoint_.to_string()}, {"account", username_}});
  events_.publish("ConnectionChanged", {{"connected", true}, {"relay", endpoint_.to_string()}, {"reason", ""}});
  auto publishing = publish_prekeys(connection, /*rotate_if_due=*/true);
  co_await std::move(publishing);
  kick_pump();
  resume_transfers();
}

void Messenger::on_state(bool connected, const std::string& reason) {
  if (connected) return;  // announced once authenticated (on_connected)
  const bool was_up = authenticated_ != nullptr;
  authenticated_.reset();
  if (was_up || !reason.empty()) {
    events_.publish("ConnectionChanged", {{"connected", false}, {"relay", endpoint_.to_string()}, {"reason", reason}});
  }
}

void Messenger::on_push(const ConnectionPtr& connection, wire::Frame frame) {
  switch (frame.body_case()) {
    case wire::Frame::kDeliver:
      receive(connection, frame.deliver());
      break;
    case wire::Frame::kPrekeyStatus:
      net::asio::co_spawn(io_, top_up_prekeys(connection, frame.prekey_status().one_time_remaining()),
                          net::asio::detached);
      break;
    case wire::Frame::kError:
      log_warning("relay_error", {{"reason", frame.error().reason()}});
      break;
    default:
      log_warning("relay_unexpected_push", {{"body", std::to_string(frame.body_case())}});
      break;
  }
}

}  // namespace sotto::msgd
