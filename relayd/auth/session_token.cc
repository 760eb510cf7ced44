#include "relayd/auth/session_token.h"

#include "lib/crypto/constant_time.h"
#include "lib/crypto/random.h"

namespace sotto::relayd {

crypto::SecretBytes generate_token() { return crypto::random_secret(kSessionTokenBytes); }

crypto::Sha256Digest token_hash(crypto::ByteView token) { return crypto::sha256(token); }

bool token_hashes_equal(const crypto::Sha256Digest& a, const crypto::Sha256Digest& b) {
  return crypto::constant_time_equal(a, b);
}

}  // namespace sotto::relayd
