#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// This device's private keys: the identity, the signed prekeys and the
// one-time prekeys, stored as their serialize() blobs. Loading a damaged blob
// throws crypto::CryptoError rather than returning a wrong key.
//
// Never begins a transaction (see StateDatabase). A method that writes
// several rows orders its writes so that a crash between them, outside any
// transaction, wastes ids but never reuses one; group calls in a
// store::Transaction to make them all-or-nothing.
class KeyStore {
 public:
  struct CurrentSignedPrekey {
    crypto::SignedPrekeyPair pair;
    std::int64_t created_at_ms;
  };

  explicit KeyStore(store::Database& db) : db_(db) {}

  std::optional<crypto::IdentityKeyPair> identity();
  // Throws std::runtime_error if an identity is already stored: replacing it
  // would silently turn this device into a different one for every contact.
  void save_identity(const crypto::IdentityKeyPair& identity);

  // Stores the prekey and makes it the current one. Its id must be new.
  void add_signed_prekey(const crypto::SignedPrekeyPair& prekey, std::int64_t created_at_ms);
  std::optional<crypto::SignedPrekeyPair> signed_prekey(std::uint32_t id);
  std::optional<CurrentSignedPrekey> current_signed_prekey();
  // Deletes the signed prekeys created before older_than_ms, except the current one.
  void prune_signed_prekeys(std::int64_t older_than_ms);
  // Hands out the next id (from 1, never repeated, persisted). Throws once
  // the 32-bit id space is used up.
  std::uint32_t next_signed_prekey_id();

  // Generates count prekeys under fresh ids (never repeated, persisted),
  // stores their private halves and returns them for upload.
  std::vector<crypto::OneTimePrekeyPair> generate_one_time_prekeys(std::size_t count);
  std::optional<crypto::OneTimePrekeyPair> one_time_prekey(std::uint32_t id);
  void remove_one_time_prekey(std::uint32_t id);
  std::size_t one_time_prekey_count();

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
