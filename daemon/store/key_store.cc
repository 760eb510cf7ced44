#include "daemon/store/key_store.h"

#include <limits>
#include <stdexcept>

#include "daemon/store/secret_column.h"

namespace sotto::msgd {
namespace {

using store::StepResult;

// The counters hold the next id to hand out, so they may reach 2^32 (every
// id used) but not pass it.
constexpr std::int64_t kIdSpaceEnd = std::int64_t{std::numeric_limits<std::uint32_t>::max()} + 1;

}  // namespace

std::optional<crypto::IdentityKeyPair> KeyStore::identity() {
  auto select = db_.cached("SELECT key_pair FROM identity WHERE slot = 1");
  if (select->step() != StepResult::Row) return std::nullopt;
  return crypto::IdentityKeyPair::deserialize(secret_column(*select, 0).view());
}

void KeyStore::save_identity(const crypto::IdentityKeyPair& identity) {
  auto insert = db_.cached("INSERT INTO identity (slot, key_pair) VALUES (1, ?) ON CONFLICT (slot) DO NOTHING");
  insert->bind(1, identity.serialize().view());
  insert->step();
  if (db_.changes() != 1)
    throw std::runtime_error("key store: an identity key is already stored; it is never replaced");
}

void KeyStore::add_signed_prekey(const crypto::SignedPrekeyPair& prekey, std::int64_t created_at_ms) {
  {
    auto insert = db_.cached("INSERT INTO signed_prekeys (prekey_id, key_pair, created_at_ms) VALUES (?, ?, ?)");
    insert->bind(1, prekey.id());
    insert->bind(2, prekey.serialize().view());
    insert->bind(3, created_at_ms);
    insert->step();
  }
  // The counter also moves past an id the caller chose itself, so that
  // next_signed_prekey_id() cannot hand it out again.
  auto update = db_.cached(
      "UPDATE prekey_state SET current_signed_prekey = ?1, "
      "next_signed_prekey_id = max(next_signed_prekey_id, ?1 + 1) WHERE slot = 1");
  update->bind(1, prekey.id());
  update->step();
}

std::optional<crypto::SignedPrekeyPair> KeyStore::signed_prekey(std::uint32_t id) {
  auto select = db_.cached("SELECT key_pair FROM signed_prekeys WHERE prekey_id = ?");
  select->bind(1, id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return crypto::SignedPrekeyPair::deserialize(secret_column(*select, 0).view());
}

std::optional<KeyStore::CurrentSignedPrekey> KeyStore::current_signed_prekey() {
  auto select = db_.cached(
      "SELECT s.key_pair, s.created_at_ms FROM prekey_state p "
      "JOIN signed_prekeys s ON s.prekey_id = p.current_signed_prekey WHERE p.slot = 1");
  if (select->step() != StepResult::Row) return std::nullopt;
  auto pair = crypto::SignedPrekeyPair::deserialize(secret_column(*select, 0).view());
  return CurrentSignedPrekey{std::move(pair), select->column_int64(1)};
}

void KeyStore::prune_signed_prekeys(std::int64_t older_than_ms) {
  auto remove = db_.cached(
      "DELETE FROM signed_prekeys WHERE created_at_ms < ? "
      "AND prekey_id IS NOT (SELECT current_signed_prekey FROM prekey_state WHERE slot = 1)");
  remove->bind(1, older_than_ms);
  remove->step();
}

std::uint32_t KeyStore::next_signed_prekey_id() {
  auto take = db_.cached(
      "UPDATE prekey_state SET next_signed_prekey_id = next_signed_prekey_id + 1 "
      "WHERE slot = 1 AND next_signed_prekey_id < ? RETURNING next_signed_prekey_id - 1");
  take->bind(1, kIdSpaceEnd);
  std::optional<std::int64_t> id;
  while (take->step() == StepResult::Row) id = take->column_int64(0);
  if (!id) throw std::runtime_error("key store: signed prekey ids are used up");
  return static_cast<std::uint32_t>(*id);
}

std::vector<crypto::OneTimePrekeyPair> KeyStore::generate_one_time_prekeys(std::size_t count) {
  std::vector<crypto::OneTimePrekeyPair> prekeys;
  if (count == 0) return prekeys;
  if (count > static_cast<std::size_t>(kIdSpaceEnd)) throw std::runtime_error("key store: too many one-time prekeys");
  const auto wanted = static_cast<std::int64_t>(count);

  // Reserve the ids first: if the inserts below do not all happen, the ids
  // are lost, never handed out a second time.
  std::optional<std::int64_t> first;
  {
    auto reserve = db_.cached(
        "UPDATE prekey_state SET next_one_time_prekey_id = next_one_time_prekey_id + ?1 "
        "WHERE slot = 1 AND next_one_time_prekey_id + ?1 <= ?2 RETURNING next_one_time_prekey_id - ?1");
    reserve->bind(1, wanted);
    reserve->bind(2, kIdSpaceEnd);
    while (reserve->step() == StepResult::Row) first = reserve->column_int64(0);
  }
  if (!first) throw std::runtime_error("key store: one-time prekey ids are used up");

  prekeys.reserve(count);
  auto insert = db_.cached("INSERT INTO one_time_prekeys (prekey_id, key_pair) VALUES (?, ?)");
  for (std::int64_t id = *first; id < *first + wanted; ++id) {
    auto prekey = crypto::OneTimePrekeyPair::generate(static_cast<std::uint32_t>(id));
    insert->bind(1, prekey.id());
    insert->bind(2, prekey.serialize().view());
    insert->step();
    insert->reset();
    prekeys.push_back(std::move(prekey));
  }
  return prekeys;
}

std::optional<crypto::OneTimePrekeyPair> KeyStore::one_time_prekey(std::uint32_t id) {
  auto select = db_.cached("SELECT key_pair FROM one_time_prekeys WHERE prekey_id = ?");
  select->bind(1, id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return crypto::OneTimePrekeyPair::deserialize(secret_column(*select, 0).view());
}

void KeyStore::remove_one_time_prekey(std::uint32_t id) {
  auto remove = db_.cached("DELETE FROM one_time_prekeys WHERE prekey_id = ?");
  remove->bind(1, id);
  remove->step();
}

std::size_t KeyStore::one_time_prekey_count() {
  auto count = db_.cached("SELECT count(*) FROM one_time_prekeys");
  count->step();
  return static_cast<std::size_t>(count->column_int64(0));
}

}  // namespace sotto::msgd
