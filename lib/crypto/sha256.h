#pragma once

#include <array>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/openssl_handles.h"

namespace sotto::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(ByteView data);

// Incremental SHA-256, for files hashed while they stream.
class Sha256 {
 public:
  Sha256();
  void update(ByteView data);
  Sha256Digest finish();  // the object can be reused after finish()

 private:
  detail::MdCtxPtr ctx_;
};

}  // namespace sotto::crypto
