#include "daemon/store/account_store.h"

#include <stdexcept>

#include "daemon/store/secret_column.h"

namespace sotto::msgd {

using store::StepResult;

std::optional<std::string> AccountStore::username() {
  auto select = db_.cached("SELECT username FROM account WHERE slot = 1");
  if (select->step() != StepResult::Row) return std::nullopt;
  return select->column_optional_text(0);
}

void AccountStore::set_username(std::string_view username) {
  auto update = db_.cached("UPDATE account SET username = ? WHERE slot = 1");
  update->bind(1, username);
  update->step();
}

std::optional<crypto::SecretBytes> AccountStore::token() {
  auto select = db_.cached("SELECT token FROM account WHERE slot = 1 AND token IS NOT NULL");
  if (select->step() != StepResult::Row) return std::nullopt;
  return secret_column(*select, 0);
}

std::optional<std::int64_t> AccountStore::token_expires_at_ms() {
  auto select = db_.cached("SELECT token_expires_at_ms FROM account WHERE slot = 1");
  if (select->step() != StepResult::Row) return std::nullopt;
  return select->column_optional_int64(0);
}

void AccountStore::set_token(crypto::ByteView token, std::int64_t expires_at_ms) {
  // An empty blob would read back as a token nobody can use; refuse it here
  // rather than at the next login attempt.
  if (token.empty()) throw std::runtime_error("account store: refusing to store an empty token");
  auto update = db_.cached("UPDATE account SET token = ?, token_expires_at_ms = ? WHERE slot = 1");
  update->bind(1, token);
  update->bind(2, expires_at_ms);
  update->step();
}

void AccountStore::clear_token() {
  db_.cached("UPDATE account SET token = NULL, token_expires_at_ms = NULL WHERE slot = 1")->step();
}

std::optional<std::string> AccountStore::relay_pin(std::string_view relay) {
  auto select = db_.cached("SELECT fingerprint FROM relay_pins WHERE relay = ?");
  select->bind(1, relay);
  if (select->step() != StepResult::Row) return std::nullopt;
  return select->column_text(0);
}

void AccountStore::set_relay_pin(std::string_view relay, std::string_view fingerprint) {
  auto upsert = db_.cached(
      "INSERT INTO relay_pins (relay, fingerprint) VALUES (?1, ?2) "
      "ON CONFLICT (relay) DO UPDATE SET fingerprint = excluded.fingerprint");
  upsert->bind(1, relay);
  upsert->bind(2, fingerprint);
  upsert->step();
}

std::optional<std::string> AccountStore::forget_relay_pin(std::string_view relay) {
  auto remove = db_.cached("DELETE FROM relay_pins WHERE relay = ? RETURNING fingerprint");
  remove->bind(1, relay);
  std::optional<std::string> removed;
  // RETURNING rows come after the delete has happened; step to the end so
  // the statement completes before it is reset.
  while (remove->step() == StepResult::Row) removed = remove->column_text(0);
  return removed;
}

std::optional<std::int64_t> AccountStore::get_int(std::string_view key) {
  auto select = db_.cached("SELECT value FROM settings WHERE key = ?");
  select->bind(1, key);
  if (select->step() != StepResult::Row) return std::nullopt;
  return select->column_int64(0);
}

void AccountStore::set_int(std::string_view key, std::int64_t value) {
  auto upsert = db_.cached(
      "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  upsert->bind(1, key);
  upsert->bind(2, value);
  upsert->step();
}

}  // namespace sotto::msgd
