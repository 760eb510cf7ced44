#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/skipped_key_expiry.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// Sessions a newer one replaced, kept per peer for what the peer sealed under
// them. One is made each time both sides start a session at once (or the
// peer reinstalls); Signal's libsignal keeps 40 such states. 5 covers a few
// such events in a row while bounding the ratchets tried on a message that
// no session decrypts.
inline constexpr std::size_t kMaxPreviousSessions = 5;

// A replaced session and the slot it is stored in.
struct PreviousSession {
  std::int64_t slot = 0;
  crypto::RatchetSession session;
};

// The current Double Ratchet session per peer (the one messages are sealed
// with), and up to kMaxPreviousSessions replaced ones, each stored as
// RatchetSession::serialize(). Never begins a transaction: save the advanced
// session in the same store::Transaction as whatever it encrypted or
// decrypted (the outbox envelope, the received message), so neither survives
// a crash without the other. A damaged blob makes load() throw
// crypto::CryptoError.
class SessionStore {
 public:
  explicit SessionStore(store::Database& db) : db_(db) {}

  // The session with peer, its expired skipped keys already removed (the
  // removal is stored by the next save()). Skipped keys of a session stored
  // in the previous format version count as stored at expiry.now().
  std::optional<crypto::RatchetSession> load(std::string_view peer, const crypto::SkippedKeyExpiry& expiry);
  // Stores the current session as it is now (the same session, advanced).
  void save(std::string_view peer, const crypto::RatchetSession& session);
  // session becomes the current one; the one it replaces, if any, is kept
  // as the newest previous session (the oldest beyond the cap is dropped).
  void replace(std::string_view peer, const crypto::RatchetSession& session);
  // Newest first, each with its expired skipped keys removed like load().
  std::vector<PreviousSession> load_previous(std::string_view peer, const crypto::SkippedKeyExpiry& expiry);
  // The previous session in slot decrypted a message from the peer, who is
  // therefore sealing with it: it becomes current again (stored as session,
  // advanced), and the current one takes its place among the previous.
  void promote(std::string_view peer, std::int64_t slot, const crypto::RatchetSession& session);
  // The current and every previous session with peer.
  void remove(std::string_view peer);

  struct ExpirySweep {
    std::size_t keys_removed = 0;
    std::size_t sessions_rewritten = 0;
    std::vector<std::string> unreadable;  // peers whose stored session does not load
  };
  // For sessions that sit idle, which load() never sees: removes the expired
  // skipped keys of every stored session, current and previous, and saves back each one whose
  // stored form changed (keys removed or re-stamped, or an older format
  // version, which is rewritten in the current one). A session that does not
  // load is left as it is and named in the result; receiving from that peer
  // reports it too. Run it inside a store::Transaction.
  ExpirySweep expire_skipped_keys(const crypto::SkippedKeyExpiry& expiry);

 private:
  std::optional<crypto::SecretBytes> stored_state(std::string_view peer);
  // Moves the current session's stored state to the previous ones, as is.
  void keep_current_as_previous(std::string_view peer);
  store::Database& db_;
};

}  // namespace sotto::msgd
