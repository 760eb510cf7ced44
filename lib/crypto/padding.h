#pragma once

// Length hiding for message plaintexts: each plaintext is padded to a size
// bucket before it is encrypted, so the relay (which sees ciphertext lengths)
// learns only the bucket. Buckets and encoding are specified in
// docs/crypto-content.md ("Padding").

#include <cstddef>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

// Smallest bucket: 256 bytes hides the length of every short chat message
// (most are well under 100 bytes of UTF-8) at a cost that is negligible
// next to the ~100 bytes of envelope overhead each message carries anyway.
inline constexpr std::size_t kPaddingMinBucket = 256;
// Buckets double up to 64 KiB, then grow in steps of 64 KiB. Doubling keeps
// the worst-case overhead at 100% at every size; fixed steps cap it at one
// step (< 64 KiB), which is < 100% just past 64 KiB and < 10% from 640 KiB,
// while still hiding the low 16 bits of the length. Messages are bounded by
// the relay's 1 MiB frame limit, so there are 9 + 15 buckets in practice.
inline constexpr std::size_t kPaddingLinearStep = 64 * 1024;

// The bucket a plaintext of this size is padded to: the smallest bucket that
// holds the plaintext and the one-byte 0x80 marker. Throws CryptoError if the
// size is so large the bucket would overflow size_t.
std::size_t padded_size(std::size_t plaintext_size);

// plaintext || 0x80 || 0x00... up to padded_size(plaintext.size())
// (ISO/IEC 7816-4 padding, which is unambiguous for any plaintext).
Bytes pad(ByteView plaintext);

// Inverse of pad(). Throws CryptoError unless the input is exactly what pad()
// produces for some plaintext: the last non-zero byte is 0x80 and the total
// length is the bucket of the plaintext before it. Not constant-time: it is
// only ever run on plaintext that has already been authenticated, so its
// timing is no padding oracle.
Bytes unpad(ByteView padded);

}  // namespace sotto::crypto
