#pragma once

#include <optional>
#include <string_view>

#include "lib/crypto/double_ratchet.h"
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

  std::optional<crypto::RatchetSession> load(std::string_view peer);
  void save(std::string_view peer, const crypto::RatchetSession& session);
  void remove(std::string_view peer);

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
