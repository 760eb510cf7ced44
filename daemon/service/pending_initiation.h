#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/crypto/x25519.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// The X3DH header of a session this msgd started. Until the peer answers,
// every message to it goes out as an initial message carrying this header,
// so the peer can build the session from whichever of them arrives first.
struct PendingInitiation {
  crypto::X25519PublicKey ephemeral_public{};
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
};

// Table pending_initiations (schema in daemon/store/state_schema.cc).
class PendingInitiationStore {
 public:
  explicit PendingInitiationStore(store::Database& db) : db_(db) {}
  std::optional<PendingInitiation> find(std::string_view peer);
  void save(std::string_view peer, const PendingInitiation& initiation);
  void remove(std::string_view peer);

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
