#include "lib/crypto/padding.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>

#include "lib/crypto/error.h"

namespace sotto::crypto {

namespace {
constexpr std::uint8_t kMarker = 0x80;
}  // namespace

std::size_t padded_size(std::size_t plaintext_size) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  if (plaintext_size > kMax - kPaddingLinearStep) throw CryptoError("plaintext too large to pad");
  const std::size_t needed = plaintext_size + 1;  // the marker byte
  if (needed <= kPaddingMinBucket) return kPaddingMinBucket;
  if (needed <= kPaddingLinearStep) return std::bit_ceil(needed);
  return (needed + kPaddingLinearStep - 1) / kPaddingLinearStep * kPaddingLinearStep;
}

Bytes pad(ByteView plaintext) {
  Bytes out(padded_size(plaintext.size()), 0);
  std::copy(plaintext.begin(), plaintext.end(), out.begin());
  out[plaintext.size()] = kMarker;
  return out;
}

Bytes unpad(ByteView padded) {
  std::size_t end = padded.size();
  while (end > 0 && padded[end - 1] == 0) --end;
  if (end == 0) throw CryptoError("malformed padding: no 0x80 marker");
  if (padded[end - 1] != kMarker) throw CryptoError("malformed padding: the last non-zero byte is not 0x80");
  const std::size_t plaintext_size = end - 1;
  if (padded_size(plaintext_size) != padded.size()) {
    throw CryptoError("malformed padding: the length is not the size bucket of the plaintext");
  }
  return Bytes(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(plaintext_size));
}

}  // namespace sotto::crypto
