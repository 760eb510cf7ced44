#include "lib/crypto/skipped_key_expiry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "lib/crypto/error.h"

namespace sotto::crypto {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// An arbitrary fixed moment (2024-06-01T00:00:00Z) for the tests to count from.
constexpr sys_seconds kExpiryEpoch{seconds(1717200000)};

TEST(SkippedKeyExpiry, DefaultMaximumAgeIsThirtyDays) {
  EXPECT_EQ(kDefaultSkippedKeyMaxAge, days(30));
  EXPECT_EQ(SkippedKeyExpiry(kExpiryEpoch).max_age(), days(30));
}

TEST(SkippedKeyExpiry, AKeyIsKeptThroughExactlyTheMaximumAge) {
  const sys_seconds stored = kExpiryEpoch;
  EXPECT_FALSE(SkippedKeyExpiry(stored + days(30) - seconds(1)).expired(stored)) << "just before";
  EXPECT_FALSE(SkippedKeyExpiry(stored + days(30)).expired(stored)) << "at the boundary";
  EXPECT_TRUE(SkippedKeyExpiry(stored + days(30) + seconds(1)).expired(stored)) << "just after";
}

TEST(SkippedKeyExpiry, TheMaximumAgeIsTheOneGiven) {
  const SkippedKeyExpiry expiry(kExpiryEpoch, seconds(60));
  EXPECT_FALSE(expiry.expired(kExpiryEpoch - seconds(60)));
  EXPECT_TRUE(expiry.expired(kExpiryEpoch - seconds(61)));
  // Zero: only keys stored this very second are kept.
  EXPECT_FALSE(SkippedKeyExpiry(kExpiryEpoch, seconds(0)).expired(kExpiryEpoch));
  EXPECT_TRUE(SkippedKeyExpiry(kExpiryEpoch, seconds(0)).expired(kExpiryEpoch - seconds(1)));
}

TEST(SkippedKeyExpiry, AKeyFromTheFutureHasAgeZeroNotANegativeAge) {
  const SkippedKeyExpiry expiry(kExpiryEpoch);
  EXPECT_FALSE(expiry.expired(kExpiryEpoch + seconds(1)));
  EXPECT_FALSE(expiry.expired(kLatestSkippedKeyTime));
}

TEST(SkippedKeyExpiry, ANegativeMaximumAgeIsRefused) {
  EXPECT_THROW(SkippedKeyExpiry(kExpiryEpoch, seconds(-1)), CryptoError);
}

TEST(SkippedKeyExpiry, TimesOutsideTheStorableRangeAreClamped) {
  EXPECT_EQ(storable_skipped_key_time(sys_seconds(seconds(-5))), kEarliestSkippedKeyTime);
  EXPECT_EQ(storable_skipped_key_time(kLatestSkippedKeyTime + seconds(1)), kLatestSkippedKeyTime);
  EXPECT_EQ(storable_skipped_key_time(kExpiryEpoch), kExpiryEpoch);
  EXPECT_EQ(SkippedKeyExpiry(sys_seconds::max()).now(), kLatestSkippedKeyTime);
  EXPECT_EQ(SkippedKeyExpiry(sys_seconds::min()).now(), kEarliestSkippedKeyTime);
  // Extreme stored times are clamped too, so the difference cannot overflow.
  EXPECT_TRUE(SkippedKeyExpiry(kExpiryEpoch).expired(sys_seconds::min()));
  EXPECT_FALSE(SkippedKeyExpiry(kExpiryEpoch).expired(sys_seconds::max()));
}

TEST(SkippedKeyExpiry, TheLatestStorableTimeIsTheLastSecondOfYear9999) {
  const auto last_day = std::chrono::floor<days>(kLatestSkippedKeyTime);
  EXPECT_EQ(std::chrono::year_month_day(last_day), std::chrono::year(9999) / 12 / 31);
  EXPECT_EQ(kLatestSkippedKeyTime - last_day, days(1) - seconds(1));
}

// Compared loosely (within a day) so that an NTP step between the two
// readings cannot fail it; a wrong clock or unit would be off by far more.
TEST(SkippedKeyExpiry, SystemTimeReadsTheSystemClock) {
  const SkippedKeyExpiry expiry = SkippedKeyExpiry::at_system_time(seconds(5));
  const auto reference = std::chrono::floor<seconds>(std::chrono::system_clock::now());
  EXPECT_LT(std::chrono::abs(expiry.now() - reference), days(1));
  EXPECT_EQ(expiry.max_age(), seconds(5));
}

}  // namespace
}  // namespace sotto::crypto
