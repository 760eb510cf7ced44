#pragma once

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

// True when a and b hold the same bytes. The time taken depends only on the
// lengths, never on where the first difference is (CRYPTO_memcmp).
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace sotto::crypto
