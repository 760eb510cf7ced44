#include "lib/crypto/file_cipher.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <istream>
#include <ostream>
#include <string>

#include "lib/crypto/error.h"
#include "lib/crypto/random.h"

namespace sotto::crypto {

namespace {

// Nonce (12 bytes): 4 zero bytes, then the chunk index as a big-endian
// uint64. Unique per chunk because the key is unique per file.
using ChunkNonce = std::array<std::uint8_t, kGcmNonceSize>;
// AAD (10 bytes): format version, chunk index (big-endian uint64), last flag.
using ChunkAad = std::array<std::uint8_t, 10>;

void put_be64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

ChunkNonce chunk_nonce(std::uint64_t index) {
  ChunkNonce nonce{};
  put_be64(nonce.data() + 4, index);
  return nonce;
}

ChunkAad chunk_aad(std::uint64_t index, bool last) {
  ChunkAad aad{};
  aad[0] = kFileFormatVersion;
  put_be64(aad.data() + 1, index);
  aad[9] = last ? 1 : 0;
  return aad;
}

ByteView checked_key(const SecretBytes& key) {
  if (key.size() != kFileKeySize) throw CryptoError("file key must be 32 bytes");
  return key.view();
}

}  // namespace

SecretBytes generate_file_key() { return random_secret(kFileKeySize); }

std::uint64_t file_ciphertext_size(std::uint64_t plaintext_size) {
  if (plaintext_size > kFileMaxPlaintextSize) throw CryptoError("file is larger than the 256 TiB format limit");
  // Every full chunk is followed by at least one more, so there is always a
  // last chunk of 0..kFileChunkSize-1 bytes.
  const std::uint64_t chunks = plaintext_size / kFileChunkSize + 1;
  return plaintext_size + chunks * kGcmTagSize;
}

std::optional<std::uint64_t> file_plaintext_size(std::uint64_t ciphertext_size) {
  const std::uint64_t full_chunks = ciphertext_size / kFileChunkCiphertextSize;
  const std::uint64_t last_chunk = ciphertext_size % kFileChunkCiphertextSize;
  if (last_chunk < kGcmTagSize || full_chunks >= kFileMaxChunks) return std::nullopt;
  return ciphertext_size - (full_chunks + 1) * kGcmTagSize;
}

FileEncryptor::FileEncryptor(const SecretBytes& key)
    : aead_(checked_key(key)), pending_(kFileChunkSize), out_(kFileChunkCiphertextSize) {}

void FileEncryptor::seal_chunk(ByteView plaintext, bool last, const ChunkSink& sink) {
  if (next_index_ >= kFileMaxChunks) throw CryptoError("file is larger than the 256 TiB format limit");
  const ChunkNonce nonce = chunk_nonce(next_index_);
  const ChunkAad aad = chunk_aad(next_index_, last);
  aead_.seal_into(nonce, aad, plaintext, out_.data());
  ++next_index_;
  sink(ByteView(out_.data(), plaintext.size() + kGcmTagSize));
}

void FileEncryptor::update(ByteView plaintext, const ChunkSink& sink) {
  if (!usable_) throw CryptoError("file encryptor used after finish() or after an error");
  if (plaintext.size() > kFileMaxPlaintextSize - plaintext_size_) {
    throw CryptoError("file is larger than the 256 TiB format limit");
  }
  // Stays false if anything below throws: a chunk may then have been sealed
  // but never delivered, and continuing would produce a corrupt file.
  usable_ = false;
  plaintext_size_ += plaintext.size();
  if (pending_size_ > 0) {
    const std::size_t take = std::min(plaintext.size(), kFileChunkSize - pending_size_);
    std::memcpy(pending_.data() + pending_size_, plaintext.data(), take);
    pending_size_ += take;
    plaintext = plaintext.subspan(take);
    // A full chunk is never the last one (finish() always adds a shorter
    // chunk), so it can be sealed as soon as it is complete.
    if (pending_size_ == kFileChunkSize) {
      seal_chunk(pending_.view(), false, sink);
      pending_size_ = 0;
    }
  }
  // Large writes are sealed straight from the caller's buffer, without a copy.
  while (plaintext.size() >= kFileChunkSize) {
    seal_chunk(plaintext.first(kFileChunkSize), false, sink);
    plaintext = plaintext.subspan(kFileChunkSize);
  }
  if (!plaintext.empty()) {
    std::memcpy(pending_.data(), plaintext.data(), plaintext.size());
    pending_size_ = plaintext.size();
  }
  usable_ = true;
}

void FileEncryptor::finish(const ChunkSink& sink) {
  if (!usable_) throw CryptoError("file encryptor used after finish() or after an error");
  usable_ = false;
  seal_chunk(ByteView(pending_.data(), pending_size_), true, sink);
  pending_size_ = 0;
}

FileDecryptor::FileDecryptor(const SecretBytes& key)
    : aead_(checked_key(key)), pending_(kFileChunkCiphertextSize), out_(kFileChunkSize) {}

void FileDecryptor::open_chunk(ByteView chunk, bool last, const ChunkSink& sink) {
  if (next_index_ >= kFileMaxChunks) throw CryptoError("encrypted file has more chunks than the format allows");
  const ChunkNonce nonce = chunk_nonce(next_index_);
  const ChunkAad aad = chunk_aad(next_index_, last);
  try {
    aead_.open_into(nonce, aad, chunk, out_.data());
  } catch (const CryptoError&) {
    // The chunk index helps diagnose where a file broke; it is not secret.
    throw CryptoError("encrypted file chunk " + std::to_string(next_index_) +
                      " failed to verify (wrong key, or the file was altered, truncated or extended)");
  }
  ++next_index_;
  const std::size_t size = chunk.size() - kGcmTagSize;
  plaintext_size_ += size;
  sink(ByteView(out_.data(), size));
}

void FileDecryptor::update(ByteView ciphertext, const ChunkSink& sink) {
  if (!usable_) throw CryptoError("file decryptor used after finish() or after an error");
  usable_ = false;  // stays false if a chunk fails or the sink throws
  if (pending_size_ > 0) {
    const std::size_t take = std::min(ciphertext.size(), kFileChunkCiphertextSize - pending_size_);
    std::memcpy(pending_.data() + pending_size_, ciphertext.data(), take);
    pending_size_ += take;
    ciphertext = ciphertext.subspan(take);
    // Only a non-last chunk has the full size: the last one is always shorter.
    if (pending_size_ == kFileChunkCiphertextSize) {
      open_chunk(pending_, false, sink);
      pending_size_ = 0;
    }
  }
  while (ciphertext.size() >= kFileChunkCiphertextSize) {
    open_chunk(ciphertext.first(kFileChunkCiphertextSize), false, sink);
    ciphertext = ciphertext.subspan(kFileChunkCiphertextSize);
  }
  if (!ciphertext.empty()) {
    std::memcpy(pending_.data(), ciphertext.data(), ciphertext.size());
    pending_size_ = ciphertext.size();
  }
  usable_ = true;
}

void FileDecryptor::finish(const ChunkSink& sink) {
  if (!usable_) throw CryptoError("file decryptor used after finish() or after an error");
  usable_ = false;
  if (pending_size_ < kGcmTagSize) throw CryptoError("encrypted file is truncated: its last chunk is missing");
  open_chunk(ByteView(pending_.data(), pending_size_), true, sink);
  pending_size_ = 0;
}

FileChunkCipher::FileChunkCipher(const SecretBytes& key) : aead_(checked_key(key)) {}

void FileChunkCipher::seal(std::uint64_t index, bool last, ByteView plaintext, std::uint8_t* out) {
  if (index >= kFileMaxChunks) throw CryptoError("file is larger than the 256 TiB format limit");
  if (plaintext.size() > kFileChunkSize || (!last && plaintext.size() != kFileChunkSize)) {
    throw CryptoError("a file chunk holds exactly 64 KiB, the last one less");
  }
  aead_.seal_into(chunk_nonce(index), chunk_aad(index, last), plaintext, out);
}

void FileChunkCipher::open(std::uint64_t index, bool last, ByteView ciphertext, std::uint8_t* out) {
  if (index >= kFileMaxChunks || ciphertext.size() < kGcmTagSize || ciphertext.size() > kFileChunkCiphertextSize ||
      (!last && ciphertext.size() != kFileChunkCiphertextSize)) {
    throw CryptoError("encrypted file chunk " + std::to_string(index) + " has the wrong size");
  }
  try {
    aead_.open_into(chunk_nonce(index), chunk_aad(index, last), ciphertext, out);
  } catch (const CryptoError&) {
    throw CryptoError("encrypted file chunk " + std::to_string(index) +
                      " failed to verify (wrong key, or the file was altered, truncated or extended)");
  }
}

namespace {

// Reads in to its end in blocks of buffer.size(), passing each block to
// consume. Throws CryptoError when the stream reports a read error.
template <typename Consume>
void read_all(std::istream& in, std::span<std::uint8_t> buffer, Consume&& consume) {
  if (!in) throw CryptoError("input stream is not readable");
  while (true) {
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    if (in.bad()) throw CryptoError("reading the input stream failed");
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got > 0) consume(ByteView(buffer.data(), got));
    if (!in) return;  // end of stream: eofbit and failbit after a short read
  }
}

void write_all(std::ostream& out, ByteView data) {
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw CryptoError("writing the output stream failed");
}

}  // namespace

FileStreamResult encrypt_stream(std::istream& in, std::ostream& out, const SecretBytes& key) {
  FileEncryptor encryptor(key);
  Sha256 hash;
  FileStreamResult result;
  const ChunkSink sink = [&](ByteView chunk) {
    hash.update(chunk);
    write_all(out, chunk);
    result.ciphertext_size += chunk.size();
  };
  SecretBytes buffer(kFileChunkSize);  // holds plaintext, so it is wiped
  read_all(in, buffer.span(), [&](ByteView block) { encryptor.update(block, sink); });
  encryptor.finish(sink);
  out.flush();
  if (!out) throw CryptoError("writing the output stream failed");
  result.plaintext_size = encryptor.plaintext_size();
  result.ciphertext_sha256 = hash.finish();
  return result;
}

FileStreamResult decrypt_stream(std::istream& in, std::ostream& out, const SecretBytes& key) {
  FileDecryptor decryptor(key);
  Sha256 hash;
  FileStreamResult result;
  const ChunkSink sink = [&](ByteView plaintext) { write_all(out, plaintext); };
  Bytes buffer(kFileChunkCiphertextSize);
  read_all(in, buffer, [&](ByteView block) {
    hash.update(block);
    result.ciphertext_size += block.size();
    decryptor.update(block, sink);
  });
  decryptor.finish(sink);
  out.flush();
  if (!out) throw CryptoError("writing the output stream failed");
  result.plaintext_size = decryptor.plaintext_size();
  result.ciphertext_sha256 = hash.finish();
  return result;
}

Bytes encrypt_file(ByteView plaintext, const SecretBytes& key) {
  Bytes out;
  out.reserve(file_ciphertext_size(plaintext.size()));
  FileEncryptor encryptor(key);
  const ChunkSink sink = [&out](ByteView chunk) { append(out, chunk); };
  encryptor.update(plaintext, sink);
  encryptor.finish(sink);
  return out;
}

Bytes decrypt_file(ByteView ciphertext, const SecretBytes& key) {
  Bytes out;
  if (const auto size = file_plaintext_size(ciphertext.size())) out.reserve(*size);
  FileDecryptor decryptor(key);
  const ChunkSink sink = [&out](ByteView plaintext) { append(out, plaintext); };
  try {
    decryptor.update(ciphertext, sink);
    decryptor.finish(sink);
  } catch (...) {
    // Plaintext of a file that failed to verify is never handed out; wipe
    // what the verified prefix left in memory.
    if (!out.empty()) OPENSSL_cleanse(out.data(), out.size());
    throw;
  }
  return out;
}

}  // namespace sotto::crypto
