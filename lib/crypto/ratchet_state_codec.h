#pragma once

// The stored form of a RatchetState (docs/crypto.md, "Session state
// serialization"): a stored blob (stored_blob.h) with magic "SORS", version 1.

#include "lib/crypto/bytes.h"
#include "lib/crypto/ratchet_state.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

// The AD X3DH produces is at most 2 * (1 + 255 + 64) = 640 bytes; anything
// longer in a stored state is corruption.
inline constexpr std::size_t kMaxAssociatedDataSize = 640;

SecretBytes encode_ratchet_state(const RatchetState& state);

// Checks the checksum first, then every count and length against its limit
// before using it, then the consistency of the fields. Throws CryptoError.
RatchetState decode_ratchet_state(ByteView stored);

}  // namespace sotto::crypto
