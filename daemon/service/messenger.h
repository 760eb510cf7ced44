#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/relay/relay_connection.h"
#include "daemon/relay/relay_endpoint.h"
#include "daemon/relay/relay_link.h"
#include "daemon/service/account_pin_store.h"
#include "daemon/service/e2e_content.h"
#include "daemon/service/event_hub.h"
#include "daemon/service/identity_policy.h"
#include "daemon/service/msgd_config.h"
#include "daemon/service/pending_initiation.h"
#include "daemon/store/account_store.h"
#include "daemon/store/contact_store.h"
#include "daemon/store/key_store.h"
#include "daemon/store/message_store.h"
#include "daemon/store/outbox.h"
#include "daemon/store/session_store.h"
#include "daemon/store/state_database.h"
#include "lib/api/handler.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/identity.h"
#include "lib/net/asio.h"
#include "lib/net/tls_context.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// msgd's behaviour: the local API's methods, the relay session (resume,
// prekeys), the outbox pump and the receive path. Everything runs on one I/O
// thread, so no member needs a lock; the methods that wait for the relay are
// coroutines whose results reach the caller through the Completion.
//
// The file split: messenger.cc (API dispatch and the local methods),
// messenger_account.cc (register, login, logout, the relay link),
// messenger_prekeys.cc, messenger_outbox.cc (sending), messenger_inbox.cc
// (receiving).
class Messenger : public api::Handler {
 public:
  Messenger(net::asio::io_context& io, MsgdConfig config, StateDatabase& database, EventHub& events);
  ~Messenger() override;
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  // Loads the account; connects to the relay when there is a session token.
  void start();
  void stop();

  void call(const api::MethodSpec& method, nlohmann::json params, api::Completion done) override;

  // Tunables, for tests and benchmarks.
  static constexpr std::size_t kOneTimePrekeys = 100;
  static constexpr std::size_t kOneTimePrekeyLowMark = 20;
  static constexpr std::chrono::hours kSignedPrekeyLifetime{24 * 7};
  static constexpr std::chrono::hours kOldSignedPrekeyKept{24 * 28};

 private:
  using json = nlohmann::json;
  using ConnectionPtr = std::shared_ptr<RelayConnection>;

  // ---- API (messenger.cc) ----
  json status();
  json send(const json& params);
  json get_message(const json& params);
  json history(const json& params);
  json inbox();
  json mark_read(const json& params);
  json contacts();
  json fingerprint(const json& params);
  json verify(const json& params);
  json export_conversation(const json& params);
  json relay_forget();
  void run_async(net::Awaitable<json> work, api::Completion done);
  void require_account() const;
  std::string require_peer(const json& params) const;

  // ---- account and relay link (messenger_account.cc) ----
  net::Awaitable<json> register_account(json params);
  net::Awaitable<json> login(json params);
  net::Awaitable<json> logout();
  net::Awaitable<json> online(json params);
  net::Awaitable<ConnectionPtr> open_direct_connection();
  // Sends Register or Login on a connection of its own, stores the token,
  // publishes prekeys and (re)starts the relay link.
  net::Awaitable<void> authenticate(wire::Frame request, const char* what);
  void ensure_identity();  // generates and stores this device's identity key once
  void accept_token(const wire::Token& token);
  void start_link();
  void stop_link();
  net::Awaitable<void> on_connected(ConnectionPtr connection);
  void on_state(bool connected, const std::string& reason);
  void on_push(const ConnectionPtr& connection, wire::Frame frame);
  json account_json() const;

  // ---- prekeys (messenger_prekeys.cc) ----
  net::Awaitable<void> publish_prekeys(ConnectionPtr connection, bool rotate_if_due);
  net::Awaitable<void> top_up_prekeys(ConnectionPtr connection, std::uint32_t remaining);
  void ensure_signed_prekey(std::int64_t now);

  // ---- sending (messenger_outbox.cc) ----
  void kick_pump();
  net::Awaitable<void> pump(ConnectionPtr connection);
  // false: stop pumping for now (the connection broke, or the relay said to wait)
  net::Awaitable<bool> deliver_entry(ConnectionPtr connection, OutboxEntry entry);
  net::Awaitable<bool> encrypt_entry(ConnectionPtr connection, OutboxEntry& entry);
  void fail_message(const std::string& id, const std::string& peer, const std::string& why);
  // Queues a receipt, already encrypted with session (the caller saves the
  // session in the same transaction).
  void queue_receipt(const std::string& peer, const MessageId& acknowledged, ReceiptState state,
                     crypto::RatchetSession& session);
  // Ratchet-encrypts padded content into an envelope (an initial one while the
  // peer has not answered yet); advances session, commits nothing.
  crypto::Bytes seal(const std::string& peer, const Content& content, crypto::RatchetSession& session,
                     const std::optional<PendingInitiation>& new_initiation);
  static Content text_content(const StoredMessage& message);

  // ---- receiving (messenger_inbox.cc) ----
  void receive(const ConnectionPtr& connection, const wire::Deliver& deliver);
  // Applies the trust policy to an identity seen for peer; returns the decision.
  IdentityDecision meet_identity(const std::string& peer, const crypto::IdentityPublicKey& seen);
  net::Awaitable<void> acknowledge(ConnectionPtr connection, std::uint64_t delivery_id);

  std::int64_t now_ms() const;

  net::asio::io_context& io_;
  MsgdConfig config_;
  RelayEndpoint endpoint_;
  std::optional<std::string> configured_pin_;
  StateDatabase& database_;
  EventHub& events_;
  AccountStore accounts_;
  KeyStore keys_;
  SessionStore sessions_;
  ContactStore contacts_;
  MessageStore messages_;
  Outbox outbox_;
  PendingInitiationStore initiations_;
  std::optional<crypto::IdentityKeyPair> identity_;
  std::string username_;
  net::SslCtxPtr tls_;
  std::unique_ptr<AccountPinStore> pins_;
  std::unique_ptr<RelayLink> link_;
  std::vector<std::unique_ptr<RelayLink>> retired_links_;
  ConnectionPtr authenticated_;  // the link's connection once Resume succeeded
  bool topping_up_ = false;
  bool pumping_ = false;
  bool pump_again_ = false;
  net::asio::steady_timer retry_timer_;
  net::asio::steady_timer rotation_timer_;
  bool stopped_ = false;
};

}  // namespace sotto::msgd
