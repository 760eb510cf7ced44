#include "daemon/store/session_store.h"

#include <stdexcept>

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

void SessionStore::keep_current_as_previous(std::string_view peer) {
  {
    // Copied inside SQLite: the key material does not pass through here.
    auto copy =
        db_.cached("INSERT INTO previous_sessions (peer, state) SELECT peer, state FROM sessions WHERE peer = ?");
    copy->bind(1, peer);
    copy->step();
  }
  auto trim = db_.cached(
      "DELETE FROM previous_sessions WHERE peer = ?1 AND seq NOT IN "
      "(SELECT seq FROM previous_sessions WHERE peer = ?1 ORDER BY seq DESC LIMIT ?2)");
  trim->bind(1, peer);
  trim->bind(2, static_cast<std::int64_t>(kMaxPreviousSessions));
  trim->step();
}

void SessionStore::replace(std::string_view peer, const crypto::RatchetSession& session) {
  keep_current_as_previous(peer);
  save(peer, session);
}

std::vector<PreviousSession> SessionStore::load_previous(std::string_view peer,
                                                         const crypto::SkippedKeyExpiry& expiry) {
  auto select = db_.cached("SELECT seq, state FROM previous_sessions WHERE peer = ? ORDER BY seq DESC");
  select->bind(1, peer);
  std::vector<PreviousSession> out;
  while (select->step() == store::StepResult::Row) {
    out.push_back(
        {select->column_int64(0), crypto::RatchetSession::deserialize(secret_column(*select, 1).view(), expiry.now())});
    out.back().session.expire_skipped_keys(expiry);
  }
  return out;
}

void SessionStore::promote(std::string_view peer, std::int64_t slot, const crypto::RatchetSession& session) {
  {
    auto take = db_.cached("DELETE FROM previous_sessions WHERE seq = ? AND peer = ?");
    take->bind(1, slot);
    take->bind(2, peer);
    take->step();
  }
  if (db_.changes() != 1) throw std::logic_error("sessions: promote of a previous session that is not stored");
  replace(peer, session);
}

void SessionStore::remove(std::string_view peer) {
  for (const char* sql : {"DELETE FROM sessions WHERE peer = ?", "DELETE FROM previous_sessions WHERE peer = ?"}) {
    auto remove = db_.cached(sql);
    remove->bind(1, peer);
    remove->step();
  }
}

SessionStore::ExpirySweep SessionStore::expire_skipped_keys(const crypto::SkippedKeyExpiry& expiry) {
  ExpirySweep sweep;
  // One stored session: its expired keys go, and it is written back if its
  // stored form changed (compared whole, so a re-stamp or a format upgrade
  // is saved too).
  const auto sweep_one = [&](const std::string& peer, const crypto::SecretBytes& stored, auto&& write_back) {
    std::optional<crypto::RatchetSession> session;
    try {
      session.emplace(crypto::RatchetSession::deserialize(stored.view(), expiry.now()));
    } catch (const crypto::CryptoError&) {
      sweep.unreadable.push_back(peer);
      return;
    }
    sweep.keys_removed += session->expire_skipped_keys(expiry);
    if (session->serialize() != stored) {
      write_back(*session);
      ++sweep.sessions_rewritten;
    }
  };
  // The rows first, then one session at a time: saving while a SELECT over
  // the same table is still stepping would be reading a table being written.
  std::vector<std::string> peers;
  {
    auto select = db_.prepare("SELECT peer FROM sessions ORDER BY peer");
    while (select.step() == store::StepResult::Row) peers.push_back(select.column_text(0));
  }
  for (const std::string& peer : peers) {
    const std::optional<crypto::SecretBytes> stored = stored_state(peer);
    if (!stored) continue;
    sweep_one(peer, *stored, [&](const crypto::RatchetSession& session) { save(peer, session); });
  }
  std::vector<std::pair<std::int64_t, std::string>> previous;
  {
    auto select = db_.prepare("SELECT seq, peer FROM previous_sessions ORDER BY seq");
    while (select.step() == store::StepResult::Row)
      previous.emplace_back(select.column_int64(0), select.column_text(1));
  }
  for (const auto& [seq, peer] : previous) {
    std::optional<crypto::SecretBytes> stored;
    {
      auto select = db_.cached("SELECT state FROM previous_sessions WHERE seq = ?");
      select->bind(1, seq);
      if (select->step() == store::StepResult::Row) stored = secret_column(*select, 0);
    }
    if (!stored) continue;
    sweep_one(peer, *stored, [&, seq = seq](const crypto::RatchetSession& session) {
      auto update = db_.cached("UPDATE previous_sessions SET state = ? WHERE seq = ?");
      update->bind(1, session.serialize().view());
      update->bind(2, seq);
      update->step();
    });
  }
  return sweep;
}

}  // namespace sotto::msgd
