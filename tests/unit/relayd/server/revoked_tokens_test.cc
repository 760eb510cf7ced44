#include "relayd/server/revoked_tokens.h"

#include <gtest/gtest.h>

#include <vector>

namespace sotto::relayd {
namespace {

crypto::Sha256Digest revoked_digest(std::uint8_t n) {
  crypto::Sha256Digest d{};
  d.fill(n);
  return d;
}

TEST(RevokedTokensTest, HoldsWhatWasAddedForAMinuteAndNoLonger) {
  RevokedTokens revoked;
  const auto t0 = RevokedTokens::Clock::time_point{} + std::chrono::hours(1);
  const std::vector<crypto::Sha256Digest> batch{revoked_digest(1), revoked_digest(2)};
  revoked.add(batch, t0);
  EXPECT_TRUE(revoked.contains(revoked_digest(1), t0));
  EXPECT_TRUE(revoked.contains(revoked_digest(2), t0 + RevokedTokens::kKeep));
  EXPECT_FALSE(revoked.contains(revoked_digest(3), t0));
  EXPECT_FALSE(revoked.contains(revoked_digest(1), t0 + RevokedTokens::kKeep + std::chrono::milliseconds(1)));
}

TEST(RevokedTokensTest, OldEntriesGoWhenNewOnesComeAndARepeatRestartsTheMinute) {
  RevokedTokens revoked;
  const auto t0 = RevokedTokens::Clock::time_point{} + std::chrono::hours(1);
  const std::vector<crypto::Sha256Digest> first{revoked_digest(1), revoked_digest(2)};
  revoked.add(first, t0);
  const auto later = t0 + RevokedTokens::kKeep + std::chrono::seconds(1);
  const std::vector<crypto::Sha256Digest> second{revoked_digest(2), revoked_digest(3)};
  revoked.add(second, later);
  EXPECT_EQ(revoked.size(), 2u);
  EXPECT_FALSE(revoked.contains(revoked_digest(1), later));
  EXPECT_TRUE(revoked.contains(revoked_digest(2), later + RevokedTokens::kKeep));
  EXPECT_TRUE(revoked.contains(revoked_digest(3), later));
}

}  // namespace
}  // namespace sotto::relayd
