#include "lib/wire/text_field.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::wire {
namespace {

TEST(IsValidUtf8, AcceptsWellFormedText) {
  for (const std::string& s :
       {std::string(""), std::string("plain ascii"), std::string("caf\xc3\xa9"), std::string("\xe2\x82\xac 5"),
        std::string("\xf0\x9f\x98\x80"), std::string("\xf4\x8f\xbf\xbf"), std::string("nul \0 is valid", 15)}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
  }
}

TEST(IsValidUtf8, RejectsMalformedSequences) {
  const std::string bad[] = {
      "\x80",              // lone continuation byte
      "\xc0\x80",          // overlong NUL
      "\xe0\x80\xaf",      // overlong '/'
      "\xed\xa0\x80",      // UTF-16 surrogate U+D800
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xe2\x82",          // truncated
      "\xff",              // never valid
      "ok\xc3",            // truncated at the end
      "\xc3\x28",          // continuation missing
  };
  for (const std::string& s : bad) EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(s);
}

TEST(CheckDisplayText, AcceptsPrintableUnicodeWithinTheLimit) {
  EXPECT_EQ(check_display_text("Alice's laptop \xf0\x9f\x92\xbb", 64), std::nullopt);
  EXPECT_EQ(check_display_text(std::string(64, 'x'), 64), std::nullopt);
  EXPECT_EQ(check_display_text("", 64), std::nullopt);
}

TEST(CheckDisplayText, RefusesTextThatIsTooLong) {
  EXPECT_EQ(check_display_text(std::string(65, 'x'), 64), "is longer than 64 bytes (65)");
}

TEST(CheckDisplayText, RefusesInvalidUtf8) {
  EXPECT_EQ(check_display_text("ab\xff", 64), "is not valid UTF-8 (at byte 3)");
}

TEST(CheckDisplayText, RefusesControlCharacters) {
  EXPECT_EQ(check_display_text("a\nb", 64), "contains a control character (at byte 2)");
  EXPECT_EQ(check_display_text("\x1b[2J", 64), "contains a control character (at byte 1)");
  EXPECT_EQ(check_display_text("x\x7f", 64), "contains a control character (at byte 2)");
  EXPECT_EQ(check_display_text(std::string("a\0", 2), 64), "contains a control character (at byte 2)");
  // U+009B, the 8-bit CSI that some terminals honour.
  EXPECT_EQ(check_display_text("ab\xc2\x9b", 64), "contains a control character (at byte 3)");
}

TEST(CheckDisplayText, RefusesBidirectionalOverrides) {
  // U+202E RIGHT-TO-LEFT OVERRIDE and U+2066 LEFT-TO-RIGHT ISOLATE.
  EXPECT_EQ(check_display_text("abc\xe2\x80\xae", 64), "contains a bidirectional override character (at byte 4)");
  EXPECT_EQ(check_display_text("\xe2\x81\xa6x", 64), "contains a bidirectional override character (at byte 1)");
}

}  // namespace
}  // namespace sotto::wire
