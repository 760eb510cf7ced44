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
  auto select = db_.cached("SELECT seq, message_id, peer, envelope, kind, body FROM outbox ORDER BY seq");
  std::vector<OutboxEntry> entries;
  while (select->step() == StepResult::Row) {
    OutboxEntry entry;
    entry.seq = select->column_int64(0);
    entry.message_id = select->column_text(1);
    entry.peer = select->column_text(2);
    entry.envelope = select->column_optional_blob(3);
    entry.kind = select->column_text(4);
    entry.body = select->column_optional_blob(5);
    entries.push_back(std::move(entry));
  }
  return entries;
}

void Outbox::set_envelope(std::string_view message_id, crypto::ByteView envelope) {
  {
    auto update = db_.cached("UPDATE outbox SET envelope = ? WHERE message_id = ? AND envelope IS NULL");
    update->bind(1, envelope);
    update->bind(2, message_id);
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
