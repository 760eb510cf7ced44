#include "frontends/notify/retry_backoff.h"

#include <gtest/gtest.h>

namespace sotto::notify {
namespace {

using std::chrono::milliseconds;

TEST(RetryBackoff, DoublesFromHalfASecondToThirtySeconds) {
  RetryBackoff b;
  EXPECT_EQ(b.next(), milliseconds(500));
  EXPECT_EQ(b.next(), milliseconds(1000));
  EXPECT_EQ(b.next(), milliseconds(2000));
  for (int i = 0; i < 20; ++i) b.next();
  EXPECT_EQ(b.next(), milliseconds(30'000));
}

TEST(RetryBackoff, ResetStartsAgain) {
  RetryBackoff b;
  b.next();
  b.next();
  b.reset();
  EXPECT_EQ(b.next(), milliseconds(500));
}

}  // namespace
}  // namespace sotto::notify
