#include "frontends/tui/input_line.h"

#include <gtest/gtest.h>

namespace sotto::tui {
namespace {

TEST(InputLine, InsertsAndDeletesWholeCodePoints) {
  InputLine in;
  in.insert(U'h');
  in.insert(U'é');
  in.insert(U'日');
  EXPECT_EQ(in.text(), "hé日");
  in.backspace();
  EXPECT_EQ(in.text(), "hé");
  in.left();
  in.erase();
  EXPECT_EQ(in.text(), "h");
}

TEST(InputLine, MovesAndKillsByWordAndLine) {
  InputLine in;
  in.set_text("one two three");
  in.delete_word_before();
  EXPECT_EQ(in.text(), "one two ");
  in.home();
  in.word_right();
  in.kill_to_end();
  EXPECT_EQ(in.text(), "one");
  in.kill_to_start();
  EXPECT_TRUE(in.empty());
}

TEST(InputLine, MultiLineUpAndDownKeepTheColumn) {
  InputLine in;
  in.set_text("abcd\nxy");
  EXPECT_TRUE(in.line_up());
  EXPECT_EQ(in.text_before_cursor(), "ab");
  EXPECT_FALSE(in.line_up());
  EXPECT_TRUE(in.line_down());
  EXPECT_EQ(in.text_before_cursor(), "abcd\nxy");
  EXPECT_FALSE(in.line_down());
}

TEST(InputHistory, WalksBackAndGivesTheDraftBack) {
  InputHistory h;
  h.add("first");
  h.add("second");
  h.add("second");  // not twice in a row
  std::string out;
  ASSERT_TRUE(h.older("draft", out));
  EXPECT_EQ(out, "second");
  ASSERT_TRUE(h.older(out, out));
  EXPECT_EQ(out, "first");
  EXPECT_FALSE(h.older(out, out));
  ASSERT_TRUE(h.newer(out));
  EXPECT_EQ(out, "second");
  ASSERT_TRUE(h.newer(out));
  EXPECT_EQ(out, "draft");
  EXPECT_FALSE(h.newer(out));
}

TEST(InputHistory, IsBounded) {
  InputHistory h;
  for (std::size_t i = 0; i < InputHistory::kMaxEntries + 50; ++i) h.add("entry " + std::to_string(i));
  EXPECT_EQ(h.size(), InputHistory::kMaxEntries);
}

}  // namespace
}  // namespace sotto::tui
