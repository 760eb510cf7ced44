#include "lib/crypto/stored_blob.h"

#include <string>

#include "lib/crypto/constant_time.h"
#include "lib/crypto/error.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {

namespace {
[[noreturn]] void fail(std::string_view what, std::string_view problem) {
  std::string msg(what);
  msg += ": ";
  msg += problem;
  throw CryptoError(msg);
}
}  // namespace

SecretBytes seal_stored_blob(std::string_view magic, std::uint8_t version, std::size_t body_size,
                             const std::function<void(ByteWriter&)>& write_body) {
  if (magic.size() != kStoredBlobMagicSize) throw CryptoError("internal error: blob magic must be 4 bytes");
  SecretBytes out(kStoredBlobOverhead + body_size);
  ByteWriter w(out.span());
  w.bytes(as_bytes(magic));
  w.u8(version);
  write_body(w);
  if (w.position() != out.size() - kStoredBlobChecksumSize) {
    throw CryptoError("internal error: blob body size mismatch");
  }
  const Sha256Digest sum = sha256(ByteView(out.data(), w.position()));
  w.bytes(sum);
  w.expect_full();
  return out;
}

ByteView open_stored_blob(ByteView blob, std::string_view magic, std::uint8_t version, std::string_view what) {
  return open_stored_blob_versions(blob, magic, version, version, what).body;
}

OpenedStoredBlob open_stored_blob_versions(ByteView blob, std::string_view magic, std::uint8_t oldest,
                                           std::uint8_t newest, std::string_view what) {
  if (blob.size() < kStoredBlobOverhead) fail(what, "truncated");
  if (!constant_time_equal(blob.first(kStoredBlobMagicSize), as_bytes(magic))) fail(what, "not this kind of data");
  const std::size_t checked = blob.size() - kStoredBlobChecksumSize;
  const Sha256Digest sum = sha256(blob.first(checked));
  // The checksum comes before the version test: a flipped version byte is
  // corruption, and should be reported as such.
  if (!constant_time_equal(sum, blob.subspan(checked))) fail(what, "checksum mismatch (truncated or corrupted)");
  const std::uint8_t version = blob[kStoredBlobMagicSize];
  if (version < oldest || version > newest) fail(what, "unsupported format version");
  return {version, blob.subspan(kStoredBlobMagicSize + 1, checked - kStoredBlobMagicSize - 1)};
}

}  // namespace sotto::crypto
