#include "daemon/store/group_store.h"

#include <algorithm>
#include <stdexcept>

#include "daemon/store/secret_column.h"

namespace sotto::msgd {

using store::StepResult;

namespace {

GroupStatus status_from(std::string_view text) {
  if (text == "member") return GroupStatus::kMember;
  if (text == "removed") return GroupStatus::kRemoved;
  if (text == "left") return GroupStatus::kLeft;
  throw std::runtime_error("groups: unknown status in the database");
}

constexpr const char* kGroupColumns = "id, name, epoch, state, state_hash, previous_hash, status, created_at_ms";

GroupRow group_from(const store::Statement& row) {
  GroupRow g;
  g.id = row.column_text(0);
  g.name = row.column_text(1);
  g.epoch = static_cast<std::uint64_t>(row.column_int64(2));
  g.state = row.column_blob(3);
  g.state_hash = row.column_blob(4);
  g.previous_hash = row.column_optional_blob(5);
  g.status = status_from(row.column_text(6));
  g.created_at_ms = row.column_int64(7);
  return g;
}

}  // namespace

std::string_view to_string(GroupStatus status) {
  switch (status) {
    case GroupStatus::kMember:
      return "member";
    case GroupStatus::kRemoved:
      return "removed";
    case GroupStatus::kLeft:
      return "left";
  }
  return "member";
}

std::optional<GroupRow> GroupStore::find(std::string_view id) {
  auto select = db_.cached(std::string("SELECT ") + kGroupColumns + " FROM groups WHERE id = ?");
  select->bind(1, id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return group_from(*select);
}

std::vector<GroupRow> GroupStore::all() {
  auto select = db_.cached(std::string("SELECT ") + kGroupColumns + " FROM groups ORDER BY name, id");
  std::vector<GroupRow> out;
  while (select->step() == StepResult::Row) out.push_back(group_from(*select));
  return out;
}

std::vector<GroupRow> GroupStore::with_name(std::string_view name) {
  auto select = db_.cached(std::string("SELECT ") + kGroupColumns + " FROM groups WHERE name = ? ORDER BY id");
  select->bind(1, name);
  std::vector<GroupRow> out;
  while (select->step() == StepResult::Row) out.push_back(group_from(*select));
  return out;
}

std::size_t GroupStore::count_member_of() {
  auto count = db_.cached("SELECT count(*) FROM groups WHERE status = 'member'");
  count->step();
  return static_cast<std::size_t>(count->column_int64(0));
}

void GroupStore::save(const GroupRow& row) {
  auto upsert = db_.cached(
      "INSERT INTO groups (id, name, epoch, state, state_hash, previous_hash, status, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
      "epoch = excluded.epoch, state = excluded.state, state_hash = excluded.state_hash, "
      "previous_hash = excluded.previous_hash, status = excluded.status");
  upsert->bind(1, row.id);
  upsert->bind(2, row.name);
  upsert->bind(3, static_cast<std::int64_t>(row.epoch));
  upsert->bind(4, crypto::ByteView(row.state));
  upsert->bind(5, crypto::ByteView(row.state_hash));
  if (row.previous_hash) {
    upsert->bind(6, crypto::ByteView(*row.previous_hash));
  } else {
    upsert->bind(6, nullptr);
  }
  upsert->bind(7, to_string(row.status));
  upsert->bind(8, row.created_at_ms);
  upsert->step();
}

std::optional<GroupStore::OwnChain> GroupStore::own_chain(std::string_view group_id) {
  auto select = db_.cached("SELECT epoch, key_id, state FROM group_chains WHERE group_id = ?");
  select->bind(1, group_id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return OwnChain{static_cast<std::uint64_t>(select->column_int64(0)),
                  static_cast<std::uint32_t>(select->column_int64(1)), secret_column(*select, 2)};
}

void GroupStore::save_own_chain(std::string_view group_id, std::uint64_t epoch, std::uint32_t key_id,
                                const crypto::SecretBytes& state) {
  auto upsert = db_.cached(
      "INSERT INTO group_chains (group_id, epoch, key_id, state) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (group_id) DO UPDATE SET epoch = excluded.epoch, key_id = excluded.key_id, state = excluded.state");
  upsert->bind(1, group_id);
  upsert->bind(2, static_cast<std::int64_t>(epoch));
  upsert->bind(3, static_cast<std::int64_t>(key_id));
  upsert->bind(4, state.view());
  upsert->step();
}

void GroupStore::forget_own_chain(std::string_view group_id) {
  auto remove = db_.cached("DELETE FROM group_chains WHERE group_id = ?");
  remove->bind(1, group_id);
  remove->step();
}

std::optional<crypto::SecretBytes> GroupStore::receiver(std::string_view group_id, std::string_view sender,
                                                        std::uint32_t key_id) {
  auto select = db_.cached("SELECT state FROM group_receivers WHERE group_id = ? AND sender = ? AND key_id = ?");
  select->bind(1, group_id);
  select->bind(2, sender);
  select->bind(3, static_cast<std::int64_t>(key_id));
  if (select->step() != StepResult::Row) return std::nullopt;
  return secret_column(*select, 0);
}

void GroupStore::save_receiver(std::string_view group_id, std::string_view sender, std::uint32_t key_id,
                               std::uint64_t epoch, const crypto::SecretBytes& state) {
  {
    auto upsert = db_.cached(
        "INSERT INTO group_receivers (group_id, sender, key_id, epoch, state) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (group_id, sender, key_id) DO UPDATE SET state = excluded.state");
    upsert->bind(1, group_id);
    upsert->bind(2, sender);
    upsert->bind(3, static_cast<std::int64_t>(key_id));
    upsert->bind(4, static_cast<std::int64_t>(epoch));
    upsert->bind(5, state.view());
    upsert->step();
  }
  auto trim = db_.cached(
      "DELETE FROM group_receivers WHERE group_id = ?1 AND sender = ?2 AND key_id NOT IN "
      "(SELECT key_id FROM group_receivers WHERE group_id = ?1 AND sender = ?2 ORDER BY epoch DESC, rowid DESC "
      "LIMIT ?3)");
  trim->bind(1, group_id);
  trim->bind(2, sender);
  trim->bind(3, static_cast<std::int64_t>(kMaxChainsPerSender));
  trim->step();
}

void GroupStore::prune_receivers(std::string_view group_id, const std::vector<std::string>& members,
                                 std::uint64_t min_epoch) {
  {
    auto old = db_.cached("DELETE FROM group_receivers WHERE group_id = ? AND epoch < ?");
    old->bind(1, group_id);
    old->bind(2, static_cast<std::int64_t>(min_epoch));
    old->step();
  }
  std::vector<std::string> senders;
  {
    auto select = db_.cached("SELECT DISTINCT sender FROM group_receivers WHERE group_id = ?");
    select->bind(1, group_id);
    while (select->step() == StepResult::Row) senders.push_back(select->column_text(0));
  }
  for (const auto& sender : senders) {
    if (std::find(members.begin(), members.end(), sender) != members.end()) continue;
    auto remove = db_.cached("DELETE FROM group_receivers WHERE group_id = ? AND sender = ?");
    remove->bind(1, group_id);
    remove->bind(2, sender);
    remove->step();
  }
}

void GroupStore::forget_receivers(std::string_view group_id) {
  auto remove = db_.cached("DELETE FROM group_receivers WHERE group_id = ?");
  remove->bind(1, group_id);
  remove->step();
}

bool GroupStore::key_sent(std::string_view group_id, std::uint32_t key_id, std::string_view member) {
  auto select = db_.cached("SELECT 1 FROM group_keys_sent WHERE group_id = ? AND key_id = ? AND member = ?");
  select->bind(1, group_id);
  select->bind(2, static_cast<std::int64_t>(key_id));
  select->bind(3, member);
  return select->step() == StepResult::Row;
}

void GroupStore::mark_key_sent(std::string_view group_id, std::uint32_t key_id, std::string_view member) {
  {
    // Only the current chain's record matters.
    auto old = db_.cached("DELETE FROM group_keys_sent WHERE group_id = ? AND key_id <> ?");
    old->bind(1, group_id);
    old->bind(2, static_cast<std::int64_t>(key_id));
    old->step();
  }
  auto insert = db_.cached("INSERT OR IGNORE INTO group_keys_sent (group_id, key_id, member) VALUES (?, ?, ?)");
  insert->bind(1, group_id);
  insert->bind(2, static_cast<std::int64_t>(key_id));
  insert->bind(3, member);
  insert->step();
}

bool GroupStore::add_pending(const PendingGroupMessage& message) {
  {
    auto count = db_.cached("SELECT count(*) FROM group_pending WHERE group_id = ?");
    count->bind(1, message.group_id);
    count->step();
    if (static_cast<std::size_t>(count->column_int64(0)) >= kMaxPendingPerGroup) return false;
  }
  auto insert = db_.cached(
      "INSERT INTO group_pending (group_id, sender, message_id, envelope, received_at_ms) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, message_id) DO NOTHING");
  insert->bind(1, message.group_id);
  insert->bind(2, message.sender);
  insert->bind(3, message.message_id);
  insert->bind(4, crypto::ByteView(message.envelope));
  insert->bind(5, message.received_at_ms);
  insert->step();
  return db_.changes() == 1;
}

std::vector<PendingGroupMessage> GroupStore::pending(std::string_view group_id) {
  auto select = db_.cached(
      "SELECT seq, group_id, sender, message_id, envelope, received_at_ms FROM group_pending WHERE group_id = ? "
      "ORDER BY seq");
  select->bind(1, group_id);
  std::vector<PendingGroupMessage> out;
  while (select->step() == StepResult::Row) {
    PendingGroupMessage m;
    m.seq = select->column_int64(0);
    m.group_id = select->column_text(1);
    m.sender = select->column_text(2);
    m.message_id = select->column_text(3);
    m.envelope = select->column_blob(4);
    m.received_at_ms = select->column_int64(5);
    out.push_back(std::move(m));
  }
  return out;
}

void GroupStore::remove_pending(std::int64_t seq) {
  auto remove = db_.cached("DELETE FROM group_pending WHERE seq = ?");
  remove->bind(1, seq);
  remove->step();
}

}  // namespace sotto::msgd
