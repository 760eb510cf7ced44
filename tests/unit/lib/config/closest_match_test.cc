#include "lib/config/closest_match.h"

#include <gtest/gtest.h>

namespace sotto::config {
namespace {

const std::vector<std::string> kKeys{"auth_timeout", "idle_timeout", "max_frame_size", "max_connections", "tls"};

TEST(ClosestMatch, FindsOneLetterTypos) {
  EXPECT_EQ(closest_match("auth_timout", kKeys), "auth_timeout");
  EXPECT_EQ(closest_match("max_frame_sise", kKeys), "max_frame_size");
  EXPECT_EQ(closest_match("max_conections", kKeys), "max_connections");
}

TEST(ClosestMatch, CountsSwappedNeighboursAsOneEdit) {
  EXPECT_EQ(closest_match("tsl", kKeys), "tls");
  EXPECT_EQ(closest_match("atuh_timeout", kKeys), "auth_timeout");
}

TEST(ClosestMatch, IgnoresCase) { EXPECT_EQ(closest_match("Auth_Timeout", kKeys), "auth_timeout"); }

TEST(ClosestMatch, SuggestsNothingForUnrelatedWords) {
  EXPECT_FALSE(closest_match("colour", kKeys));
  EXPECT_FALSE(closest_match("", kKeys));
  EXPECT_FALSE(closest_match("tcp", kKeys));  // 2 edits from "tls" is too many for a 3-letter key
  EXPECT_FALSE(closest_match(std::string(10'000, 'a'), kKeys));
}

TEST(ClosestMatch, SuggestsNothingWithoutCandidates) { EXPECT_FALSE(closest_match("tls", {})); }

}  // namespace
}  // namespace sotto::config
