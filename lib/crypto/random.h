#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

// The operating system's CSPRNG via OpenSSL's DRBG. Throws CryptoError if the
// generator fails (it never returns weak bytes silently).
void random_fill(std::span<std::uint8_t> out);
Bytes random_bytes(std::size_t size);
SecretBytes random_secret(std::size_t size);

}  // namespace sotto::crypto
