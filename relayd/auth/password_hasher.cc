#include "relayd/auth/password_hasher.h"

#include <argon2.h>

#include <cstring>

#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "relayd/auth/argon2id_phc.h"

namespace sotto::relayd {
namespace {

// 16 bytes of salt is RFC 9106's recommendation (section 4) and the PHC
// default; a 32-byte tag leaves no shortcut cheaper than guessing passwords.
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

// Bounds for encoded strings handed to verify_password. libargon2 itself
// accepts an 8-byte salt (ARGON2_MIN_SALT_LENGTH) and a 4-byte tag; a tag
// under 16 bytes (128 bits) is too weak to trust. 64 bytes of each is more
// than any implementation writes. The longest string within these bounds is
// 17 + 3 * 10 digits + 7 separators + 2 * 86 base64 = 226 characters, so 256
// bounds the copy made for libargon2 (which also allocates salt and tag
// buffers as long as the whole string).
constexpr std::size_t kMinSaltBytes = 8;
constexpr std::size_t kMaxSaltBytes = 64;
constexpr std::size_t kMinTagBytes = 16;
constexpr std::size_t kMaxTagBytes = 64;
constexpr std::size_t kMaxEncodedLength = 256;

std::string too_small(const char* field, std::uint32_t minimum, std::uint32_t got) {
  return std::string(field) + " must be at least " + std::to_string(minimum) + " (OWASP minimum for Argon2id), got " +
         std::to_string(got);
}

std::string too_large(const char* field, std::uint32_t maximum, std::uint32_t got) {
  return std::string(field) + " must be at most " + std::to_string(maximum) + ", got " + std::to_string(got);
}

bool within_upper_bounds(std::uint32_t memory_kib, std::uint32_t iterations, std::uint32_t parallelism) {
  return memory_kib <= kMaxArgon2MemoryKib && iterations <= kMaxArgon2Iterations &&
         parallelism <= kMaxArgon2Parallelism;
}

void require_usable(const Argon2Params& params) {
  if (const auto reason = check_argon2_params(params)) {
    throw PasswordHashError("refusing Argon2id parameters: " + *reason);
  }
}

// The one verification path, shared by real and dummy checks so that both
// cost the same.
bool verify_encoded(std::string_view password, std::string_view encoded) {
  if (encoded.size() > kMaxEncodedLength) return false;
  const auto phc = parse_argon2id_phc(encoded);
  if (!phc || !within_upper_bounds(phc->memory_kib, phc->iterations, phc->parallelism)) return false;
  if (phc->salt.size() < kMinSaltBytes || phc->salt.size() > kMaxSaltBytes) return false;
  if (phc->hash.size() < kMinTagBytes || phc->hash.size() > kMaxTagBytes) return false;
  if (password.size() > ARGON2_MAX_PWD_LENGTH) return false;
  // libargon2 wants a NUL-terminated string; the parser has already refused
  // any embedded NUL. The copy holds no secret (it is what the store keeps).
  const std::string terminated(encoded);
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace

std::optional<std::string> check_argon2_params(const Argon2Params& params) {
  if (params.memory_kib < kMinArgon2Params.memory_kib) {
    return too_small("memory_kib", kMinArgon2Params.memory_kib, params.memory_kib);
  }
  if (params.iterations < kMinArgon2Params.iterations) {
    return too_small("iterations", kMinArgon2Params.iterations, params.iterations);
  }
  if (params.parallelism < kMinArgon2Params.parallelism) {
    return too_small("parallelism", kMinArgon2Params.parallelism, params.parallelism);
  }
  if (params.memory_kib > kMaxArgon2MemoryKib) return too_large("memory_kib", kMaxArgon2MemoryKib, params.memory_kib);
  if (params.iterations > kMaxArgon2Iterations) {
    return too_large("iterations", kMaxArgon2Iterations, params.iterations);
  }
  if (params.parallelism > kMaxArgon2Parallelism) {
    return too_large("parallelism", kMaxArgon2Parallelism, params.parallelism);
  }
  return std::nullopt;
}

std::string hash_password(std::string_view password, const Argon2Params& params) {
  require_usable(params);
  if (password.size() > ARGON2_MAX_PWD_LENGTH) throw PasswordHashError("password longer than libargon2 accepts");

  crypto::Bytes salt;
  try {
    salt = crypto::random_bytes(kSaltBytes);
  } catch (const crypto::CryptoError& e) {
    throw PasswordHashError(std::string("no salt for Argon2id: ") + e.what());
  }

  // argon2_encodedlen counts the terminating NUL.
  std::string encoded(
      argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                        static_cast<std::uint32_t>(kSaltBytes), static_cast<std::uint32_t>(kTagBytes), Argon2_id),
      '\0');
  const int rc =
      argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(), password.size(),
                            salt.data(), salt.size(), kTagBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw PasswordHashError(std::string("Argon2id hashing failed: ") + argon2_error_message(rc));
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool verify_password(std::string_view password, std::string_view encoded) { return verify_encoded(password, encoded); }

bool verify_against_dummy(std::string_view password, const Argon2Params& params) {
  require_usable(params);
  // A well-formed hash nobody can match: a random salt and a random tag. The
  // run over the password is real and identical to a verification against a
  // stored hash with these parameters; only the final comparison fails.
  Argon2idPhc dummy;
  dummy.memory_kib = params.memory_kib;
  dummy.iterations = params.iterations;
  dummy.parallelism = params.parallelism;
  try {
    dummy.salt = crypto::random_bytes(kSaltBytes);
    dummy.hash = crypto::random_bytes(kTagBytes);
  } catch (const crypto::CryptoError& e) {
    throw PasswordHashError(std::string("no randomness for the dummy hash: ") + e.what());
  }
  static_cast<void>(verify_encoded(password, format_argon2id_phc(dummy)));
  return false;
}

bool needs_rehash(std::string_view encoded, const Argon2Params& params) {
  const auto phc = parse_argon2id_phc(encoded);
  if (!phc) return true;
  return phc->memory_kib != params.memory_kib || phc->iterations != params.iterations ||
         phc->parallelism != params.parallelism || phc->salt.size() != kSaltBytes || phc->hash.size() != kTagBytes;
}

}  // namespace sotto::relayd
