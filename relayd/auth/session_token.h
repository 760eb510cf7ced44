#pragma once

#include <cstddef>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// 256 bits from the CSPRNG (DESIGN.md, "Accounts"): guessing one of even
// billions of live tokens stays out of reach.
inline constexpr std::size_t kSessionTokenBytes = 32;

// A fresh bearer token for a login. It goes to the client once, inside TLS;
// the server keeps only token_hash() of it.
crypto::SecretBytes generate_token();

// SHA-256 of a token, the form the store keeps and looks tokens up by. A
// plain hash suffices (no salt, no Argon2): the input is 256 random bits, not
// a guessable password, so a stolen database gives nothing to brute-force.
crypto::Sha256Digest token_hash(crypto::ByteView token);

// Compares two token hashes in constant time, for the check after the store's
// index lookup (which itself is not constant time).
bool token_hashes_equal(const crypto::Sha256Digest& a, const crypto::Sha256Digest& b);

}  // namespace sotto::relayd
