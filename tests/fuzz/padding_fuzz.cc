// Feeds arbitrary bytes to unpad() and pad(). unpad() must accept exactly the
// outputs of pad(): whatever it accepts must pad back to the same bytes, and
// whatever pad() produces must unpad to the original.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lib/crypto/error.h"
#include "lib/crypto/padding.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sotto::crypto::ByteView input(data, size);
  const sotto::crypto::Bytes as_given(input.begin(), input.end());

  try {
    const sotto::crypto::Bytes plaintext = sotto::crypto::unpad(input);
    check(plaintext.size() < size);
    check(sotto::crypto::pad(plaintext) == as_given);
  } catch (const sotto::crypto::CryptoError&) {
    // Rejected: fine, as long as it was not a valid padding (checked below
    // from the other direction for pad()'s outputs).
  }

  const sotto::crypto::Bytes padded = sotto::crypto::pad(input);
  check(padded.size() == sotto::crypto::padded_size(size));
  check(sotto::crypto::unpad(padded) == as_given);
  return 0;
}
