#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

using HmacSha256Tag = std::array<std::uint8_t, 32>;

// HMAC-SHA256 (RFC 2104). Any key length is accepted, as the RFC allows.
HmacSha256Tag hmac_sha256(ByteView key, ByteView data);

// Checks a full 32-byte tag in constant time. A tag of any other length is
// refused: a verifier that accepted a prefix would let whoever controls the
// length weaken the check (a 16-byte prefix is 2^64 times easier to forge).
bool hmac_sha256_verify(ByteView key, ByteView data, ByteView tag);

// For a protocol that fixes a truncated tag length (RFC 2104 §5: at least
// half the output): tag must be exactly tag_length bytes, 16..32, and equal
// the first tag_length bytes of the full tag. The length is the caller's
// constant, never the received tag's own.
bool hmac_sha256_verify_truncated(ByteView key, ByteView data, ByteView tag, std::size_t tag_length);

}  // namespace sotto::crypto
