#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bench/relay_load/error_tally.h"
#include "bench/relay_load/relay_connection.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::relay_load {

// A request the relay refused, or an answer of the wrong kind: the run
// cannot go on with this connection. code is ERROR_UNSPECIFIED for the latter.
class RefusedError : public std::runtime_error {
 public:
  RefusedError(wire::ErrorCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  wire::ErrorCode code() const { return code_; }

 private:
  wire::ErrorCode code_;
};

// What happened on the way in that is not a failure but belongs in the report.
struct AuthNotes {
  std::uint32_t rate_limited_retries = 0;  // RATE_LIMITED answers waited out
  bool already_registered = false;         // --register found the account and logged in
};

// Hello; applies the relay's max frame size and returns its HelloOk. Throws
// RefusedError or ConnectionError.
net::Awaitable<wire::HelloOk> say_hello(RelayConnection& connection);

// Register (when register_first; USERNAME_TAKEN falls back to Login) or Login.
// A RATE_LIMITED answer is waited out as its retry_after_ms says, at most
// until deadline. Returns the session token (wiped when dropped).
net::Awaitable<crypto::SecretBytes> log_in(RelayConnection& connection, const std::string& username,
                                           const std::string& password, bool register_first,
                                           std::chrono::steady_clock::time_point deadline, AuthNotes& notes);

// Resume with a token from an earlier log_in. Throws RefusedError or ConnectionError.
net::Awaitable<void> resume(RelayConnection& connection, const crypto::SecretBytes& token);

}  // namespace sotto::relay_load
