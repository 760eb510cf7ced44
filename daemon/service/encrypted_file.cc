#include "daemon/service/encrypted_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/crypto/aead.h"
#include "lib/crypto/error.h"

namespace sotto::msgd {
namespace {

using crypto::kFileChunkCiphertextSize;
using crypto::kFileChunkSize;
using crypto::kGcmTagSize;

constexpr std::uint64_t kWritebackStep = 8 << 20;

[[noreturn]] void fail_errno(const std::string& what) { throw FileTransferError(what + ": " + std::strerror(errno)); }

// Reads exactly n bytes at offset, or fewer only at the end of the file.
std::size_t pread_full(int fd, std::uint8_t* out, std::size_t n, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_errno("reading the file");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void write_full(int fd, const std::uint8_t* data, std::size_t n) {
  while (n > 0) {
    const ssize_t put = ::write(fd, data, n);
    if (put < 0) {
      if (errno == EINTR) continue;
      fail_errno("writing the file");
    }
    data += put;
    n -= static_cast<std::size_t>(put);
  }
}

// The number of chunks and the last one's plaintext size for a file size.
std::uint64_t last_chunk_index(std::uint64_t size) { return size / kFileChunkSize; }

std::size_t chunk_plain_size(std::uint64_t size, std::uint64_t index) {
  return index < last_chunk_index(size) ? kFileChunkSize : static_cast<std::size_t>(size % kFileChunkSize);
}

}  // namespace

std::int64_t modification_time_ns(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno(path.string());
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

EncryptedFileSource::EncryptedFileSource(const std::filesystem::path& path, const crypto::SecretBytes& key,
                                         std::uint64_t size)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)),
      cipher_(key),
      size_(size),
      ciphertext_size_(crypto::file_ciphertext_size(size)),
      last_index_(last_chunk_index(size)),
      plain_(kFileChunkSize),
      sealed_(kFileChunkCiphertextSize) {
  if (!fd_.valid()) fail_errno(path.string());
}

void EncryptedFileSource::seal_chunk(std::uint64_t index) {
  if (sealed_index_ == index) return;
  const std::size_t want = chunk_plain_size(size_, index);
  const std::size_t got = pread_full(fd_.get(), plain_.data(), want, index * kFileChunkSize);
  if (got != want) throw FileTransferError("the file got shorter while it was being sent");
  cipher_.seal(index, index == last_index_, crypto::ByteView(plain_.data(), want), sealed_.data());
  sealed_index_ = index;
  sealed_size_ = want + kGcmTagSize;
}

void EncryptedFileSource::read(std::uint64_t offset, std::size_t max, std::string& out) {
  const std::uint64_t end = std::min<std::uint64_t>(ciphertext_size_, offset + max);
  while (offset < end) {
    const std::uint64_t index = offset / kFileChunkCiphertextSize;
    const std::size_t within = static_cast<std::size_t>(offset % kFileChunkCiphertextSize);
    seal_chunk(index);
    const std::size_t take = std::min<std::uint64_t>(sealed_size_ - within, end - offset);
    out.append(reinterpret_cast<const char*>(sealed_.data()) + within, take);
    offset += take;
  }
}

EncryptedFileDigest hash_encrypted_file(const std::filesystem::path& path, const crypto::SecretBytes& key,
                                        std::uint64_t size, const std::function<void(std::uint64_t)>& progress,
                                        const std::atomic<bool>& cancel) {
  api::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) fail_errno(path.string());
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  crypto::FileChunkCipher cipher(key);
  crypto::Sha256 hash;
  // Several chunks per read: fewer system calls, same memory bound.
  constexpr std::size_t kChunksPerRead = 16;
  crypto::SecretBytes plain(kChunksPerRead * kFileChunkSize);
  crypto::Bytes sealed(kFileChunkCiphertextSize);
  const std::uint64_t last = last_chunk_index(size);
  EncryptedFileDigest digest;
  for (std::uint64_t index = 0; index <= last;) {
    if (cancel.load(std::memory_order_relaxed)) throw FileTransferError("cancelled");
    const std::uint64_t first = index;
    const std::uint64_t count = std::min<std::uint64_t>(kChunksPerRead, last + 1 - first);
    std::size_t want = 0;
    for (std::uint64_t i = first; i < first + count; ++i) want += chunk_plain_size(size, i);
    if (pread_full(fd.get(), plain.data(), want, first * kFileChunkSize) != want) {
      throw FileTransferError("the file got shorter while it was being prepared");
    }
    std::size_t at = 0;
    for (; index < first + count; ++index) {
      const std::size_t n = chunk_plain_size(size, index);
      cipher.seal(index, index == last, crypto::ByteView(plain.data() + at, n), sealed.data());
      hash.update(crypto::ByteView(sealed.data(), n + kGcmTagSize));
      digest.ciphertext_size += n + kGcmTagSize;
      at += n;
    }
    if (progress) progress(std::min(size, index * kFileChunkSize));
  }
  digest.sha256 = hash.finish();
  return digest;
}

DecryptingFileSink::DecryptingFileSink(const std::filesystem::path& temp, const crypto::SecretBytes& key,
                                       std::uint64_t size)
    : fd_(::open(temp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)),
      cipher_(key),
      size_(size),
      ciphertext_size_(crypto::file_ciphertext_size(size)),
      plain_(kFileChunkSize) {
  if (!fd_.valid()) fail_errno(temp.string());
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) fail_errno(temp.string());
  // Only whole non-last chunks are kept: the last chunk is verified with the
  // rest at finish().
  std::uint64_t keep =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size) / kFileChunkSize, last_chunk_index(size));
  crypto::Bytes sealed(kFileChunkCiphertextSize);
  for (std::uint64_t index = 0; index < keep; ++index) {
    if (pread_full(fd_.get(), plain_.data(), kFileChunkSize, index * kFileChunkSize) != kFileChunkSize) {
      keep = index;
      break;
    }
    cipher_.seal(index, false, plain_.view(), sealed.data());
    hash_.update(sealed);
  }
  if (::ftruncate(fd_.get(), static_cast<off_t>(keep * kFileChunkSize)) != 0) fail_errno(temp.string());
  if (::lseek(fd_.get(), static_cast<off_t>(keep * kFileChunkSize), SEEK_SET) < 0) fail_errno(temp.string());
  next_index_ = keep;
  written_ = keep * kFileChunkSize;
  received_ = keep * kFileChunkCiphertextSize;
  pending_.reserve(kFileChunkCiphertextSize);
}

void DecryptingFileSink::open_chunk(crypto::ByteView chunk, bool last) {
  try {
    cipher_.open(next_index_, last, chunk, plain_.data());
  } catch (const crypto::CryptoError& e) {
    throw FileTransferError(e.what());
  }
  const std::size_t n = chunk.size() - kGcmTagSize;
  write_full(fd_.get(), plain_.data(), n);
  written_ += n;
  ++next_index_;
  // Start writing back what has come so far without waiting for it, so that
  // the disk works while the rest arrives and finish()'s fsync has little
  // left to do (for a 1 GiB file the final fsync otherwise took seconds).
  if (written_ - flushed_ >= kWritebackStep) {
    ::sync_file_range(fd_.get(), static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_),
                      SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
}

void DecryptingFileSink::write(crypto::ByteView ciphertext) {
  if (ciphertext.size() > ciphertext_size_ - received_) {
    throw FileTransferError("the relay sent more bytes than the file has");
  }
  hash_.update(ciphertext);
  received_ += ciphertext.size();
  // Whole chunks straight from the caller's buffer; only a chunk split across
  // two writes is copied together first.
  while (pending_.empty() && ciphertext.size() > kFileChunkCiphertextSize) {
    open_chunk(ciphertext.first(kFileChunkCiphertextSize), false);
    ciphertext = ciphertext.subspan(kFileChunkCiphertextSize);
  }
  while (!ciphertext.empty()) {
    const std::size_t take = std::min(ciphertext.size(), kFileChunkCiphertextSize - pending_.size());
    pending_.insert(pending_.end(), ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>(take));
    ciphertext = ciphertext.subspan(take);
    // A full-size chunk is never the last one, so it can be opened now.
    if (pending_.size() == kFileChunkCiphertextSize) {
      open_chunk(pending_, false);
      pending_.clear();
    }
  }
}

void DecryptingFileSink::finish(const crypto::Sha256Digest& expected_sha256) {
  if (received_ != ciphertext_size_) {
    throw FileTransferError("the file is truncated: " + std::to_string(received_) + " of " +
                            std::to_string(ciphertext_size_) + " bytes arrived");
  }
  open_chunk(pending_, true);
  pending_.clear();
  if (written_ != size_) throw FileTransferError("the file's size is not the one announced");
  if (hash_.finish() != expected_sha256) {
    throw FileTransferError("the file's SHA-256 is not the one announced: it was altered");
  }
  if (::fsync(fd_.get()) != 0) fail_errno("flushing the file");
}

}  // namespace sotto::msgd
