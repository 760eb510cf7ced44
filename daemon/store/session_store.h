#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/skipped_key_expiry.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// One Double Ratchet session per peer, stored as RatchetSession::serialize().
// Never begins a transaction: save the advanced session in the same
// store::Transaction as whatever it encrypted or decrypted (the outbox
// envelope, the received message), so neither survives a crash without the
// other. A damaged blob makes load() throw crypto::CryptoError.
class SessionStore {
 public:
  explicit SessionStore(store::Database& db) : db_(db) {}

  // The session with peer, its expired skipped keys already removed (the
  // removal is stored by the next save()). Skipped keys of a session stored
  // in the previous format version count as stored at expiry.now().
  std::optional<crypto::RatchetSession> load(std::string_view peer, const crypto::SkippedKeyExpiry& expiry);
  void save(std::string_view peer, const crypto::RatchetSession& session);
  void remove(std::string_view peer);

  struct ExpirySweep {
    std::size_t keys_removed = 0;
    std::size_t sessions_rewritten = 0;
    std::vector<std::string> unreadable;  // peers whose stored session does not load
  };
  // For sessions that sit idle, which load() never sees: removes the expired
  // skipped keys of every stored session, and saves back each one whose
  // stored form changed (keys removed or re-stamped, or an older format
  // version, which is rewritten in the current one). A session that does not
  // load is left as it is and named in the result; receiving from that peer
  // reports it too. Run it inside a store::Transaction.
  ExpirySweep expire_skipped_keys(const crypto::SkippedKeyExpiry& expiry);

 private:
  std::optional<crypto::SecretBytes> stored_state(std::string_view peer);

  store::Database& db_;
};

}  // namespace sotto::msgd
