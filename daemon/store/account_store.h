#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// The account this msgd acts for: its username, the relay session token,
// the pinned relay certificates and msgd's small integer settings.
// Never begins a transaction (see StateDatabase). Throws store::StoreError.
class AccountStore {
 public:
  explicit AccountStore(store::Database& db) : db_(db) {}

  std::optional<std::string> username();
  void set_username(std::string_view username);

  std::optional<crypto::SecretBytes> token();
  // When the stored token expires (ms since the epoch); absent without a token.
  std::optional<std::int64_t> token_expires_at_ms();
  void set_token(crypto::ByteView token, std::int64_t expires_at_ms);
  void clear_token();

  // Relay certificate fingerprints pinned on first use, keyed by "host:port".
  std::optional<std::string> relay_pin(std::string_view relay);
  void set_relay_pin(std::string_view relay, std::string_view fingerprint);
  // Returns the fingerprint removed, if there was one.
  std::optional<std::string> forget_relay_pin(std::string_view relay);

  std::optional<std::int64_t> get_int(std::string_view key);
  void set_int(std::string_view key, std::int64_t value);

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
