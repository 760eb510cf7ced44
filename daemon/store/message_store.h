#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/store/database.h"

namespace sotto::msgd {

enum class Direction { kIn, kOut };
// Outgoing: kQueued, kSent, kDelivered, kRead, kFailed. Incoming: kUnread, kRead.
enum class MessageState { kQueued, kSent, kDelivered, kRead, kFailed, kUnread };

std::string_view to_string(Direction direction);  // "in", "out"
std::string_view to_string(MessageState state);   // "queued", "sent", "delivered", "read", "failed", "unread"

enum class MessageKind { kText, kFile };

// A file message's file as history shows it (the transfer is in TransferStore).
struct FileSummary {
  std::string name;  // already made safe (file_name.h)
  std::uint64_t size = 0;
  std::string mime;
};

struct StoredMessage {
  std::string id;  // 32 lowercase hex digits, the same on both sides
  std::string peer;
  Direction direction = Direction::kOut;
  std::string sender;
  std::string text;
  std::int64_t sent_at_ms = 0;
  std::int64_t received_at_ms = 0;
  MessageState state = MessageState::kQueued;
  bool identity_warning = false;
  MessageKind kind = MessageKind::kText;  // kFile: text is the caption
  std::optional<FileSummary> file;        // set for kFile
};

// The message history, in insertion order. (peer, id) identifies a message;
// an id that is not 32 lowercase hex digits is refused by the schema.
// Never begins a transaction (see StateDatabase). Throws store::StoreError.
class MessageStore {
 public:
  explicit MessageStore(store::Database& db) : db_(db) {}

  // Throws store::StoreError (a constraint error) if (peer, id) exists.
  void insert_outgoing(const StoredMessage& message);
  // False, and nothing changes, if (peer, id) exists: the relay delivers at
  // least once, the user sees each message once.
  bool insert_incoming(const StoredMessage& message);
  bool contains(std::string_view peer, std::string_view id);
  // The first message stored with this id.
  std::optional<StoredMessage> find(std::string_view id);

  // Moves the outgoing message(s) with this id forward only: queued → sent →
  // delivered → read (steps may be skipped), and any state but read (or
  // failed) → failed. Failed is final. Returns whether anything changed.
  bool advance_state(std::string_view id, MessageState to);

  // The newest `limit` messages with the peer stored before before_id (all
  // of them when before_id is absent), oldest first. A before_id that is not
  // a message with this peer gives an empty result: check contains() first
  // to tell that apart from "no older messages".
  std::vector<StoredMessage> history(std::string_view peer, std::size_t limit, std::optional<std::string> before_id);
  // Incoming unread messages from every peer, oldest first.
  std::vector<StoredMessage> unread();
  // Marks the peer's incoming unread messages read; returns how many.
  std::size_t mark_read(std::string_view peer);
  std::size_t count_unread();
  // Every message with the peer, oldest first (for export).
  std::vector<StoredMessage> all(std::string_view peer);

 private:
  void insert(const StoredMessage& message, bool ignore_duplicate);

  store::Database& db_;
};

}  // namespace sotto::msgd
