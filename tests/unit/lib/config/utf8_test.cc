#include "lib/config/utf8.h"

#include <gtest/gtest.h>

namespace sotto::config {
namespace {

TEST(Utf8, DecodesOneToFourByteCharacters) {
  EXPECT_EQ(decode_utf8("a", 0)->code_point, U'a');
  EXPECT_EQ(decode_utf8("\xc3\xa9", 0)->code_point, U'\u00e9');
  EXPECT_EQ(decode_utf8("\xe2\x82\xac", 0)->length, 3u);
  EXPECT_EQ(decode_utf8("\xf0\x9f\x94\x92", 0)->code_point, U'\U0001F512');
}

TEST(Utf8, RejectsIllFormedSequences) {
  EXPECT_FALSE(decode_utf8("\x80", 0));              // stray continuation byte
  EXPECT_FALSE(decode_utf8("\xc0\xaf", 0));          // overlong '/'
  EXPECT_FALSE(decode_utf8("\xe0\x80\xaf", 0));      // overlong '/'
  EXPECT_FALSE(decode_utf8("\xed\xa0\x80", 0));      // surrogate U+D800
  EXPECT_FALSE(decode_utf8("\xf4\x90\x80\x80", 0));  // above U+10FFFF
  EXPECT_FALSE(decode_utf8("\xc3", 0));              // truncated
  EXPECT_FALSE(decode_utf8("\xc3\x28", 0));          // bad continuation
  EXPECT_FALSE(decode_utf8("\xff", 0));
}

TEST(Utf8, FindsNothingUnprintableInOrdinaryText) {
  EXPECT_FALSE(find_unprintable("key: value\n\tmore\r\n caf\xc3\xa9 \xe2\x82\xac"));
  EXPECT_FALSE(find_unprintable(""));
}

TEST(Utf8, FindsTheOffsetOfTheFirstControlCharacter) {
  EXPECT_EQ(find_unprintable(std::string_view("ab\0c", 4)), 2u);
  EXPECT_EQ(find_unprintable("ab\x1b[31m"), 2u);
  EXPECT_EQ(find_unprintable("ab\x7f"), 2u);
  EXPECT_EQ(find_unprintable("ab\xc2\x85"), 2u);      // NEL
  EXPECT_EQ(find_unprintable("ab\xc2\x9b"), 2u);      // C1 CSI
  EXPECT_EQ(find_unprintable("ab\xef\xbf\xbe"), 2u);  // U+FFFE
}

TEST(Utf8, FindsTheOffsetOfTheFirstInvalidByte) {
  EXPECT_EQ(find_unprintable("caf\xc3\xa9\xff"), 5u);
  EXPECT_EQ(find_unprintable("\xff\xfek\0e\0y\0"), 0u);  // UTF-16 with a byte order mark
}

}  // namespace
}  // namespace sotto::config
