#pragma once

// The envelope shared by every secret that msgd stores for the session layer
// (identity, prekeys, ratchet state):
//
//   magic (4 ASCII bytes) || version (u8) || body || SHA-256(magic || version || body)
//
// The magic keeps one kind of blob from being loaded as another; the version
// lets a later format be told apart; the checksum catches truncation and
// corruption on disk before any field is parsed. It is not a MAC: the blob is
// as trustworthy as the storage holding it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

inline constexpr std::size_t kStoredBlobMagicSize = 4;
inline constexpr std::size_t kStoredBlobChecksumSize = 32;  // SHA-256
inline constexpr std::size_t kStoredBlobOverhead = kStoredBlobMagicSize + 1 + kStoredBlobChecksumSize;

// Allocates exactly the blob, lets write_body fill body_size bytes, then
// appends the checksum. magic must be 4 characters.
SecretBytes seal_stored_blob(std::string_view magic, std::uint8_t version, std::size_t body_size,
                             const std::function<void(ByteWriter&)>& write_body);

// Checks length, magic, version and checksum; returns the body. Throws
// CryptoError naming `what` and the problem.
ByteView open_stored_blob(ByteView blob, std::string_view magic, std::uint8_t version, std::string_view what);

// The same checks for a loader that still reads the older versions of its
// format: any version from oldest to newest is accepted and returned with the
// body, for the loader to read accordingly.
struct OpenedStoredBlob {
  std::uint8_t version = 0;
  ByteView body;
};
OpenedStoredBlob open_stored_blob_versions(ByteView blob, std::string_view magic, std::uint8_t oldest,
                                           std::uint8_t newest, std::string_view what);

}  // namespace sotto::crypto
