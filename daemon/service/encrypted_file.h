#pragma once

// The two ends of a file transfer on disk. msgd never holds a whole file:
// an upload encrypts each chunk as it is read (twice: once to learn the
// blob's SHA-256 for BlobBegin, once to send it; the format is deterministic
// for a given key, so both passes produce the same bytes and an interrupted
// upload restarts at any offset), and a download decrypts each chunk as it
// arrives into a temporary file that only becomes the file once the last
// chunk and the SHA-256 check out.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "lib/api/unique_fd.h"
#include "lib/crypto/bytes.h"
#include "lib/crypto/file_cipher.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::msgd {

// A local file could not be read or written, or it changed under us. what()
// is fit for the user.
class FileTransferError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The modification time of path in nanoseconds (to notice a file that
// changed between two passes or across a restart). Throws FileTransferError.
std::int64_t modification_time_ns(const std::filesystem::path& path);

// Random access to the ciphertext of a plaintext file of a known size.
class EncryptedFileSource {
 public:
  // Opens path read-only; throws FileTransferError.
  EncryptedFileSource(const std::filesystem::path& path, const crypto::SecretBytes& key, std::uint64_t size);

  std::uint64_t ciphertext_size() const { return ciphertext_size_; }
  // Appends ciphertext bytes [offset, offset + max) (fewer at the end) to
  // out. Throws FileTransferError when the file is shorter than its size.
  void read(std::uint64_t offset, std::size_t max, std::string& out);

 private:
  void seal_chunk(std::uint64_t index);

  api::UniqueFd fd_;
  crypto::FileChunkCipher cipher_;
  std::uint64_t size_;
  std::uint64_t ciphertext_size_;
  std::uint64_t last_index_;
  crypto::SecretBytes plain_;
  crypto::Bytes sealed_;
  std::uint64_t sealed_index_ = UINT64_MAX;  // the chunk sealed_ holds
  std::size_t sealed_size_ = 0;
};

struct EncryptedFileDigest {
  std::uint64_t ciphertext_size = 0;
  crypto::Sha256Digest sha256{};
};

// Encrypts the whole file once and hashes the ciphertext. progress(bytes of
// plaintext done) is called now and then; a set cancel flag ends it with
// FileTransferError("cancelled"). Throws FileTransferError.
EncryptedFileDigest hash_encrypted_file(const std::filesystem::path& path, const crypto::SecretBytes& key,
                                        std::uint64_t size, const std::function<void(std::uint64_t)>& progress,
                                        const std::atomic<bool>& cancel);

// Decrypts a blob, fed in order, into a temporary file, hashing the
// ciphertext on the way.
class DecryptingFileSink {
 public:
  // Creates temp (0600) or resumes it: the whole chunks it holds are kept
  // (their ciphertext is re-derived to rebuild the hash), anything after them
  // is cut. resume_offset() then says where the blob's bytes continue.
  DecryptingFileSink(const std::filesystem::path& temp, const crypto::SecretBytes& key, std::uint64_t size);

  std::uint64_t resume_offset() const { return received_; }
  std::uint64_t plaintext_written() const { return written_; }
  // Throws FileTransferError when the bytes go past the blob's size or a
  // chunk does not verify.
  void write(crypto::ByteView ciphertext);
  // Checks that every byte came, the last chunk verifies and the SHA-256 is
  // the announced one, then flushes the file to disk. Throws
  // FileTransferError; the caller removes temp.
  void finish(const crypto::Sha256Digest& expected_sha256);

 private:
  void open_chunk(crypto::ByteView chunk, bool last);

  api::UniqueFd fd_;
  crypto::FileChunkCipher cipher_;
  crypto::Sha256 hash_;
  std::uint64_t size_;
  std::uint64_t ciphertext_size_;
  std::uint64_t received_ = 0;  // ciphertext bytes taken (the pending ones included)
  std::uint64_t written_ = 0;   // plaintext bytes on disk
  std::uint64_t flushed_ = 0;   // plaintext bytes whose writeback has been started
  std::uint64_t next_index_ = 0;
  crypto::Bytes pending_;
  crypto::SecretBytes plain_;
};

}  // namespace sotto::msgd
