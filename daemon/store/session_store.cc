#include "daemon/store/session_store.h"

#include "daemon/store/secret_column.h"
#include "lib/crypto/error.h"

namespace sotto::msgd {

std::optional<crypto::SecretBytes> SessionStore::stored_state(std::string_view peer) {
  auto select = db_.cached("SELECT state FROM sessions WHERE peer = ?");
  select->bind(1, peer);
  if (select->step() != store::StepResult::Row) return std::nullopt;
  return secret_column(*select, 0);
}

std::optional<crypto::RatchetSession> SessionStore::load(std::string_view peer,
                                                         const crypto::SkippedKeyExpiry& expiry) {
  const std::optional<crypto::SecretBytes> stored = stored_state(peer);
  if (!stored) return std::nullopt;
  auto session = crypto::RatchetSession::deserialize(stored->view(), expiry.now());
  session.expire_skipped_keys(expiry);
  return session;
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

SessionStore::ExpirySweep SessionStore::expire_skipped_keys(const crypto::SkippedKeyExpiry& expiry) {
  // The peers first, then one session at a time: saving while a SELECT over
  // the same table is still stepping would be reading a table being written.
  std::vector<std::string> peers;
  {
    auto select = db_.prepare("SELECT peer FROM sessions ORDER BY peer");
    while (select.step() == store::StepResult::Row) peers.push_back(select.column_text(0));
  }
  ExpirySweep sweep;
  for (const std::string& peer : peers) {
    const std::optional<crypto::SecretBytes> stored = stored_state(peer);
    if (!stored) continue;
    std::optional<crypto::RatchetSession> session;
    try {
      session.emplace(crypto::RatchetSession::deserialize(stored->view(), expiry.now()));
    } catch (const crypto::CryptoError&) {
      sweep.unreadable.push_back(peer);
      continue;
    }
    sweep.keys_removed += session->expire_skipped_keys(expiry);
    // Compared whole, so that a re-stamp or a format upgrade is saved too.
    if (session->serialize() != *stored) {
      save(peer, *session);
      ++sweep.sessions_rewritten;
    }
  }
  return sweep;
}

}  // namespace sotto::msgd
