#include "daemon/service/messenger.h"

#include <cstdio>
#include <utility>

#include "daemon/service/account_pin_store.h"
#include "daemon/service/message_json.h"
#include "daemon/service/msgd_log.h"
#include "lib/crypto/safety_number.h"
#include "lib/store/transaction.h"
#include "lib/wire/username.h"

namespace sotto::msgd {

using api::ApiError;
using api::ErrorName;
using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultHistoryLimit = 50;
constexpr std::int64_t kMaxHistoryLimit = 1000;

}  // namespace

Messenger::Messenger(net::asio::io_context& io, MsgdConfig config, StateDatabase& database, EventHub& events)
    : io_(io),
      config_(std::move(config)),
      database_(database),
      events_(events),
      accounts_(database.db()),
      keys_(database.db()),
      sessions_(database.db()),
      contacts_(database.db()),
      messages_(database.db()),
      outbox_(database.db()),
      initiations_(database.db()),
      transfers_(database.db()),
      groups_(database.db()),
      tls_(net::make_client_context()),
      retry_timer_(io),
      rotation_timer_(io),
      transfer_retry_timer_(io),
      skipped_key_timer_(io) {
  if (!config_.relay.empty()) endpoint_ = parse_relay_endpoint(config_.relay);
  if (!config_.relay_fingerprint.empty()) configured_pin_ = config_.relay_fingerprint;
  pins_ = std::make_unique<AccountPinStore>(accounts_);
}

Messenger::~Messenger() { stop(); }

void Messenger::start() {
  identity_ = keys_.identity();
  username_ = accounts_.username().value_or("");
  log_event("started", {{"account", username_.empty() ? "none" : username_},
                        {"relay", config_.relay.empty() ? "unset" : config_.relay}});
  expire_skipped_keys_periodically();
  if (!username_.empty() && accounts_.token()) start_link();
}

void Messenger::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_link();
  retry_timer_.cancel();
  rotation_timer_.cancel();
  transfer_retry_timer_.cancel();
  skipped_key_timer_.cancel();
  // A hashing pass stops at its next block; its transfer resumes on the next start.
  for (auto& [id, task] : tasks_) task->cancelled = true;
  if (file_pool_) file_pool_->join();
}

std::int64_t Messenger::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Messenger::run_async(net::Awaitable<json> work, api::Completion done) {
  net::asio::co_spawn(io_, std::move(work), [done = std::move(done)](std::exception_ptr error, json result) {
    if (!error) {
      done(std::move(result));
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const ApiError& e) {
      done(e);
    } catch (const std::exception& e) {
      done(ApiError(ErrorName::kInternal, e.what()));
    }
  });
}

void Messenger::call(const api::MethodSpec& method, json params, api::Completion done) {
  const std::string_view name = method.name;
  try {
    if (name == "register") return run_async(register_account(std::move(params)), std::move(done));
    if (name == "login") return run_async(login(std::move(params)), std::move(done));
    if (name == "logout") return run_async(logout(), std::move(done));
    if (name == "online") return run_async(online(std::move(params)), std::move(done));
    if (name == "broadcast") return run_async(broadcast(std::move(params)), std::move(done));
    json result;
    if (name == "status") {
      result = status();
    } else if (name == "send") {
      result = send(params);
    } else if (name == "get_message") {
      result = get_message(params);
    } else if (name == "history") {
      result = history(params);
    } else if (name == "inbox") {
      result = inbox();
    } else if (name == "mark_read") {
      result = mark_read(params);
    } else if (name == "contacts") {
      result = contacts();
    } else if (name == "fingerprint") {
      result = fingerprint(params);
    } else if (name == "verify") {
      result = verify(params);
    } else if (name == "export") {
      result = export_conversation(params);
    } else if (name == "relay_forget") {
      result = relay_forget();
    } else if (name == "send_file") {
      result = send_file(params);
    } else if (name == "list_files") {
      result = list_files(params);
    } else if (name == "save_file") {
      result = save_file(params);
    } else if (name == "cancel_transfer") {
      result = cancel_transfer(params);
    } else if (name == "group_create") {
      result = group_create(params);
    } else if (name == "group_add") {
      result = group_add(params);
    } else if (name == "group_remove") {
      result = group_remove(params);
    } else if (name == "group_leave") {
      result = group_leave(params);
    } else if (name == "group_rename") {
      result = group_rename(params);
    } else if (name == "group_list") {
      result = group_list();
    } else if (name == "group_members") {
      result = group_members(params);
    } else if (name == "group_send") {
      result = group_send(params);
    } else {
      throw ApiError(ErrorName::kUnknownMethod, "msgd does not implement '" + std::string(name) + "'");
    }
    done(std::move(result));
  } catch (const ApiError& e) {
    done(e);
  } catch (const std::exception& e) {
    log_error("api_failed", {{"method", std::string(name)}, {"error", e.what()}});
    done(ApiError(ErrorName::kInternal, e.what()));
  }
}

void Messenger::require_account() const {
  if (username_.empty() || !identity_) {
    throw ApiError(ErrorName::kNotLoggedIn, "no account yet: run `msgctl register USER` or `msgctl login USER`");
  }
}

std::string Messenger::require_peer(const json& params) const {
  const std::string& raw = params.at("peer").get_ref<const std::string&>();
  const auto canonical = wire::canonical_username(raw);
  if (!canonical.ok()) throw ApiError(ErrorName::kInvalidParams, "peer: " + canonical.error());
  return canonical.value();
}

json Messenger::status() {
  std::string fingerprint;
  if (identity_) {
    fingerprint = crypto::short_fingerprint(identity_->public_key().signing_key, identity_->public_key().dh_key);
  }
  return {
      {"username", username_},
      {"logged_in", !username_.empty() && accounts_.token().has_value()},
      {"connected", authenticated_ != nullptr},
      {"relay", config_.relay},
      {"relay_fingerprint", config_.relay.empty() ? "" : accounts_.relay_pin(config_.relay).value_or("")},
      {"outbox", outbox_.size()},
      {"unread", messages_.count_unread()},
      {"identity_fingerprint", fingerprint},
  };
}

json Messenger::send(const json& params) {
  require_account();
  if (const auto& raw = params.at("peer").get_ref<const std::string&>(); !raw.empty() && raw.front() == '@') {
    return group_send({{"group", raw}, {"text", params.at("text")}});
  }
  const std::string peer = require_peer(params);
  if (peer == username_) throw ApiError(ErrorName::kInvalidParams, "peer: that is you; send to someone else");
  const std::string& text = params.at("text").get_ref<const std::string&>();
  if (text.empty()) throw ApiError(ErrorName::kInvalidParams, "text: empty; there is nothing to send");
  if (text.size() > kMaxTextBytes) throw ApiError(ErrorName::kInvalidParams, "text: longer than 64 KiB");
  if (auto contact = contacts_.find(peer); contact && contact->trust == Trust::kUntrusted) {
    throw ApiError(ErrorName::kIdentityUntrusted, peer + "'s identity key " +
                                                      (contact->identity_changed ? "changed" : "is not trusted yet") +
                                                      ": compare safety numbers (`msgctl fingerprint " + peer +
                                                      "`), then run `msgctl trust " + peer + "`");
  }
  StoredMessage m;
  m.id = message_id_hex(new_message_id());
  m.peer = peer;
  m.direction = Direction::kOut;
  m.sender = username_;
  m.text = text;
  m.sent_at_ms = now_ms();
  m.state = MessageState::kQueued;
  {
    store::Transaction tx(database_.db());
    // With a session, encrypt now: the message, its envelope and the advanced
    // ratchet are one commit (one fsync) instead of two. Not while an earlier
    // message to the peer waits to be encrypted (a file's, queued when its
    // upload ends): this one would take an earlier ratchet number and leave
    // the peer a gap to skip, and past kMaxSkip it could not decrypt it.
    const bool seal_now = !outbox_.has_unsealed(peer);
    messages_.insert_outgoing(m);
    outbox_.enqueue(m.id, peer, "text");
    if (auto session = seal_now ? sessions_.load(peer, skipped_key_expiry()) : std::nullopt) {
      outbox_.set_envelope(m.id, seal(peer, text_content(m), *session, std::nullopt));
      sessions_.save(peer, *session);
    }
    tx.commit();
  }
  kick_pump();
  return {{"id", m.id}, {"state", "queued"}};
}

json Messenger::get_message(const json& params) {
  const std::string& id = params.at("id").get_ref<const std::string&>();
  auto m = messages_.find(id);
  if (!m) throw ApiError(ErrorName::kNotFound, "no message with id " + id.substr(0, 64));
  return message_json(*m);
}

json Messenger::history(const json& params) {
  const std::string peer = require_conversation(params);
  std::int64_t limit = params.at("limit").get<std::int64_t>();
  if (limit < 0 || limit > kMaxHistoryLimit) {
    throw ApiError(ErrorName::kInvalidParams, "limit: between 1 and 1000 (0 for the default, 50)");
  }
  if (limit == 0) limit = kDefaultHistoryLimit;
  std::optional<std::string> before;
  if (const auto& b = params.at("before").get_ref<const std::string&>(); !b.empty()) {
    if (!messages_.find(b)) throw ApiError(ErrorName::kNotFound, "before: no message with that id");
    before = b;
  }
  json out = json::array();
  for (const auto& m : messages_.history(peer, static_cast<std::size_t>(limit), before)) {
    out.push_back(message_json(m));
  }
  return out;
}

json Messenger::inbox() {
  json out = json::array();
  for (const auto& m : messages_.unread()) out.push_back(message_json(m));
  return out;
}

json Messenger::mark_read(const json& params) {
  const std::string peer = require_conversation(params);
  const std::size_t marked = messages_.mark_read(peer);
  return {{"peer", peer}, {"marked", marked}};
}

json Messenger::contacts() {
  json out = json::array();
  for (const auto& c : contacts_.list()) out.push_back(to_json(c));
  return out;
}

json Messenger::fingerprint(const json& params) {
  require_account();
  const std::string peer = require_peer(params);
  auto contact = contacts_.find(peer);
  if (!contact) {
    throw ApiError(ErrorName::kNotFound,
                   "no identity key known for " + peer + " yet: it arrives with the first message sent or received");
  }
  const auto& mine = identity_->public_key();
  crypto::SafetyNumber number({username_, mine.signing_key, mine.dh_key},
                              {peer, contact->identity.signing_key, contact->identity.dh_key});
  return {
      {"peer", peer},
      {"safety_number", number.digits()},
      {"grouped", number.grouped()},
      {"lines", number.display_lines()},
      {"trust", std::string(to_string(contact->trust))},
  };
}

json Messenger::verify(const json& params) {
  const std::string peer = require_peer(params);
  auto contact = contacts_.find(peer);
  if (!contact) throw ApiError(ErrorName::kNotFound, "no identity key known for " + peer + " yet");
  contacts_.set_trust(peer, Trust::kVerified);
  log_event("identity_verified", {{"peer", peer}});
  kick_pump();  // messages held back for this peer may go now
  return to_json(*contacts_.find(peer));
}

json Messenger::export_conversation(const json& params) {
  const std::string peer = require_conversation(params);
  const std::string& format = params.at("format").get_ref<const std::string&>();
  const auto all = messages_.all(peer);
  if (format.empty() || format == "json") {
    json list = json::array();
    for (const auto& m : all) list.push_back(message_json(m));
    return {{"peer", peer}, {"format", "json"}, {"content", list.dump(2, ' ', false, json::error_handler_t::replace)}};
  }
  if (format == "txt") return {{"peer", peer}, {"format", "txt"}, {"content", conversation_text(all)}};
  throw ApiError(ErrorName::kInvalidParams, "format: \"json\" or \"txt\"");
}

json Messenger::relay_forget() {
  if (config_.relay.empty()) throw ApiError(ErrorName::kInvalidParams, "no relay configured");
  const auto forgotten = accounts_.forget_relay_pin(config_.relay);
  log_event("relay_pin_forgotten", {{"relay", config_.relay}});
  if (link_) link_->reconnect_now();
  return {{"relay", config_.relay}, {"forgotten", forgotten.value_or("")}};
}

}  // namespace sotto::msgd
