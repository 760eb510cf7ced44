// Messenger: sending. The outbox is the source of truth: an entry is
// encrypted once (session state and envelope committed together), then sent
// until the relay's SendAck, with the same message id and the same bytes on
// every attempt, so a crash or a lost connection never sends a message twice
// for the user (the relay and the peer both de-duplicate by id).
#include <set>

#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "daemon/service/relay_reply.h"
#include "daemon/service/wire_keys.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/initial_message.h"
#include "lib/crypto/padding.h"
#include "lib/crypto/x3dh.h"
#include "lib/store/transaction.h"

namespace sotto::msgd {

namespace {

constexpr std::chrono::seconds kRetryAfterRelayTrouble{5};

std::string as_string(crypto::ByteView bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

void Messenger::kick_pump() {
  if (!authenticated_ || stopped_) return;
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  net::asio::co_spawn(io_, pump(authenticated_), net::asio::detached);
}

net::Awaitable<void> Messenger::pump(ConnectionPtr connection) {
  try {
    do {
      pump_again_ = false;
      std::set<std::string> held;  // peers whose messages wait (identity untrusted): keep their order
      for (OutboxEntry& entry : outbox_.pending()) {
        if (connection != authenticated_) break;
        if (held.contains(entry.peer)) continue;
        if (!entry.envelope && is_group_conversation(entry.peer)) {
          const GroupSeal sealed = seal_group_entry(entry);
          if (sealed != GroupSeal::kSealed) {
            // Requeued behind new sender keys (with every later message of
            // the group, in order), held for an untrusted member, or failed.
            if (sealed != GroupSeal::kDropped) held.insert(entry.peer);
            if (sealed == GroupSeal::kRequeued) pump_again_ = true;
            continue;
          }
        } else if (!entry.envelope) {
          auto encrypting = encrypt_entry(connection, entry);
          if (!co_await std::move(encrypting)) {
            held.insert(entry.peer);
            continue;
          }
        }
        auto delivering = deliver_entry(connection, std::move(entry));
        if (!co_await std::move(delivering)) {
          pump_again_ = false;
          break;
        }
      }
    } while (pump_again_ && connection == authenticated_);
  } catch (const std::exception& e) {
    // The connection broke; on_connected starts the pump again.
    log_warning("outbox_paused", {{"error", e.what()}});
  }
  pumping_ = false;
}

net::Awaitable<bool> Messenger::encrypt_entry(ConnectionPtr connection, OutboxEntry& entry) {
  const std::string peer = entry.peer;
  if (auto contact = contacts_.find(peer); contact && contact->trust == Trust::kUntrusted) co_return false;

  std::optional<crypto::RatchetSession> session = sessions_.load(peer, skipped_key_expiry());
  std::optional<PendingInitiation> new_initiation;
  if (!session) {
    wire::Frame frame;
    frame.mutable_fetch_bundle()->set_username(peer);
    auto requesting = connection->request(std::move(frame));
    wire::Frame reply = co_await std::move(requesting);
    if (reply.has_error() && reply.error().code() == wire::NOT_FOUND) {
      fail_message(entry.message_id, peer, "the relay has no user " + peer);
      co_return false;
    }
    crypto::PrekeyBundle bundle;
    try {
      bundle = verified_bundle(expect_body(reply, wire::Frame::kBundle, "FetchBundle").bundle());
    } catch (const BadKeyFromRelay& e) {
      fail_message(entry.message_id, peer, e.what());
      co_return false;
    }
    // A message from the peer may have built a session while we waited.
    session = sessions_.load(peer, skipped_key_expiry());
    if (!session) {
      if (!meet_identity(peer, bundle.identity).may_send) co_return false;
      const crypto::X3dhInitiation x3dh = crypto::x3dh_initiate(*identity_, username_, bundle);
      session =
          crypto::RatchetSession::initiate(x3dh.shared_secret, x3dh.associated_data, bundle.signed_prekey.public_key);
      new_initiation = PendingInitiation{x3dh.ephemeral_public, x3dh.signed_prekey_id, x3dh.one_time_prekey_id};
    }
  }

  Content content;
  if (entry.kind == "text") {
    const auto message = messages_.find(entry.message_id);
    if (!message) {
      outbox_.remove(entry.message_id);
      co_return false;
    }
    content = text_content(*message);
  } else {
    content = parse_content(entry.body.value_or(std::vector<std::uint8_t>{}));
  }
  const crypto::Bytes envelope = seal(peer, content, *session, new_initiation);

  store::Transaction tx(database_.db());
  sessions_.save(peer, *session);
  if (new_initiation) initiations_.save(peer, *new_initiation);
  outbox_.set_envelope(entry.message_id, envelope);
  tx.commit();
  entry.envelope = std::vector<std::uint8_t>(envelope.begin(), envelope.end());
  co_return true;
}

net::Awaitable<bool> Messenger::deliver_entry(ConnectionPtr connection, OutboxEntry entry) {
  wire::Frame frame;
  auto* send = frame.mutable_send();
  send->set_message_id(as_string(message_id_from_hex(entry.message_id)));
  if (is_group_conversation(entry.peer)) {
    if (entry.recipients.empty()) {
      // A group of one: there is nobody to send it to, and it is sent.
      store::Transaction tx(database_.db());
      outbox_.remove(entry.message_id);
      const bool changed = messages_.advance_state(entry.message_id, MessageState::kSent);
      tx.commit();
      if (changed) {
        events_.publish("DeliveryChanged", {{"id", entry.message_id}, {"peer", entry.peer}, {"state", "sent"}});
      }
      co_return true;
    }
    for (const auto& r : entry.recipients) send->add_recipients(r);
  } else {
    send->add_recipients(entry.peer);
  }
  send->set_envelope(as_string(*entry.envelope));
  auto requesting = connection->request(std::move(frame));
  wire::Frame reply = co_await std::move(requesting);

  if (reply.has_send_ack()) {
    bool changed = false;
    {
      store::Transaction tx(database_.db());
      outbox_.remove(entry.message_id);
      if (entry.kind == "text" || entry.kind == "file" || entry.kind == "group_text" || entry.kind == "group_file") {
        changed = messages_.advance_state(entry.message_id, MessageState::kSent);
      }
      tx.commit();
    }
    if (changed) {
      events_.publish("DeliveryChanged", {{"id", entry.message_id}, {"peer", entry.peer}, {"state", "sent"}});
    }
    co_return true;
  }
  if (reply.has_error()) {
    const auto& error = reply.error();
    if (error.code() == wire::NOT_FOUND || error.code() == wire::INVALID_ARGUMENT) {
      if (entry.kind == "text" || entry.kind == "file" || entry.kind == "group_text" || entry.kind == "group_file") {
        fail_message(entry.message_id, entry.peer, error.reason());
      } else {
        outbox_.remove(entry.message_id);
      }
      co_return true;
    }
    // QUEUE_FULL, RATE_LIMITED, SHUTTING_DOWN, INTERNAL: the relay will take it later.
    auto wait = std::chrono::milliseconds(error.retry_after_ms());
    if (wait.count() == 0) wait = kRetryAfterRelayTrouble;
    log_warning("send_deferred",
                {{"peer", entry.peer}, {"reason", error.reason()}, {"retry_ms", std::to_string(wait.count())}});
    retry_timer_.expires_after(wait);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) kick_pump();
    });
    co_return false;
  }
  log_warning("send_unexpected_reply", {{"peer", entry.peer}});
  co_return false;
}

Content Messenger::text_content(const StoredMessage& message) {
  Content content;
  content.kind = ContentKind::kText;
  content.id = message_id_from_hex(message.id);
  content.sent_at_ms = static_cast<std::uint64_t>(message.sent_at_ms);
  content.text = message.text;
  return content;
}

crypto::Bytes Messenger::seal(const std::string& peer, const Content& content, crypto::RatchetSession& session,
                              const std::optional<PendingInitiation>& new_initiation) {
  const crypto::Bytes ratchet_message = session.encrypt(crypto::pad(encode_content(content)));
  std::optional<PendingInitiation> initiation = new_initiation;
  if (!initiation && !session.has_received_message()) initiation = initiations_.find(peer);
  if (!initiation) return encode_envelope(EnvelopeType::kRatchet, ratchet_message);
  crypto::InitialMessage initial;
  initial.initiator_identity = identity_->public_key();
  initial.ephemeral_public = initiation->ephemeral_public;
  initial.signed_prekey_id = initiation->signed_prekey_id;
  initial.one_time_prekey_id = initiation->one_time_prekey_id;
  initial.ratchet_message = ratchet_message;
  return encode_envelope(EnvelopeType::kInitial, crypto::encode_initial_message(initial));
}

void Messenger::fail_message(const std::string& id, const std::string& peer, const std::string& why) {
  bool changed = false;
  {
    store::Transaction tx(database_.db());
    outbox_.remove(id);
    changed = messages_.advance_state(id, MessageState::kFailed);
    tx.commit();
  }
  log_warning("send_failed", {{"peer", peer}, {"reason", why}});
  if (changed) events_.publish("DeliveryChanged", {{"id", id}, {"peer", peer}, {"state", "failed"}, {"reason", why}});
}

void Messenger::queue_receipt(const std::string& peer, const MessageId& acknowledged, ReceiptState state,
                              crypto::RatchetSession& session) {
  Content receipt;
  receipt.kind = ContentKind::kReceipt;
  receipt.id = new_message_id();
  receipt.sent_at_ms = static_cast<std::uint64_t>(now_ms());
  receipt.receipt_state = state;
  receipt.acknowledged = acknowledged;
  const std::string id = message_id_hex(receipt.id);
  // Sealed now, in the caller's transaction (one commit instead of two),
  // unless an earlier entry for the peer is still to be encrypted: entries
  // are encrypted in outbox order (Outbox::has_unsealed), and the pump will
  // get to this one.
  const bool seal_now = !outbox_.has_unsealed(peer);
  outbox_.enqueue(id, peer, "receipt", encode_content(receipt));
  if (seal_now) outbox_.set_envelope(id, seal(peer, receipt, session, std::nullopt));
}

}  // namespace sotto::msgd
