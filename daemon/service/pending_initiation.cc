#include "daemon/service/pending_initiation.h"

#include <algorithm>

namespace sotto::msgd {

std::optional<PendingInitiation> PendingInitiationStore::find(std::string_view peer) {
  auto st = db_.cached(
      "SELECT ephemeral_public, signed_prekey_id, one_time_prekey_id FROM pending_initiations WHERE peer = ?1");
  st->bind(1, peer);
  if (st->step() != store::StepResult::Row) return std::nullopt;
  PendingInitiation p;
  const auto ephemeral = st->column_blob(0);
  if (ephemeral.size() != p.ephemeral_public.size()) return std::nullopt;
  std::copy(ephemeral.begin(), ephemeral.end(), p.ephemeral_public.begin());
  p.signed_prekey_id = static_cast<std::uint32_t>(st->column_int64(1));
  if (auto otp = st->column_optional_int64(2)) p.one_time_prekey_id = static_cast<std::uint32_t>(*otp);
  return p;
}

void PendingInitiationStore::save(std::string_view peer, const PendingInitiation& initiation) {
  auto st = db_.cached(
      "INSERT INTO pending_initiations (peer, ephemeral_public, signed_prekey_id, one_time_prekey_id) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (peer) DO UPDATE SET ephemeral_public = excluded.ephemeral_public, "
      "signed_prekey_id = excluded.signed_prekey_id, one_time_prekey_id = excluded.one_time_prekey_id");
  st->bind(1, peer);
  st->bind(2, std::span<const std::uint8_t>(initiation.ephemeral_public));
  st->bind(3, initiation.signed_prekey_id);
  std::optional<std::int64_t> otp;
  if (initiation.one_time_prekey_id) otp = *initiation.one_time_prekey_id;
  st->bind(4, otp);
  st->step();
}

void PendingInitiationStore::remove(std::string_view peer) {
  auto st = db_.cached("DELETE FROM pending_initiations WHERE peer = ?1");
  st->bind(1, peer);
  st->step();
}

}  // namespace sotto::msgd
