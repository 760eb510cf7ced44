#pragma once

// The stored-blob layout of docs/crypto.md ("magic(4) || version || body ||
// SHA-256"), read independently of lib/crypto/stored_blob.cc, for the fuzz
// targets that judge what the loaders accept (key_blob_fuzz, ratchet_state_fuzz).

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::fuzz {

inline constexpr std::size_t kMagicSize = 4;
inline constexpr std::size_t kChecksumSize = 32;
inline constexpr std::size_t kOverhead = kMagicSize + 1 + kChecksumSize;
// The version of the key blobs (SOID, SOSP, SOOP); the ratchet state has
// versions of its own (ratchet_state_fuzz.cc).
inline constexpr std::uint8_t kVersion = 1;

inline bool same(crypto::ByteView a, crypto::ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

inline bool checksum_is_right(crypto::ByteView blob) {
  if (blob.size() < kChecksumSize) return false;
  const std::size_t covered = blob.size() - kChecksumSize;
  const crypto::Sha256Digest sum = crypto::sha256(blob.first(covered));
  return same(sum, blob.subspan(covered));
}

// The input with its trailing checksum made right (the input itself when it
// is too short to hold one): random edits almost never keep a checksum, so
// this is how they reach the code that reads the fields.
inline crypto::Bytes with_right_checksum(crypto::ByteView in) {
  crypto::Bytes out(in.begin(), in.end());
  if (out.size() < kOverhead) return out;
  const std::size_t covered = out.size() - kChecksumSize;
  const crypto::Sha256Digest sum = crypto::sha256(crypto::ByteView(out).first(covered));
  std::copy(sum.begin(), sum.end(), out.begin() + static_cast<long>(covered));
  return out;
}

}  // namespace sotto::fuzz
