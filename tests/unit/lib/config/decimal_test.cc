#include "lib/config/decimal.h"

#include <gtest/gtest.h>

namespace sotto::config {
namespace {

TEST(Decimal, ParsesPlainDigits) {
  EXPECT_EQ(parse_decimal("0").status, DecimalStatus::ok);
  EXPECT_EQ(parse_decimal("0").value, 0u);
  EXPECT_EQ(parse_decimal("7443").value, 7443u);
}

TEST(Decimal, ParsesTheLargestUint64) {
  const DecimalResult r = parse_decimal("18446744073709551615");
  EXPECT_EQ(r.status, DecimalStatus::ok);
  EXPECT_EQ(r.value, 18446744073709551615u);
}

TEST(Decimal, RejectsOneAboveTheLargestUint64) {
  EXPECT_EQ(parse_decimal("18446744073709551616").status, DecimalStatus::too_large);
  EXPECT_EQ(parse_decimal("99999999999999999999999").status, DecimalStatus::too_large);
}

TEST(Decimal, RejectsLeadingZeroBecauseYaml11ReadsItAsOctal) {
  EXPECT_EQ(parse_decimal("010").status, DecimalStatus::leading_zero);
  EXPECT_EQ(parse_decimal("00").status, DecimalStatus::leading_zero);
}

TEST(Decimal, RejectsAnythingButDigits) {
  for (const char* text : {"", "+1", "-1", " 1", "1 ", "1_000", "1.0", "0x10", "1e3", "\xd9\xa3"}) {
    EXPECT_EQ(parse_decimal(text).status, DecimalStatus::not_digits) << text;
  }
}

}  // namespace
}  // namespace sotto::config
