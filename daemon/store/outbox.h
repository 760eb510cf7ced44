#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/store/database.h"

namespace sotto::msgd {

struct OutboxEntry {
  std::int64_t seq = 0;  // enqueue order, never reused
  std::string message_id;
  std::string peer;
  // The ratchet-encrypted bytes once encrypted: a resend after a crash sends
  // these same bytes instead of encrypting again.
  std::optional<std::vector<std::uint8_t>> envelope;
  std::string kind;  // "text" (the text is in MessageStore) or "receipt" and other payloads
  // What to encrypt for kinds other than "text".
  std::optional<std::vector<std::uint8_t>> body;
  // A group message's recipients (peer is then "#<group id>"), set with its
  // envelope: the members other than this user when it was encrypted.
  std::vector<std::string> recipients;
};

// What still has to be handed to the relay, one entry per message_id (a
// receipt gets a fresh id of its own), sent in enqueue order and removed on
// the relay's SendAck. Never begins a transaction: set_envelope belongs in
// the same store::Transaction as the SessionStore::save of the ratchet that
// produced it. Throws store::StoreError, or std::runtime_error for an unknown
// message_id.
class Outbox {
 public:
  explicit Outbox(store::Database& db) : db_(db) {}

  void enqueue(std::string_view message_id, std::string_view peer, std::string_view kind);
  void enqueue(std::string_view message_id, std::string_view peer, std::string_view kind, crypto::ByteView body);
  // Every entry, by seq.
  std::vector<OutboxEntry> pending();
  // Throws if the entry already has an envelope: the ratchet has moved past
  // the first one, and sending a second encryption would break the
  // guarantee that a resend is byte-for-byte the same message.
  void set_envelope(std::string_view message_id, crypto::ByteView envelope);
  // The same for a group message, with the recipients it goes to.
  void set_envelope(std::string_view message_id, crypto::ByteView envelope, const std::vector<std::string>& recipients);
  // True while an entry for peer waits to be encrypted. A message queued
  // behind it must wait too: the ratchet numbers messages in the order they
  // are encrypted, and the peer can only skip so far ahead (kMaxSkip) when
  // one arrives before those numbered earlier.
  bool has_unsealed(std::string_view peer);
  // Nothing happens for an id not in the outbox (a repeated SendAck).
  void remove(std::string_view message_id);
  std::size_t size();

 private:
  void insert(std::string_view message_id, std::string_view peer, std::string_view kind,
              std::optional<crypto::ByteView> body);

  store::Database& db_;
};

}  // namespace sotto::msgd
