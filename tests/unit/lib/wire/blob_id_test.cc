#include "lib/wire/blob_id.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::wire {
namespace {

TEST(BlobId, AcceptsServerStyleIds) {
  EXPECT_TRUE(is_valid_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c"));
  EXPECT_TRUE(is_valid_blob_id("Ab-_9"));
  EXPECT_TRUE(is_valid_blob_id("x"));
  EXPECT_TRUE(is_valid_blob_id(std::string(64, 'z')));
}

TEST(BlobId, RefusesEmptyAndOverlongIds) {
  EXPECT_EQ(check_blob_id(""), "is empty");
  EXPECT_EQ(check_blob_id(std::string(65, 'z')), "is longer than 64 characters (65)");
}

TEST(BlobId, RefusesAnythingThatCouldEscapeTheBlobDirectory) {
  for (const std::string& id :
       {std::string("../x"), std::string("a/b"), std::string(".."), std::string("a.b"), std::string("a\\b"),
        std::string("a\0b", 3), std::string("a b"), std::string("caf\xc3\xa9")}) {
    EXPECT_FALSE(is_valid_blob_id(id)) << testing::PrintToString(id);
  }
  EXPECT_EQ(check_blob_id("../x"), "contains a character outside [A-Za-z0-9_-] at position 1");
}

}  // namespace
}  // namespace sotto::wire
