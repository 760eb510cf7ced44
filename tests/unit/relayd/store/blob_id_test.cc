#include "relayd/store/blob_id.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::relayd {
namespace {

TEST(BlobId, AcceptsLettersDigitsDashAndUnderscore) {
  EXPECT_TRUE(is_valid_blob_id("a"));
  EXPECT_TRUE(is_valid_blob_id("0123456789abcdefABCDEF_-"));
  EXPECT_TRUE(is_valid_blob_id(std::string(kMaxBlobIdLength, 'z')));
}

TEST(BlobId, RejectsAnythingThatCouldNameAnotherPath) {
  for (const std::string& id :
       {std::string(), std::string("."), std::string(".."), std::string("../x"), std::string("a/b"),
        std::string("/etc/passwd"), std::string("a\\b"), std::string("a\0b", 3), std::string("a b"),
        std::string("a\nb"), std::string("caf\xc3\xa9"), std::string(kMaxBlobIdLength + 1, 'z'), std::string("a.b"),
        std::string("~"), std::string("*")}) {
    EXPECT_FALSE(is_valid_blob_id(id)) << "accepted an id of " << id.size() << " bytes";
  }
}

}  // namespace
}  // namespace sotto::relayd
