// Messenger: upkeep of the stored ratchet sessions. Loading a session for a
// message removes its expired skipped keys on the way; this pass does the
// same for the sessions nothing loads (a contact who has gone quiet), at
// start and every kSkippedKeyExpiryInterval.
#include <string>

#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "lib/store/transaction.h"

namespace sotto::msgd {

crypto::SkippedKeyExpiry Messenger::skipped_key_expiry() const {
  return crypto::SkippedKeyExpiry::at_system_time(config_.skipped_key_max_age);
}

void Messenger::expire_skipped_keys_periodically() {
  if (stopped_) return;
  expire_skipped_keys();
  skipped_key_timer_.expires_after(kSkippedKeyExpiryInterval);
  skipped_key_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) expire_skipped_keys_periodically();
  });
}

void Messenger::expire_skipped_keys() {
  try {
    store::Transaction tx(database_.db());
    const SessionStore::ExpirySweep sweep = sessions_.expire_skipped_keys(skipped_key_expiry());
    tx.commit();
    for (const std::string& peer : sweep.unreadable) log_warning("session_unreadable", {{"peer", peer}});
    if (sweep.keys_removed > 0) {
      log_event("skipped_keys_expired",
                {{"keys", std::to_string(sweep.keys_removed)}, {"sessions", std::to_string(sweep.sessions_rewritten)}});
    }
  } catch (const std::exception& e) {
    // A busy or failing disk: the next pass, or the next message from each
    // peer, tries again. Not a reason to stop msgd.
    log_warning("skipped_key_expiry_failed", {{"error", e.what()}});
  }
}

}  // namespace sotto::msgd
