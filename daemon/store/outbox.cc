#include "daemon/store/outbox.h"

#include <stdexcept>

namespace sotto::msgd {

using store::StepResult;

void Outbox::insert(std::string_view message_id, std::string_view peer, std::string_view kind,
                    std::optional<crypto::ByteView> body) {
  auto insert = db_.cached("INSERT INTO outbox (message_id, peer, kind, body) VALUES (?, ?, ?, ?)");
  insert->bind(1, message_id);
  insert->bind(2, peer);
  insert->bind(3, kind);
  insert->bind(4, body);
  insert->step();
}

void Outbox::enqueue(std::string_view message_id, std::string_view peer, std::string_view kind) {
  insert(message_id, peer, kind, std::nullopt);
}

void Outbox::enqueue(std::string_view message_id, std::string_view peer, std::string_view kind, crypto::ByteView body) {
  insert(message_id, peer, kind, body);
}

std::vector<OutboxEntry> Outbox::pending() {
  auto select = db_.cached("SELECT seq, message_id, peer, envelope, kind, body, recipients FROM outbox ORDER BY seq");
  std::vector<OutboxEntry> entries;
  while (select->step() == StepResult::Row) {
    OutboxEntry entry;
    entry.seq = select->column_int64(0);
    entry.message_id = select->column_text(1);
    entry.peer = select->column_text(2);
    entry.envelope = select->column_optional_blob(3);
    entry.kind = select->column_text(4);
    entry.body = select->column_optional_blob(5);
    if (auto recipients = select->column_optional_text(6)) {
      std::string_view rest = *recipients;
      while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        entry.recipients.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

void Outbox::set_envelope(std::string_view message_id, crypto::ByteView envelope) {
  set_envelope(message_id, envelope, {});
}

void Outbox::set_envelope(std::string_view message_id, crypto::ByteView envelope,
                          const std::vector<std::string>& recipients) {
  {
    // Usernames never hold a line break (lib/wire/username.h).
    std::optional<std::string> joined;
    for (const auto& r : recipients) {
      if (joined) {
        *joined += '\n';
        *joined += r;
      } else {
        joined = r;
      }
    }
    auto update =
        db_.cached("UPDATE outbox SET envelope = ?, recipients = ? WHERE message_id = ? AND envelope IS NULL");
    update->bind(1, envelope);
    update->bind(2, joined);
    update->bind(3, message_id);
    update->step();
  }
  if (db_.changes() == 1) return;
  auto select = db_.cached("SELECT 1 FROM outbox WHERE message_id = ?");
  select->bind(1, message_id);
  if (select->step() == StepResult::Row) throw std::runtime_error("outbox: the entry already has its envelope");
  throw std::runtime_error("outbox: set_envelope for a message that is not queued");
}

bool Outbox::has_unsealed(std::string_view peer) {
  auto select = db_.cached("SELECT 1 FROM outbox WHERE peer = ? AND envelope IS NULL LIMIT 1");
  select->bind(1, peer);
  return select->step() == StepResult::Row;
}

void Outbox::remove(std::string_view message_id) {
  auto remove = db_.cached("DELETE FROM outbox WHERE message_id = ?");
  remove->bind(1, message_id);
  remove->step();
}

std::size_t Outbox::size() {
  auto count = db_.cached("SELECT count(*) FROM outbox");
  count->step();
  return static_cast<std::size_t>(count->column_int64(0));
}

}  // namespace sotto::msgd
