#include "relayd/server/upload_hashes.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::relayd {
namespace {

crypto::ByteView bytes_of(const std::string& s) {
  return crypto::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TEST(UploadHashes, InOrderChunksGiveTheWholeBlobsHashOnce) {
  UploadHashes hashes;
  hashes.add("b1", 0, bytes_of("hello "));
  hashes.add("b1", 6, bytes_of("world"));
  EXPECT_EQ(hashes.take("b1", 11), crypto::sha256(bytes_of("hello world")));
  EXPECT_EQ(hashes.take("b1", 11), std::nullopt) << "taken once";
}

TEST(UploadHashes, AGapARepeatOrAShortBlobFallsBackToTheFile) {
  UploadHashes hashes;
  hashes.add("gap", 0, bytes_of("abc"));
  hashes.add("gap", 5, bytes_of("xyz"));  // bytes 3..4 never seen here
  EXPECT_EQ(hashes.take("gap", 8), std::nullopt);
  hashes.add("repeat", 0, bytes_of("abc"));
  hashes.add("repeat", 1, bytes_of("bc"));  // re-sent after a resume
  EXPECT_EQ(hashes.take("repeat", 3), std::nullopt);
  hashes.add("resumed", 4, bytes_of("late"));  // began before a restart
  EXPECT_EQ(hashes.take("resumed", 8), std::nullopt);
  hashes.add("short", 0, bytes_of("abc"));
  EXPECT_EQ(hashes.take("short", 4), std::nullopt);
  EXPECT_EQ(hashes.tracked(), 0u);
}

TEST(UploadHashes, ARestartAtZeroBeginsAfreshAndForgetDrops) {
  UploadHashes hashes;
  hashes.add("b", 0, bytes_of("first try"));
  hashes.add("b", 0, bytes_of("again"));
  EXPECT_EQ(hashes.take("b", 5), crypto::sha256(bytes_of("again")));
  hashes.add("c", 0, bytes_of("x"));
  hashes.forget("c");
  EXPECT_EQ(hashes.tracked(), 0u);
}

TEST(UploadHashes, TheTableIsBounded) {
  UploadHashes hashes;
  for (std::size_t i = 0; i <= UploadHashes::kMaxTracked; ++i) hashes.add(std::to_string(i), 0, bytes_of("x"));
  EXPECT_LE(hashes.tracked(), UploadHashes::kMaxTracked);
}

}  // namespace
}  // namespace sotto::relayd
