#pragma once

// The stored form of a RatchetState (docs/crypto.md, "Session state
// serialization"): a stored blob (stored_blob.h) with magic "SORS". Version 2
// is written; version 1, which did not record when each skipped key was
// stored, is still read.

#include <chrono>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ratchet_state.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

// The AD X3DH produces is at most 2 * (1 + 255 + 64) = 640 bytes; anything
// longer in a stored state is corruption.
inline constexpr std::size_t kMaxAssociatedDataSize = 640;

inline constexpr std::uint8_t kRatchetStateVersion = 2;
// The version before skipped keys had a stored time.
inline constexpr std::uint8_t kRatchetStateVersionWithoutKeyTimes = 1;

// Always writes the current version.
SecretBytes encode_ratchet_state(const RatchetState& state);

// Checks the checksum first, then every count, length and time against its
// limit before using it, then the consistency of the fields. Throws
// CryptoError. The skipped keys of a version-1 state are stamped loaded_at
// (clamped by storable_skipped_key_time): their real age is unknown, and
// "stored now" keeps each for at most one more maximum age, whereas any
// earlier guess could drop keys of messages still on their way.
RatchetState decode_ratchet_state(ByteView stored, std::chrono::sys_seconds loaded_at);

}  // namespace sotto::crypto
