#include "lib/config/duration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config_error.h"

namespace sotto::config {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

std::string duration_error_of(std::string_view text) {
  try {
    parse_duration(text);
  } catch (const ValueSyntaxError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("30d"), milliseconds(2'592'000'000));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(Duration, RejectsBareNumberAsMissingUnit) { EXPECT_THAT(duration_error_of("10"), HasSubstr("'10' has no unit")); }

TEST(Duration, RejectsFractionsAndSuggestsSmallerUnit) {
  EXPECT_THAT(duration_error_of("1.5h"), HasSubstr("has a fraction"));
  EXPECT_THAT(duration_error_of("1,5h"), HasSubstr("has a fraction"));
}

TEST(Duration, RejectsUnknownUnitsSpacesAndCompoundForms) {
  EXPECT_THAT(duration_error_of("10sec"), HasSubstr("unknown unit 'sec'"));
  EXPECT_THAT(duration_error_of("10 s"), HasSubstr("unknown unit ' s'"));
  EXPECT_THAT(duration_error_of("1h30m"), HasSubstr("unknown unit 'h30m'"));
  EXPECT_THAT(duration_error_of("10S"), HasSubstr("unknown unit 'S'"));
  EXPECT_THAT(duration_error_of("10us"), HasSubstr("unknown unit 'us'"));
}

TEST(Duration, RejectsSignsEmptyTextAndLeadingZeros) {
  EXPECT_THAT(duration_error_of("-5s"), HasSubstr("without a sign"));
  EXPECT_THAT(duration_error_of("+5s"), HasSubstr("without a sign"));
  EXPECT_THAT(duration_error_of(""), HasSubstr("expected a duration"));
  EXPECT_THAT(duration_error_of("s"), HasSubstr("expected a duration"));
  EXPECT_THAT(duration_error_of("05s"), HasSubstr("leading zero"));
}

TEST(Duration, RejectsValuesThatOverflowMilliseconds) {
  // 2^63 - 1 ms is 106751991167 days and a bit.
  EXPECT_EQ(parse_duration("106751991167d"), milliseconds(106751991167LL * 86'400'000));
  EXPECT_THAT(duration_error_of("106751991168d"), HasSubstr("too long"));
  EXPECT_THAT(duration_error_of("99999999999999999999999ms"), HasSubstr("too long"));
}

TEST(Duration, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(2)), "2ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(7'776'000'000)), "90d");
  EXPECT_EQ(format_duration(milliseconds(-3)), "-3ms");
}

TEST(Duration, FormatThenParseGivesTheSameValue) {
  for (const long long ms : {1LL, 999LL, 1000LL, 61'000LL, 3'600'000LL, 86'400'000LL * 365}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace sotto::config
