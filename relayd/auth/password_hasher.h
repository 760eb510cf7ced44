#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sotto::relayd {

// Argon2id cost parameters. The defaults are OWASP's minimum for Argon2id
// (Password Storage Cheat Sheet: m=19456 KiB (19 MiB), t=2, p=1), and nothing
// weaker is accepted for new hashes, field by field.
struct Argon2Params {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// Lower bounds for new hashes (OWASP, above).
inline constexpr Argon2Params kMinArgon2Params{19456, 2, 1};

// Upper bounds, for new hashes and for every encoded string before libargon2
// sees it: libargon2 allocates m KiB and starts p threads for whatever a
// string says, so an absurd string (m=2^32 is 4 TiB) must be refused first.
// 256 MiB is 13x OWASP's minimum and libsodium's "moderate" setting; t=32 at
// that memory is already seconds per login; 16 lanes covers any sane server.
inline constexpr std::uint32_t kMaxArgon2MemoryKib = 256 * 1024;
inline constexpr std::uint32_t kMaxArgon2Iterations = 32;
inline constexpr std::uint32_t kMaxArgon2Parallelism = 16;

// Empty when `params` may be used for new hashes; otherwise the reason, which
// names the field and the bound (for config errors).
std::optional<std::string> check_argon2_params(const Argon2Params& params);

// Thrown by hash_password and verify_against_dummy for refused parameters or
// when libargon2 fails (out of memory, thread creation). Never holds a password.
class PasswordHashError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Argon2id (version 19) with a fresh 16-byte salt from the CSPRNG and a
// 32-byte tag; returns the PHC string ("$argon2id$v=19$m=...") to store.
// Slow on purpose (tens of ms at the defaults): call it off the io threads.
// Thread-safe. The password is read in place, never copied or logged.
std::string hash_password(std::string_view password, const Argon2Params& params = {});

// True when `password` matches `encoded`. False for a wrong password and for
// an encoded string that is malformed, not Argon2id v19, or costlier than the
// upper bounds above (refused before any memory is allocated). The tag is
// compared in constant time (libargon2's argon2id_verify). Thread-safe.
bool verify_password(std::string_view password, std::string_view encoded);

// For logins to accounts that do not exist: does the same work as a
// verify_password against a hash made with `params` (a real Argon2id run over
// `password` with a random salt) and returns false, so the answer's timing
// does not tell whether the account exists. Pass the server's configured
// parameters. Throws PasswordHashError when `params` are refused.
bool verify_against_dummy(std::string_view password, const Argon2Params& params = {});

// True when `encoded` was made with parameters other than `params` (or cannot
// be parsed): after a successful login the server may store a fresh hash, so
// that every account's hash costs what the configuration says.
bool needs_rehash(std::string_view encoded, const Argon2Params& params);

}  // namespace sotto::relayd
