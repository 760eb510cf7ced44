#pragma once

// Streaming authenticated encryption of files (attachments) under a random
// per-file key: AES-256-GCM over 64 KiB chunks, each chunk's nonce and AAD
// binding its index, and its AAD also whether it is the last chunk. The exact
// byte layout is in docs/crypto-content.md ("File encryption").
//
// Both directions are push-style and use constant memory (one chunk buffer)
// for any file size. The decryptor releases a chunk's plaintext only after
// that chunk's tag verifies, but a chunk that verifies is not yet proof of a
// complete file: truncation at a chunk boundary is only detected by
// FileDecryptor::finish(). Callers must treat everything the sink received as
// provisional until finish() returns (msgd writes to a temporary file and
// renames it into place only then).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>

#include "lib/crypto/aead.h"
#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {

inline constexpr std::uint8_t kFileFormatVersion = 1;
inline constexpr std::size_t kFileKeySize = 32;
// 64 KiB of plaintext per chunk (DESIGN.md, "Files"): large enough that the
// 16-byte tag costs 0.02% and the per-chunk OpenSSL call overhead vanishes,
// small enough to bound the memory a decryptor holds.
inline constexpr std::size_t kFileChunkSize = 64 * 1024;
inline constexpr std::size_t kFileChunkCiphertextSize = kFileChunkSize + kGcmTagSize;
// At most 2^32 chunks (2^48 bytes = 256 TiB) per key. This keeps the total
// AES blocks under one key below 2^44, so GCM's birthday-type bound on the
// distinguishing advantage (about blocks^2 / 2^128, NIST SP 800-38D and the
// standard PRP/PRF switching lemma) stays below 2^-40.
inline constexpr std::uint64_t kFileMaxChunks = std::uint64_t{1} << 32;
// kFileMaxChunks - 1 full chunks plus a last chunk that holds at most
// kFileChunkSize - 1 bytes (a full chunk is never the last one).
inline constexpr std::uint64_t kFileMaxPlaintextSize = kFileMaxChunks * kFileChunkSize - 1;

// Receives each chunk of output as it is produced. The view is valid only
// during the call.
using ChunkSink = std::function<void(ByteView)>;

// A fresh random 256-bit file key. Never encrypt two files under one key: the
// nonces are chunk indexes, so a reused key repeats nonces.
SecretBytes generate_file_key();

// Exact ciphertext size for a plaintext of the given size. Throws CryptoError
// above kFileMaxPlaintextSize.
std::uint64_t file_ciphertext_size(std::uint64_t plaintext_size);
// The plaintext size a ciphertext of this size holds, or nullopt when no
// plaintext encrypts to exactly this size (a cheap check on a blob's length
// before downloading or decrypting it).
std::optional<std::uint64_t> file_plaintext_size(std::uint64_t ciphertext_size);

class FileEncryptor {
 public:
  // key must be kFileKeySize bytes.
  explicit FileEncryptor(const SecretBytes& key);

  // Feeds plaintext; complete chunks are sealed and passed to sink.
  void update(ByteView plaintext, const ChunkSink& sink);
  // Seals the last chunk (possibly empty) and passes it to sink. The
  // encryptor cannot be used afterwards.
  void finish(const ChunkSink& sink);

  std::uint64_t plaintext_size() const { return plaintext_size_; }

 private:
  void seal_chunk(ByteView plaintext, bool last, const ChunkSink& sink);

  Aes256Gcm aead_;
  SecretBytes pending_;  // plaintext not yet sealed; wiped on destruction
  std::size_t pending_size_ = 0;
  Bytes out_;
  std::uint64_t next_index_ = 0;
  std::uint64_t plaintext_size_ = 0;
  bool usable_ = true;
};

class FileDecryptor {
 public:
  // key must be kFileKeySize bytes.
  explicit FileDecryptor(const SecretBytes& key);

  // Feeds ciphertext; each complete chunk is verified and only then its
  // plaintext passed to sink. Throws CryptoError when a chunk fails to verify
  // (wrong key, tampering, reordering, a chunk from another file, data after
  // the last chunk); the decryptor cannot be used after a throw.
  void update(ByteView ciphertext, const ChunkSink& sink);
  // Verifies the last chunk and passes its plaintext to sink. Throws
  // CryptoError if the last chunk never came (truncation) or fails to verify.
  // Only when this returns is the file known to be complete and authentic.
  void finish(const ChunkSink& sink);

  std::uint64_t plaintext_size() const { return plaintext_size_; }

 private:
  void open_chunk(ByteView chunk, bool last, const ChunkSink& sink);

  Aes256Gcm aead_;
  Bytes pending_;  // ciphertext not yet verified
  std::size_t pending_size_ = 0;
  SecretBytes out_;  // verified plaintext of one chunk; wiped on destruction
  std::uint64_t next_index_ = 0;
  std::uint64_t plaintext_size_ = 0;
  bool usable_ = true;
};

// One chunk at a time, at any index: what a resumable transfer needs. A
// chunk's ciphertext depends only on the key, its index, its plaintext and
// whether it is the last chunk, so an upload restarted at chunk k produces
// exactly the bytes the first attempt produced, and a download can resume at
// any whole chunk. Same format as FileEncryptor/FileDecryptor.
class FileChunkCipher {
 public:
  // key must be kFileKeySize bytes.
  explicit FileChunkCipher(const SecretBytes& key);

  // plaintext: kFileChunkSize bytes, or fewer for the last chunk. Writes
  // plaintext.size() + kGcmTagSize bytes to out.
  void seal(std::uint64_t index, bool last, ByteView plaintext, std::uint8_t* out);
  // Writes ciphertext.size() - kGcmTagSize bytes to out, only once the tag
  // verifies. Throws CryptoError naming the chunk otherwise.
  void open(std::uint64_t index, bool last, ByteView ciphertext, std::uint8_t* out);

 private:
  Aes256Gcm aead_;
};

struct FileStreamResult {
  std::uint64_t plaintext_size = 0;
  std::uint64_t ciphertext_size = 0;
  // SHA-256 of the ciphertext, the value the relay checks a blob against.
  Sha256Digest ciphertext_sha256{};
};

// Reads in to its end, writes the ciphertext to out. Throws CryptoError on a
// read or write failure.
FileStreamResult encrypt_stream(std::istream& in, std::ostream& out, const SecretBytes& key);
// Reads the ciphertext in to its end, writes the plaintext to out. Throws
// CryptoError as FileDecryptor does, or on a read or write failure; out then
// holds a prefix of the plaintext that must be discarded.
FileStreamResult decrypt_stream(std::istream& in, std::ostream& out, const SecretBytes& key);

// In-memory forms, for small files and tests.
Bytes encrypt_file(ByteView plaintext, const SecretBytes& key);
Bytes decrypt_file(ByteView ciphertext, const SecretBytes& key);

}  // namespace sotto::crypto
