#include "lib/config/byte_size.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config_error.h"

namespace sotto::config {
namespace {

using ::testing::HasSubstr;

std::string byte_size_error_of(std::string_view text) {
  try {
    parse_byte_size(text);
  } catch (const ValueSyntaxError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ByteSize, ParsesBareNumbersAsBytes) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("512"), 512u);
  EXPECT_EQ(parse_byte_size("512B"), 512u);
}

TEST(ByteSize, ParsesBinaryUnits) {
  EXPECT_EQ(parse_byte_size("64KiB"), 65'536u);
  EXPECT_EQ(parse_byte_size("1MiB"), 1'048'576u);
  EXPECT_EQ(parse_byte_size("1GiB"), 1'073'741'824u);
  EXPECT_EQ(parse_byte_size("2TiB"), 2'199'023'255'552u);
}

TEST(ByteSize, RejectsDecimalAndOneLetterUnitsAsAmbiguous) {
  for (const char* text : {"1MB", "1kB", "1KB", "1GB", "1TB", "1K", "1M", "1G", "1mb"}) {
    EXPECT_THAT(byte_size_error_of(text), HasSubstr("is ambiguous")) << text;
  }
}

TEST(ByteSize, RejectsFractionsEvenWithBinaryUnits) {
  EXPECT_THAT(byte_size_error_of("1.5MB"), HasSubstr("has a fraction"));
  EXPECT_THAT(byte_size_error_of("1.5MiB"), HasSubstr("has a fraction"));
}

TEST(ByteSize, RejectsUnknownUnitsSignsAndSpaces) {
  EXPECT_THAT(byte_size_error_of("1mib"), HasSubstr("unknown unit 'mib'"));
  EXPECT_THAT(byte_size_error_of("1 MiB"), HasSubstr("unknown unit ' MiB'"));
  EXPECT_THAT(byte_size_error_of("-1MiB"), HasSubstr("without a sign"));
  EXPECT_THAT(byte_size_error_of("MiB"), HasSubstr("expected a size"));
  EXPECT_THAT(byte_size_error_of("01MiB"), HasSubstr("leading zero"));
}

TEST(ByteSize, RejectsSizesAbove64Bits) {
  EXPECT_EQ(parse_byte_size("16777215TiB"), 16'777'215ULL << 40);
  EXPECT_THAT(byte_size_error_of("16777216TiB"), HasSubstr("too large"));
  EXPECT_THAT(byte_size_error_of("18446744073709551616"), HasSubstr("too large"));
}

TEST(ByteSize, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_byte_size(0), "0");
  EXPECT_EQ(format_byte_size(1000), "1000");
  EXPECT_EQ(format_byte_size(1536), "1536");
  EXPECT_EQ(format_byte_size(2048), "2KiB");
  EXPECT_EQ(format_byte_size(100ULL << 20), "100MiB");
  EXPECT_EQ(format_byte_size(1ULL << 30), "1GiB");
}

TEST(ByteSize, FormatThenParseGivesTheSameValue) {
  for (const unsigned long long bytes : {1ULL, 1023ULL, 1024ULL, 1536ULL, 5ULL << 30, 7ULL << 40}) {
    EXPECT_EQ(parse_byte_size(format_byte_size(bytes)), bytes) << bytes;
  }
}

}  // namespace
}  // namespace sotto::config
