#include "daemon/store/message_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

#include "lib/store/store_error.h"

namespace sotto::msgd {
namespace {

using store::StepResult;

#define SOTTO_MESSAGE_COLUMNS                                                                                 \
  "id, peer, direction, sender, text, sent_at_ms, received_at_ms, state, identity_warning, kind, file_name, " \
  "file_size, "                                                                                               \
  "file_mime"

constexpr std::array kStates{MessageState::kQueued, MessageState::kSent,   MessageState::kDelivered,
                             MessageState::kRead,   MessageState::kFailed, MessageState::kUnread};

MessageState parse_state(const std::string& text) {
  for (MessageState state : kStates) {
    if (text == to_string(state)) return state;
  }
  throw store::StoreError("messages: unknown state in the file", SQLITE_CORRUPT);
}

Direction parse_direction(const std::string& text) {
  if (text == "in") return Direction::kIn;
  if (text == "out") return Direction::kOut;
  throw store::StoreError("messages: unknown direction in the file", SQLITE_CORRUPT);
}

StoredMessage read_message(const store::Statement& row) {
  StoredMessage message;
  message.id = row.column_text(0);
  message.peer = row.column_text(1);
  message.direction = parse_direction(row.column_text(2));
  message.sender = row.column_text(3);
  message.text = row.column_text(4);
  message.sent_at_ms = row.column_int64(5);
  message.received_at_ms = row.column_int64(6);
  message.state = parse_state(row.column_text(7));
  message.identity_warning = row.column_int64(8) != 0;
  if (row.column_text(9) == "file") {
    message.kind = MessageKind::kFile;
    message.file =
        FileSummary{row.column_text(10), static_cast<std::uint64_t>(row.column_int64(11)), row.column_text(12)};
  }
  return message;
}

std::vector<StoredMessage> read_all(store::Statement& select) {
  std::vector<StoredMessage> messages;
  while (select.step() == StepResult::Row) messages.push_back(read_message(select));
  return messages;
}

// The states an outgoing message may be in to move to `to`; empty when
// nothing may move there.
std::vector<MessageState> predecessors(MessageState to) {
  switch (to) {
    case MessageState::kSent:
      return {MessageState::kQueued};
    case MessageState::kDelivered:
      return {MessageState::kQueued, MessageState::kSent};
    case MessageState::kRead:
    case MessageState::kFailed:
      return {MessageState::kQueued, MessageState::kSent, MessageState::kDelivered};
    case MessageState::kQueued:
    case MessageState::kUnread:
      return {};
  }
  return {};
}

}  // namespace

std::string_view to_string(Direction direction) { return direction == Direction::kIn ? "in" : "out"; }

std::string_view to_string(MessageState state) {
  switch (state) {
    case MessageState::kQueued:
      return "queued";
    case MessageState::kSent:
      return "sent";
    case MessageState::kDelivered:
      return "delivered";
    case MessageState::kRead:
      return "read";
    case MessageState::kFailed:
      return "failed";
    case MessageState::kUnread:
      return "unread";
  }
  return "failed";
}

void MessageStore::insert(const StoredMessage& message, bool ignore_duplicate) {
  auto insert =
      db_.cached(ignore_duplicate ? "INSERT INTO messages (" SOTTO_MESSAGE_COLUMNS
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, peer) DO NOTHING"
                                  : "INSERT INTO messages (" SOTTO_MESSAGE_COLUMNS
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, message.id);
  insert->bind(2, message.peer);
  insert->bind(3, to_string(message.direction));
  insert->bind(4, message.sender);
  insert->bind(5, message.text);
  insert->bind(6, message.sent_at_ms);
  insert->bind(7, message.received_at_ms);
  insert->bind(8, to_string(message.state));
  insert->bind(9, message.identity_warning ? 1 : 0);
  const bool is_file = message.kind == MessageKind::kFile && message.file;
  insert->bind(10, std::string_view(is_file ? "file" : "text"));
  if (is_file) {
    insert->bind(11, message.file->name);
    insert->bind(12, static_cast<std::int64_t>(message.file->size));
    insert->bind(13, message.file->mime);
  } else {
    for (int i = 11; i <= 13; ++i) insert->bind_null(i);  // a cached statement keeps old bindings
  }
  insert->step();
}

void MessageStore::insert_outgoing(const StoredMessage& message) {
  if (message.direction != Direction::kOut) {
    throw std::runtime_error("messages: insert_outgoing given an incoming message");
  }
  insert(message, false);
}

bool MessageStore::insert_incoming(const StoredMessage& message) {
  if (message.direction != Direction::kIn) {
    throw std::runtime_error("messages: insert_incoming given an outgoing message");
  }
  insert(message, true);
  return db_.changes() == 1;
}

bool MessageStore::contains(std::string_view peer, std::string_view id) {
  auto select = db_.cached("SELECT 1 FROM messages WHERE id = ? AND peer = ?");
  select->bind(1, id);
  select->bind(2, peer);
  return select->step() == StepResult::Row;
}

std::optional<StoredMessage> MessageStore::find(std::string_view id) {
  auto select = db_.cached("SELECT " SOTTO_MESSAGE_COLUMNS " FROM messages WHERE id = ? ORDER BY seq LIMIT 1");
  select->bind(1, id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return read_message(*select);
}

bool MessageStore::advance_state(std::string_view id, MessageState to) {
  const auto from = predecessors(to);
  if (from.empty()) return false;
  // One statement for every transition: the unused slots of the IN list stay
  // NULL, which matches nothing.
  auto update =
      db_.cached("UPDATE messages SET state = ?2 WHERE id = ?1 AND direction = 'out' AND state IN (?3, ?4, ?5)");
  update->bind(1, id);
  update->bind(2, to_string(to));
  for (std::size_t i = 0; i < from.size(); ++i) update->bind(static_cast<int>(3 + i), to_string(from[i]));
  update->step();
  return db_.changes() > 0;
}

std::vector<StoredMessage> MessageStore::history(std::string_view peer, std::size_t limit,
                                                 std::optional<std::string> before_id) {
  if (limit == 0) return {};
  // The inner query walks the peer's index backwards from before_id and
  // stops after `limit` rows; the outer one turns the page oldest first.
  auto select = db_.cached("SELECT " SOTTO_MESSAGE_COLUMNS " FROM (SELECT seq, " SOTTO_MESSAGE_COLUMNS
                           " FROM messages WHERE peer = ?1"
                           " AND (?2 IS NULL OR seq < (SELECT seq FROM messages WHERE id = ?2 AND peer = ?1))"
                           " ORDER BY seq DESC LIMIT ?3) ORDER BY seq");
  select->bind(1, peer);
  select->bind(2, before_id);
  select->bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
  return read_all(*select);
}

std::vector<StoredMessage> MessageStore::unread() {
  auto select = db_.cached("SELECT " SOTTO_MESSAGE_COLUMNS
                           " FROM messages WHERE direction = 'in' AND state = 'unread' ORDER BY seq");
  return read_all(*select);
}

std::size_t MessageStore::mark_read(std::string_view peer) {
  auto update =
      db_.cached("UPDATE messages SET state = 'read' WHERE peer = ? AND direction = 'in' AND state = 'unread'");
  update->bind(1, peer);
  update->step();
  return static_cast<std::size_t>(db_.changes());
}

std::size_t MessageStore::count_unread() {
  auto count = db_.cached("SELECT count(*) FROM messages WHERE direction = 'in' AND state = 'unread'");
  count->step();
  return static_cast<std::size_t>(count->column_int64(0));
}

std::vector<StoredMessage> MessageStore::all(std::string_view peer) {
  auto select = db_.cached("SELECT " SOTTO_MESSAGE_COLUMNS " FROM messages WHERE peer = ? ORDER BY seq");
  select->bind(1, peer);
  return read_all(*select);
}

#undef SOTTO_MESSAGE_COLUMNS

}  // namespace sotto::msgd
