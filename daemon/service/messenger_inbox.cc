// Messenger: receiving. A delivery is de-duplicated by message id, decrypted,
// stored (with the session state and the delivery receipt to send back, in
// one commit), and only then acknowledged to the relay: a crash at any point
// loses nothing and shows nothing twice.
#include "daemon/service/file_name.h"
#include "daemon/service/message_json.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/file_cipher.h"
#include "lib/crypto/initial_message.h"
#include "lib/crypto/padding.h"
#include "lib/crypto/safety_number.h"
#include "lib/crypto/x3dh.h"
#include "lib/store/transaction.h"

namespace sotto::msgd {

IdentityDecision Messenger::meet_identity(const std::string& peer, const crypto::IdentityPublicKey& seen) {
  const auto known = contacts_.find(peer);
  const IdentityDecision d = decide_identity(config_.trust_new_identities, known, seen);
  if (d.new_contact) {
    contacts_.insert(Contact{peer, seen, now_ms(), d.trust, false});
  } else if (d.changed) {
    contacts_.change_identity(peer, seen, d.trust);
    const std::string fingerprint = crypto::short_fingerprint(seen.signing_key, seen.dh_key);
    log_warning("identity_changed",
                {{"peer", peer}, {"fingerprint", fingerprint}, {"trust", std::string(to_string(d.trust))}});
    events_.publish("IdentityChanged", {{"peer", peer}, {"fingerprint", fingerprint}});
  }
  return d;
}

void Messenger::receive(const ConnectionPtr& connection, const wire::Deliver& deliver) {
  const std::uint64_t delivery_id = deliver.delivery_id();
  const std::string& sender = deliver.sender();
  auto acknowledge_later = [&] { net::asio::co_spawn(io_, acknowledge(connection, delivery_id), net::asio::detached); };
  if (!identity_ || username_.empty()) return;

  MessageId outer_id{};
  Content content;
  std::optional<crypto::RatchetSession> session;
  std::optional<std::uint32_t> used_one_time_prekey;
  bool new_session = false;                   // built from this message's X3DH header
  std::optional<std::int64_t> promoted_slot;  // a previous session decrypted it
  bool warn = false;
  try {
    outer_id = message_id_from_bytes(crypto::ByteView(
        reinterpret_cast<const std::uint8_t*>(deliver.message_id().data()), deliver.message_id().size()));
    if (messages_.contains(sender, message_id_hex(outer_id))) {
      acknowledge_later();  // delivered again after a crash before our DeliverAck: stored already
      return;
    }
    const Envelope envelope = parse_envelope(
        crypto::ByteView(reinterpret_cast<const std::uint8_t*>(deliver.envelope().data()), deliver.envelope().size()));
    if (envelope.type == EnvelopeType::kGroup) {
      receive_group(connection, deliver, outer_id, envelope.body);
      return;
    }
    // One reading of the clock for the whole message: loading and decrypting
    // judge the skipped keys' ages at the same moment. The current session
    // first; then the ones it replaced, which the peer may still be sealing
    // with (both sides started a session at once).
    const crypto::SkippedKeyExpiry expiry = skipped_key_expiry();
    session = sessions_.load(sender, expiry);
    crypto::Bytes padded;
    bool decrypted = false;
    std::string current_error;  // why the current session refused it
    auto try_stored_sessions = [&](crypto::ByteView ratchet_message) {
      if (session) {
        try {
          padded = session->decrypt(ratchet_message, expiry);
          decrypted = true;
          return;
        } catch (const std::exception& e) {
          current_error = e.what();  // perhaps it is under a previous session
        }
      }
      for (PreviousSession& previous : sessions_.load_previous(sender, expiry)) {
        try {
          padded = previous.session.decrypt(ratchet_message, expiry);
        } catch (const std::exception&) {
          continue;
        }
        decrypted = true;
        session = std::move(previous.session);
        promoted_slot = previous.slot;
        return;
      }
    };
    if (envelope.type == EnvelopeType::kInitial) {
      const crypto::InitialMessage initial = crypto::parse_initial_message(envelope.body);
      if (!initial.initiator_identity.verify()) throw ContentError("the sender's identity signature does not verify");
      // The sender repeats its initial header until it hears from us; the
      // session built from the first one decrypts the rest.
      try_stored_sessions(initial.ratchet_message);
      if (!decrypted) {
        // A new session from the sender: a reinstall, a new identity, or the
        // sender started one while ours was on its way to it.
        const auto signed_prekey = keys_.signed_prekey(initial.signed_prekey_id);
        if (!signed_prekey) throw ContentError("unknown or expired signed prekey");
        std::optional<crypto::OneTimePrekeyPair> one_time;
        if (initial.one_time_prekey_id) {
          one_time = keys_.one_time_prekey(*initial.one_time_prekey_id);
          if (!one_time) throw ContentError("one-time prekey already used");
        }
        const crypto::X3dhResponse x3dh =
            crypto::x3dh_respond(*identity_, username_, *signed_prekey, one_time ? &*one_time : nullptr,
                                 initial.initiator_identity, sender, initial.ephemeral_public);
        auto fresh =
            crypto::RatchetSession::respond(x3dh.shared_secret, x3dh.associated_data, signed_prekey->key_pair());
        padded = fresh.decrypt(initial.ratchet_message, expiry);
        session = std::move(fresh);
        new_session = true;
        used_one_time_prekey = initial.one_time_prekey_id;
        warn = meet_identity(sender, initial.initiator_identity).warn;
      }
    } else {
      try_stored_sessions(envelope.body);
      if (!decrypted) {
        throw ContentError(session ? current_error + " (nor by a previous session)" : "no session with the sender");
      }
    }
    content = parse_content(crypto::unpad(padded));
    if (content.id != outer_id) throw ContentError("the message id inside does not match the envelope's");
  } catch (const std::exception& e) {
    // It can never be decrypted; keeping it on the relay would block the queue.
    log_warning("undecryptable_message", {{"sender", sender}, {"error", e.what()}});
    acknowledge_later();
    return;
  }
  if (used_one_time_prekey == std::nullopt && !warn) {
    if (auto contact = contacts_.find(sender)) warn = contact->trust == Trust::kUntrusted;
  }

  std::optional<StoredMessage> received;
  std::string auto_download;
  std::optional<std::pair<std::string, MessageState>> delivery_change;
  std::optional<json> group_changed;
  std::optional<std::string> group_to_retry;
  {
    store::Transaction tx(database_.db());
    initiations_.remove(sender);  // we heard from the peer: plain ratchet messages from now on
    if (used_one_time_prekey) keys_.remove_one_time_prekey(*used_one_time_prekey);
    if (content.kind == ContentKind::kText || content.kind == ContentKind::kFile) {
      StoredMessage m;
      m.id = message_id_hex(content.id);
      m.peer = sender;
      m.direction = Direction::kIn;
      m.sender = sender;
      m.text = content.text;
      m.sent_at_ms = static_cast<std::int64_t>(content.sent_at_ms);
      m.received_at_ms = now_ms();
      m.state = MessageState::kUnread;
      m.identity_warning = warn;
      std::optional<Transfer> file;
      if (content.kind == ContentKind::kFile) {
        file = incoming_transfer(sender, content, m.received_at_ms);
        m.kind = MessageKind::kFile;
        m.file = FileSummary{file->name, file->size, file->mime};
      }
      if (messages_.insert_incoming(m)) {
        if (file) {
          transfers_.insert(*file);
          if (file->state == TransferState::kDownloading) auto_download = file->id;
        }
        queue_receipt(sender, content.id, ReceiptState::kDelivered, *session);
        received = std::move(m);
      }
    } else if (content.kind == ContentKind::kGroupUpdate) {
      group_changed = take_group_update(sender, content);
      if (group_changed) group_to_retry = group_changed->at("id").get<std::string>();
    } else if (content.kind == ContentKind::kSenderKey) {
      group_to_retry = take_sender_key(sender, content);
    } else {
      const std::string acknowledged = message_id_hex(content.acknowledged);
      const auto original = messages_.find(acknowledged);
      // Only the peer a message went to can acknowledge it.
      if (original && original->direction == Direction::kOut && original->peer == sender) {
        const MessageState state =
            content.receipt_state == ReceiptState::kRead ? MessageState::kRead : MessageState::kDelivered;
        if (messages_.advance_state(acknowledged, state)) delivery_change.emplace(acknowledged, state);
      }
    }
    // After queue_receipt, which advanced it.
    if (new_session) {
      sessions_.replace(sender, *session);
    } else if (promoted_slot) {
      sessions_.promote(sender, *promoted_slot, *session);
    } else {
      sessions_.save(sender, *session);
    }
    tx.commit();
  }
  acknowledge_later();
  if (received) {
    log_event("message_received", {{"from", sender}, {"id", received->id}});
    events_.publish("MessageReceived", message_json(*received));
    kick_pump();  // the delivery receipt
    if (!auto_download.empty()) start_transfer(auto_download);
  }
  if (group_changed) {
    log_event("group_changed", {{"group", group_changed->at("id").get<std::string>()}, {"by", sender}});
    events_.publish("GroupChanged", *group_changed);
  }
  if (group_to_retry) retry_pending_group_messages(*group_to_retry);
  if (delivery_change) {
    events_.publish(
        "DeliveryChanged",
        {{"id", delivery_change->first}, {"peer", sender}, {"state", std::string(to_string(delivery_change->second))}});
  }
}

Transfer Messenger::incoming_transfer(const std::string& sender, const Content& content, std::int64_t now) const {
  Transfer t;
  t.id = message_id_hex(content.id);
  t.peer = sender;
  t.direction = Direction::kIn;
  // The name and the type are the sender's words: made safe before they are
  // stored, shown or used as a file name.
  t.name = safe_file_name(content.file.name);
  t.size = content.file.size;
  const bool plain_mime = !content.file.mime.empty() && content.file.mime.find_first_not_of(
                                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789!#$&^_.+-/") == std::string::npos;
  t.mime = plain_mime ? content.file.mime : "application/octet-stream";
  t.caption = content.text;
  t.file_key = content.file.key;
  t.ciphertext_size = crypto::file_ciphertext_size(content.file.size);
  t.ciphertext_sha256 = content.file.ciphertext_sha256;
  t.blob_id = content.file.blob_id;
  t.state = content.file.size <= config_.auto_download_max ? TransferState::kDownloading : TransferState::kAvailable;
  t.created_at_ms = now;
  return t;
}

net::Awaitable<void> Messenger::acknowledge(ConnectionPtr connection, std::uint64_t delivery_id) {
  wire::Frame frame;
  frame.mutable_deliver_ack()->add_delivery_ids(delivery_id);
  try {
    auto requesting = connection->request(std::move(frame));
    co_await std::move(requesting);
  } catch (const std::exception& e) {
    // The relay delivers it again after a reconnect; the id check above drops the copy.
    log_warning("deliver_ack_failed", {{"error", e.what()}});
  }
}

}  // namespace sotto::msgd
