#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// A failed blob file operation. error_number() is the errno (EINVAL for an
// invalid id or offset, EEXIST, ENOENT, ENOSPC...). The message names the
// operation and the blob id, never file contents.
class BlobFileError : public std::runtime_error {
 public:
  BlobFileError(const std::string& message, int error_number);
  int error_number() const noexcept { return error_number_; }

 private:
  int error_number_;
};

// The bytes of uploaded blobs, one file per blob in one directory (the rows
// describing them are in the Store). Files are named by blob id only, and an
// id is checked with is_valid_blob_id before it touches the file system, so
// no client-supplied string ever becomes a path. Files are opened relative to
// a descriptor of the directory with O_NOFOLLOW: a symlink planted in the
// directory is refused, not followed.
//
// Files are 0600 and the directory 0700 (an existing directory is narrowed to
// 0700). Thread-safe: calls share only the directory descriptor; concurrent
// writes to the same blob are the caller's to prevent.
class BlobFiles {
 public:
  explicit BlobFiles(const std::filesystem::path& dir);
  ~BlobFiles();
  BlobFiles(BlobFiles&& other) noexcept;
  BlobFiles& operator=(BlobFiles&& other) noexcept;
  BlobFiles(const BlobFiles&) = delete;
  BlobFiles& operator=(const BlobFiles&) = delete;

  // A new empty file; EEXIST if the blob already has one.
  void create(std::string_view id);
  // Writes data at offset, which must not be beyond the current end (no
  // holes); the file then ends right after the data, so its size is always
  // the number of bytes received (a resumed upload overwrites any tail left
  // by an interrupted one).
  void write_at(std::string_view id, std::uint64_t offset, crypto::ByteView data);
  // fsync of the file and the directory. Call before reporting an upload
  // complete (or an offset durable): until then the bytes may be in cache only.
  void sync(std::string_view id);
  // Up to max_length bytes from offset (fewer at the end; none past it).
  crypto::Bytes read(std::string_view id, std::uint64_t offset, std::size_t max_length) const;
  std::uint64_t size(std::string_view id) const;
  // SHA-256 of the whole file, read in 64 KiB pieces.
  crypto::Sha256Digest sha256(std::string_view id) const;
  bool exists(std::string_view id) const;
  // False if there was no such file.
  bool remove(std::string_view id);
  // Ids of every blob file, sorted (to find files whose rows are gone after a
  // crash between deleting a row and its file).
  std::vector<std::string> list() const;

  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  int open_blob(std::string_view id, int flags, const char* operation) const;

  std::filesystem::path dir_;
  int dir_fd_ = -1;
};

}  // namespace sotto::relayd
