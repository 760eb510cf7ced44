#include "relayd/store/blob_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <string>

#include "tests/support/file_mode.h"
#include "tests/support/temp_dir.h"

namespace sotto::relayd {
namespace {

using sotto::testing::TempDir;

using sotto::testing::file_mode;

crypto::Bytes pattern(std::size_t size, std::uint8_t seed) {
  crypto::Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

int error_of(const std::function<void()>& operation) {
  try {
    operation();
  } catch (const BlobFileError& error) {
    return error.error_number();
  }
  return 0;
}

class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

class BlobFilesTest : public ::testing::Test {
 protected:
  BlobFilesTest() : files_(dir_ / "blobs") {}

  TempDir dir_;
  BlobFiles files_;
};

TEST(BlobFiles, CreatesItsDirectory0700AndFiles0600WhateverTheUmask) {
  const ScopedUmask umask(0);
  const TempDir dir;
  BlobFiles files(dir / "blobs");
  files.create("b1");
  EXPECT_EQ(file_mode(dir / "blobs"), 0700u);
  EXPECT_EQ(file_mode(dir / "blobs" / "b1"), 0600u);
}

TEST(BlobFiles, NarrowsAnExistingDirectoryTo0700) {
  const TempDir dir;
  std::filesystem::create_directory(dir / "blobs");
  std::filesystem::permissions(dir / "blobs", std::filesystem::perms::all);
  const BlobFiles files(dir / "blobs");
  EXPECT_EQ(file_mode(dir / "blobs"), 0700u);
}

TEST(BlobFiles, RefusesADirectoryPathThatIsASymlink) {
  const TempDir dir;
  std::filesystem::create_directory(dir / "real");
  std::filesystem::create_directory_symlink(dir / "real", dir / "blobs");
  try {
    BlobFiles files(dir / "blobs");
    FAIL() << "followed a symlink";
  } catch (const BlobFileError& error) {
    // O_NOFOLLOW with O_DIRECTORY reports a symlink as "not a directory".
    EXPECT_TRUE(error.error_number() == ENOTDIR || error.error_number() == ELOOP) << error.what();
  }
}

TEST_F(BlobFilesTest, WritesAppendsAndReadsBack) {
  const auto data = pattern(1000, 1);
  files_.create("b1");
  EXPECT_EQ(files_.size("b1"), 0u);
  files_.write_at("b1", 0, crypto::ByteView(data).first(600));
  files_.write_at("b1", 600, crypto::ByteView(data).subspan(600));
  files_.sync("b1");
  EXPECT_EQ(files_.size("b1"), 1000u);
  EXPECT_EQ(files_.read("b1", 0, 5000), data);
  EXPECT_EQ(files_.read("b1", 990, 100), crypto::Bytes(data.begin() + 990, data.end()));
  EXPECT_EQ(files_.read("b1", 10, 20), crypto::Bytes(data.begin() + 10, data.begin() + 30));
  EXPECT_TRUE(files_.read("b1", 1000, 10).empty());
  EXPECT_TRUE(files_.read("b1", 5000, 10).empty());
  EXPECT_EQ(files_.sha256("b1"), crypto::sha256(data));
}

TEST_F(BlobFilesTest, HashesAFileLargerThanOneReadChunk) {
  const auto data = pattern(200 * 1024 + 3, 9);
  files_.create("big");
  files_.write_at("big", 0, data);
  EXPECT_EQ(files_.sha256("big"), crypto::sha256(data));
}

TEST_F(BlobFilesTest, AResumedWriteReplacesTheTailOfAnInterruptedOne) {
  files_.create("b1");
  files_.write_at("b1", 0, pattern(100, 1));
  const auto resumed = pattern(10, 50);
  files_.write_at("b1", 50, resumed);
  EXPECT_EQ(files_.size("b1"), 60u);
  auto expected = pattern(100, 1);
  expected.resize(50);
  expected.insert(expected.end(), resumed.begin(), resumed.end());
  EXPECT_EQ(files_.read("b1", 0, 100), expected);
}

TEST_F(BlobFilesTest, RefusesAWriteThatWouldLeaveAHole) {
  files_.create("b1");
  files_.write_at("b1", 0, pattern(10, 1));
  EXPECT_EQ(error_of([&] { files_.write_at("b1", 11, pattern(10, 1)); }), EINVAL);
  EXPECT_EQ(files_.size("b1"), 10u);
}

TEST_F(BlobFilesTest, CreateRefusesABlobThatExists) {
  files_.create("b1");
  files_.write_at("b1", 0, pattern(10, 1));
  EXPECT_EQ(error_of([&] { files_.create("b1"); }), EEXIST);
  EXPECT_EQ(files_.size("b1"), 10u);
}

TEST_F(BlobFilesTest, OperationsOnAMissingBlobReportNotFound) {
  EXPECT_FALSE(files_.exists("b1"));
  EXPECT_EQ(error_of([&] { files_.read("b1", 0, 10); }), ENOENT);
  EXPECT_EQ(error_of([&] { files_.write_at("b1", 0, pattern(1, 1)); }), ENOENT);
  EXPECT_EQ(error_of([&] { files_.sync("b1"); }), ENOENT);
  EXPECT_EQ(error_of([&] { files_.sha256("b1"); }), ENOENT);
  EXPECT_FALSE(files_.remove("b1"));
}

TEST_F(BlobFilesTest, RemoveDeletesTheFile) {
  files_.create("b1");
  EXPECT_TRUE(files_.exists("b1"));
  EXPECT_TRUE(files_.remove("b1"));
  EXPECT_FALSE(files_.exists("b1"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "blobs" / "b1"));
  EXPECT_FALSE(files_.remove("b1"));
}

TEST_F(BlobFilesTest, ListsBlobIdsInOrderAndNothingElse) {
  files_.create("zz");
  files_.create("aa");
  std::ofstream(dir_ / "blobs" / "not.a.blob") << "x";
  EXPECT_EQ(files_.list(), (std::vector<std::string>{"aa", "zz"}));
}

TEST_F(BlobFilesTest, RejectsHostileIdsInEveryOperation) {
  std::ofstream(dir_ / "x") << "outside";
  for (const std::string& id : {std::string("../x"), std::string(), std::string(65, 'a'), std::string("a\0b", 3),
                                std::string("/tmp/x"), std::string("..")}) {
    SCOPED_TRACE("id of " + std::to_string(id.size()) + " bytes");
    EXPECT_EQ(error_of([&] { files_.create(id); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.write_at(id, 0, pattern(3, 1)); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.read(id, 0, 10); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.size(id); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.sha256(id); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.sync(id); }), EINVAL);
    EXPECT_EQ(error_of([&] { files_.remove(id); }), EINVAL);
    EXPECT_FALSE(files_.exists(id));
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "x"));
  EXPECT_EQ(std::filesystem::file_size(dir_ / "x"), 7u);
  EXPECT_TRUE(files_.list().empty());
}

TEST_F(BlobFilesTest, DoesNotFollowASymlinkPlantedInTheDirectory) {
  std::ofstream(dir_ / "target") << "secret";
  std::filesystem::create_symlink(dir_ / "target", dir_ / "blobs" / "evil");
  EXPECT_EQ(error_of([&] { files_.read("evil", 0, 10); }), ELOOP);
  EXPECT_EQ(error_of([&] { files_.write_at("evil", 0, pattern(3, 1)); }), ELOOP);
  EXPECT_FALSE(files_.exists("evil"));
  EXPECT_EQ(std::filesystem::file_size(dir_ / "target"), 6u);
}

TEST_F(BlobFilesTest, TheErrorNamesTheBlobButNotItsContents) {
  files_.create("b1");
  files_.write_at("b1", 0, crypto::as_bytes("private bytes"));
  try {
    files_.write_at("b1", 100, crypto::as_bytes("more private"));
    FAIL() << "wrote beyond the end";
  } catch (const BlobFileError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("b1"), std::string::npos) << message;
    EXPECT_EQ(message.find("private"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace sotto::relayd
