#pragma once

#include <array>
#include <cstdint>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

using HmacSha256Tag = std::array<std::uint8_t, 32>;

// HMAC-SHA256 (RFC 2104). Any key length is accepted, as the RFC allows.
HmacSha256Tag hmac_sha256(ByteView key, ByteView data);

// Checks a possibly truncated tag (at least 16 bytes) in constant time.
bool hmac_sha256_verify(ByteView key, ByteView data, ByteView tag);

}  // namespace sotto::crypto
