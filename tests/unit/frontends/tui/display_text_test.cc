#include "frontends/tui/display_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sotto::tui {
namespace {

std::string joined(const DisplayText& t) {
  std::string out;
  for (const auto& c : t.clusters()) out += c.line_break ? std::string("\n") : std::string(t.text_of(c));
  return out;
}

TEST(DisplayText, PlainAsciiIsKeptAsItIs) {
  const DisplayText t("hello, world");
  EXPECT_EQ(t.utf8(), "hello, world");
  EXPECT_EQ(t.width(), 12u);
  EXPECT_EQ(t.clusters().size(), 12u);
}

TEST(DisplayText, EscapeSequenceIsShownNotExecuted) {
  const DisplayText t("a\x1b[2J\x1b]0;pwned\x07z");
  EXPECT_EQ(t.utf8().find('\x1b'), std::string::npos);
  EXPECT_EQ(t.utf8().find('\x07'), std::string::npos);
  EXPECT_EQ(t.utf8(), "a\u241B[2J\u241B]0;pwned\u2407z");
}

TEST(DisplayText, EveryC0ControlAndDeleteBecomeVisiblePictures) {
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\n' || c == '\t' || c == '\r') continue;
    const DisplayText t(std::string(1, static_cast<char>(c)));
    ASSERT_EQ(t.clusters().size(), 1u) << c;
    EXPECT_EQ(t.clusters()[0].width, 1) << c;
    EXPECT_GE(static_cast<unsigned char>(t.utf8()[0]), 0xE2) << c;
  }
  EXPECT_EQ(DisplayText("\x7f").utf8(), "\u2421");
}

TEST(DisplayText, C1ControlsAndEightBitCsiBecomeReplacementCharacters) {
  // U+009B is the 8-bit CSI: some terminals act on it like ESC [.
  EXPECT_EQ(DisplayText("x\u009b31mred\u0085").utf8(), "x\uFFFD31mred\uFFFD");
}

TEST(DisplayText, BidiOverridesAndIsolatesAreNeutralised) {
  const std::string hostile = "abc\u202Edcb\u2066x\u2069\u200F\u061C";
  const DisplayText t(hostile);
  EXPECT_EQ(t.utf8(), "abc\uFFFDdcb\uFFFDx\uFFFD\uFFFD\uFFFD");
  for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}) {
    EXPECT_TRUE(is_bidi_control(cp)) << std::hex << static_cast<unsigned>(cp);
  }
  EXPECT_FALSE(is_bidi_control(U'a'));
}

TEST(DisplayText, InvalidUtf8BecomesOneReplacementPerBadByte) {
  EXPECT_EQ(DisplayText("a\xff"
                        "b")
                .utf8(),
            "a\uFFFDb");
  EXPECT_EQ(DisplayText("\xc0\xaf").utf8(), "\uFFFD\uFFFD");                      // overlong '/'
  EXPECT_EQ(DisplayText("\xed\xa0\x80").utf8(), "\uFFFD\uFFFD\uFFFD");            // a surrogate
  EXPECT_EQ(DisplayText("\xf4\x90\x80\x80").utf8(), "\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
  EXPECT_EQ(DisplayText("ok\xe6\x97").utf8(), "ok\uFFFD\uFFFD");                  // cut short
}

TEST(DisplayText, WideCharactersTakeTwoColumns) {
  const DisplayText t("日本");
  ASSERT_EQ(t.clusters().size(), 2u);
  EXPECT_EQ(t.clusters()[0].width, 2);
  EXPECT_EQ(t.width(), 4u);
  const DisplayText emoji("\U0001F600");
  EXPECT_EQ(emoji.width(), 2u);
}

TEST(DisplayText, CombiningMarksJoinTheirBase) {
  const DisplayText t("e\u0301a");  // é as e + combining acute
  ASSERT_EQ(t.clusters().size(), 2u);
  EXPECT_EQ(t.text_of(t.clusters()[0]), "e\u0301");
  EXPECT_EQ(t.width(), 2u);
}

TEST(DisplayText, AMarkWithNothingToCombineWithGetsADottedCircle) {
  const DisplayText t("\u0301x");
  ASSERT_EQ(t.clusters().size(), 2u);
  EXPECT_EQ(t.text_of(t.clusters()[0]), "\u25CC\u0301");
}

TEST(DisplayText, ZeroWidthJoinerIsDroppedSoWidthsStayTrue) {
  const DisplayText t("\U0001F469\u200D\U0001F4BB");  // woman + ZWJ + laptop
  EXPECT_EQ(t.utf8(), "\U0001F469\U0001F4BB");
  EXPECT_EQ(t.width(), 4u);
}

TEST(DisplayText, LineBreaksAndTabs) {
  const DisplayText t("a\nb\r\nc\u2028d\te");
  EXPECT_EQ(joined(t), "a\nb\nc\nd    e");
  EXPECT_EQ(DisplayText("a\rb").utf8(), "a\u240Db");  // a lone CR cannot overwrite the line
}

TEST(DisplayText, SafeTextIsAFixedPoint) {
  const DisplayText once("x\x1b[1m\u202E日\u0301\xff");
  const DisplayText twice(once.utf8());
  EXPECT_EQ(once.utf8(), twice.utf8());
  EXPECT_EQ(once.width(), twice.width());
}

TEST(DisplayText, InertLineHasNoLineBreaks) { EXPECT_EQ(inert_line("a\nb\x1b"), "a b\u241B"); }

TEST(DisplayText, LargeMessageIsLinear) {
  const std::string big(64 * 1024, 'x');
  const DisplayText t(big);
  EXPECT_EQ(t.width(), big.size());
}

}  // namespace
}  // namespace sotto::tui
