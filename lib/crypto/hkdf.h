#pragma once

#include <cstddef>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

// HKDF-SHA256 extract-and-expand (RFC 5869). length must be 1..8160
// (255 * 32, the RFC's limit); anything else throws CryptoError.
SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

}  // namespace sotto::crypto
