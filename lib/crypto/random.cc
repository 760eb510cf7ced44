#include "lib/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "lib/crypto/error.h"

namespace sotto::crypto {

void random_fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw CryptoError("random generator failed");
    out = out.subspan(n);
  }
}

Bytes random_bytes(std::size_t size) {
  Bytes out(size);
  random_fill(out);
  return out;
}

SecretBytes random_secret(std::size_t size) {
  SecretBytes out(size);
  random_fill(out.span());
  return out;
}

}  // namespace sotto::crypto
