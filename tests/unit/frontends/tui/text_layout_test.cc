#include "frontends/tui/text_layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sotto::tui {
namespace {

std::vector<std::string> wrapped(const std::string& s, int first, int rest) {
  const DisplayText t(s);
  std::vector<std::string> out;
  for (const auto& line : wrap_text(t, first, rest)) out.push_back(slice_utf8(t, line));
  return out;
}

TEST(TextLayout, WrapsAtSpaces) {
  EXPECT_EQ(wrapped("the quick brown fox", 10, 10), (std::vector<std::string>{"the quick", "brown fox"}));
}

TEST(TextLayout, BreaksWordsLongerThanALine) {
  EXPECT_EQ(wrapped("abcdefghij", 4, 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
}

TEST(TextLayout, FirstLineMayBeNarrower) {
  EXPECT_EQ(wrapped("aaa bbb ccc", 4, 8), (std::vector<std::string>{"aaa", "bbb ccc"}));
}

TEST(TextLayout, WideCharactersAreNeverSplitAndNeverOverflow) {
  const DisplayText t("日本語のテキスト");
  for (const auto& line : wrap_text(t, 5, 5)) EXPECT_LE(line.width, 5);
  EXPECT_EQ(wrapped("日本語", 5, 5), (std::vector<std::string>{"日本", "語"}));
}

TEST(TextLayout, CombiningMarksStayWithTheirBase) {
  EXPECT_EQ(wrapped("e\u0301e\u0301e\u0301", 2, 2), (std::vector<std::string>{"e\u0301e\u0301", "e\u0301"}));
}

TEST(TextLayout, LineBreaksEndLinesAndEmptyTextIsOneLine) {
  EXPECT_EQ(wrapped("a\n\nb", 10, 10), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(wrapped("", 10, 10), (std::vector<std::string>{""}));
}

TEST(TextLayout, HugeMessageWrapsIntoFullLines) {
  const DisplayText t(std::string(64 * 1024, 'y'));
  const auto lines = wrap_text(t, 80, 80);
  EXPECT_EQ(lines.size(), (64u * 1024 + 79) / 80);
  for (const auto& line : lines) EXPECT_LE(line.width, 80);
}

TEST(TextLayout, FitCutsWithAnEllipsis) {
  EXPECT_EQ(fit_to_width(std::string_view("abcdef"), 4), "abc\u2026");
  EXPECT_EQ(fit_to_width(std::string_view("abc"), 4), "abc");
  EXPECT_EQ(fit_to_width(std::string_view("日本語"), 4), "日\u2026");
  EXPECT_EQ(columns_of_safe(fit_to_width(std::string_view("日本語"), 4)), 3);
}

}  // namespace
}  // namespace sotto::tui
