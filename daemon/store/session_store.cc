#include "daemon/store/session_store.h"

#include "daemon/store/secret_column.h"

namespace sotto::msgd {

std::optional<crypto::RatchetSession> SessionStore::load(std::string_view peer) {
  auto select = db_.cached("SELECT state FROM sessions WHERE peer = ?");
  select->bind(1, peer);
  if (select->step() != store::StepResult::Row) return std::nullopt;
  return crypto::RatchetSession::deserialize(secret_column(*select, 0).view());
}

void SessionStore::save(std::string_view peer, const crypto::RatchetSession& session) {
  auto upsert = db_.cached(
      "INSERT INTO sessions (peer, state) VALUES (?1, ?2) ON CONFLICT (peer) DO UPDATE SET state = excluded.state");
  upsert->bind(1, peer);
  upsert->bind(2, session.serialize().view());
  upsert->step();
}

void SessionStore::remove(std::string_view peer) {
  auto remove = db_.cached("DELETE FROM sessions WHERE peer = ?");
  remove->bind(1, peer);
  remove->step();
}

}  // namespace sotto::msgd
