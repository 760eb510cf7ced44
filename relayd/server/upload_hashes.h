#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// The running SHA-256 of uploads whose chunks came in order in this process,
// so that BlobEnd need not read a whole blob back from disk to check it (for
// a 1 GiB file that re-read cost most of a second). Only a shortcut: when a
// blob has no entry here, or its entry does not cover every byte (relayd
// restarted mid-upload, a chunk was re-sent after a resume, the table was
// full), BlobEnd hashes the file as before. Thread-safe: chunks are written
// on the blocking pool's threads.
class UploadHashes {
 public:
  // At most this many uploads are tracked; a new one beyond it clears the
  // table (the uploads in it fall back to the re-read).
  static constexpr std::size_t kMaxTracked = 4096;

  // Records bytes written at offset: extends the blob's hash when offset is
  // where it stopped, starts one at offset 0, and forgets the blob otherwise.
  void add(std::string_view blob_id, std::uint64_t offset, crypto::ByteView data);
  // The hash of exactly size bytes, if this process saw all of them in
  // order; the entry is gone afterwards either way.
  std::optional<crypto::Sha256Digest> take(std::string_view blob_id, std::uint64_t size);
  void forget(std::string_view blob_id);
  std::size_t tracked() const;

 private:
  struct Running {
    crypto::Sha256 hash;
    std::uint64_t offset = 0;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Running> running_;
};

}  // namespace sotto::relayd
