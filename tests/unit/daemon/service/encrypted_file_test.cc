#include "daemon/service/encrypted_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "lib/crypto/file_cipher.h"
#include "lib/crypto/sha256.h"

namespace sotto::msgd {
namespace {

namespace fs = std::filesystem;
using crypto::kFileChunkCiphertextSize;
using crypto::kFileChunkSize;

class EncryptedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("encfile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_plain(std::size_t size) {
    std::string data(size, '\0');
    std::mt19937 random(static_cast<unsigned>(size));
    for (auto& c : data) c = static_cast<char>(random());
    std::ofstream(dir_ / "plain", std::ios::binary) << data;
    return data;
  }
  static crypto::ByteView view(const std::string& s) {
    return crypto::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // The whole ciphertext, read through the source in pieces of `step` bytes.
  std::string ciphertext(EncryptedFileSource& source, std::size_t step) {
    std::string out;
    for (std::uint64_t offset = 0; offset < source.ciphertext_size(); offset += step) source.read(offset, step, out);
    return out;
  }

  fs::path dir_;
  crypto::SecretBytes key_ = crypto::generate_file_key();
  std::atomic<bool> no_cancel_{false};
};

TEST_F(EncryptedFileTest, SourceReadsTheStreamingFormatAtAnyOffset) {
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, kFileChunkSize - 1, kFileChunkSize, 3 * kFileChunkSize + 5}) {
    const std::string plain = write_plain(size);
    const crypto::Bytes expected = crypto::encrypt_file(view(plain), key_);
    EncryptedFileSource source(dir_ / "plain", key_, size);
    EXPECT_EQ(source.ciphertext_size(), expected.size());
    for (std::size_t step : {std::size_t{7}, kFileChunkCiphertextSize, 3 * kFileChunkCiphertextSize}) {
      const std::string got = ciphertext(source, step);
      EXPECT_EQ(got, std::string(expected.begin(), expected.end())) << size << " by " << step;
    }
    const EncryptedFileDigest digest = hash_encrypted_file(dir_ / "plain", key_, size, {}, no_cancel_);
    EXPECT_EQ(digest.ciphertext_size, expected.size());
    EXPECT_EQ(digest.sha256, crypto::sha256(expected));
  }
}

TEST_F(EncryptedFileTest, SourceNoticesAFileThatShrank) {
  write_plain(2 * kFileChunkSize);
  EncryptedFileSource source(dir_ / "plain", key_, 3 * kFileChunkSize);
  std::string out;
  EXPECT_THROW(source.read(2 * kFileChunkCiphertextSize, 100, out), FileTransferError);
  EXPECT_THROW(hash_encrypted_file(dir_ / "plain", key_, 3 * kFileChunkSize, {}, no_cancel_), FileTransferError);
  EXPECT_THROW(EncryptedFileSource(dir_ / "missing", key_, 1), FileTransferError);
}

TEST_F(EncryptedFileTest, HashingStopsWhenCancelled) {
  write_plain(4 * kFileChunkSize);
  std::atomic<bool> cancel{true};
  EXPECT_THROW(hash_encrypted_file(dir_ / "plain", key_, 4 * kFileChunkSize, {}, cancel), FileTransferError);
}

TEST_F(EncryptedFileTest, SinkDecryptsAndVerifies) {
  const std::string plain = write_plain(2 * kFileChunkSize + 77);
  const crypto::Bytes blob = crypto::encrypt_file(view(plain), key_);
  DecryptingFileSink sink(dir_ / ".part", key_, plain.size());
  EXPECT_EQ(sink.resume_offset(), 0u);
  for (std::size_t at = 0; at < blob.size(); at += 1000) {
    sink.write(crypto::ByteView(blob).subspan(at, std::min<std::size_t>(1000, blob.size() - at)));
  }
  sink.finish(crypto::sha256(blob));
  EXPECT_EQ(read(dir_ / ".part"), plain);
}

TEST_F(EncryptedFileTest, SinkResumesFromTheWholeChunksOnDisk) {
  const std::string plain = write_plain(5 * kFileChunkSize + 10);
  const crypto::Bytes blob = crypto::encrypt_file(view(plain), key_);
  {
    DecryptingFileSink first(dir_ / ".part", key_, plain.size());
    first.write(crypto::ByteView(blob).first(2 * kFileChunkCiphertextSize + 500));  // a crash mid-chunk
  }
  DecryptingFileSink again(dir_ / ".part", key_, plain.size());
  EXPECT_EQ(again.resume_offset(), 2 * kFileChunkCiphertextSize);
  EXPECT_EQ(fs::file_size(dir_ / ".part"), 2 * kFileChunkSize);
  again.write(crypto::ByteView(blob).subspan(again.resume_offset()));
  again.finish(crypto::sha256(blob));  // the rebuilt hash covers the chunks from before the crash
  EXPECT_EQ(read(dir_ / ".part"), plain);
}

TEST_F(EncryptedFileTest, SinkRefusesTruncationTamperingWrongHashAndExtraBytes) {
  const std::string plain = write_plain(kFileChunkSize + 3);
  const crypto::Bytes blob = crypto::encrypt_file(view(plain), key_);
  {
    DecryptingFileSink sink(dir_ / "t1", key_, plain.size());
    sink.write(crypto::ByteView(blob).first(blob.size() - 1));
    EXPECT_THROW(sink.finish(crypto::sha256(blob)), FileTransferError);
  }
  {
    crypto::Bytes tampered = blob;
    tampered[10] ^= 1;
    DecryptingFileSink sink(dir_ / "t2", key_, plain.size());
    EXPECT_THROW(sink.write(tampered), FileTransferError);
  }
  {
    DecryptingFileSink sink(dir_ / "t3", key_, plain.size());
    sink.write(blob);
    crypto::Sha256Digest wrong = crypto::sha256(blob);
    wrong[0] ^= 1;
    EXPECT_THROW(sink.finish(wrong), FileTransferError);
  }
  {
    DecryptingFileSink sink(dir_ / "t4", key_, plain.size());
    crypto::Bytes longer = blob;
    longer.push_back(0);
    EXPECT_THROW(sink.write(longer), FileTransferError);
  }
  {
    // A declared size that disagrees with the data: the last chunk does not fit.
    DecryptingFileSink sink(dir_ / "t5", key_, plain.size() + 1);
    sink.write(blob);
    EXPECT_THROW(sink.finish(crypto::sha256(blob)), FileTransferError);
  }
}

}  // namespace
}  // namespace sotto::msgd
