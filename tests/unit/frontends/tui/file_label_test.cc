#include "frontends/tui/file_label.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "frontends/tui/display_text.h"

namespace sotto::tui {
namespace {

TEST(FileLabel, SizesInPowersOfAThousandLikeMsgctl) {
  EXPECT_EQ(format_file_size(0), "0 B");
  EXPECT_EQ(format_file_size(999), "999 B");
  EXPECT_EQ(format_file_size(1000), "1.0 kB");
  EXPECT_EQ(format_file_size(2'100'000), "2.1 MB");
  EXPECT_EQ(format_file_size(215'000'000), "215 MB");
  EXPECT_EQ(format_file_size(999'500), "1.0 MB");
  EXPECT_EQ(format_file_size(std::numeric_limits<std::int64_t>::max()), "9.2 EB");
  EXPECT_EQ(format_file_size(-1), "?");
}

TEST(FileLabel, ATextIsShownAsItIs) {
  MessageData m;
  m.text = "[file] just text\nline 2";
  EXPECT_EQ(shown_text(m), m.text);
}

TEST(FileLabel, AFileIsItsNameSizeAndCaption) {
  MessageData m;
  m.is_file = true;
  m.file_name = "report.pdf";
  m.file_size = 2'100'000;
  EXPECT_EQ(shown_text(m), "[file] report.pdf (2.1 MB)");
  m.text = "the Q3\nnumbers";
  EXPECT_EQ(shown_text(m), "[file] report.pdf (2.1 MB) \u2014 the Q3\nnumbers") << "the caption keeps its lines";
  m.file_name.clear();
  m.file_size = -1;
  m.text.clear();
  EXPECT_EQ(shown_text(m), "[file] (no name) (?)");
}

TEST(FileLabel, ANameStaysOneLineAndIsCutOnACharacter) {
  MessageData m;
  m.is_file = true;
  m.file_size = 1;
  m.file_name = "a\nb\r\nc\u2028d";
  EXPECT_EQ(shown_text(m).find('\n'), std::string::npos) << shown_text(m);
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\u65E5";  // 3 bytes each
  m.file_name = name;
  const std::string shown = shown_text(m);
  const std::string head = shown.substr(7, shown.find(" (1 B)") - 7);
  EXPECT_LE(head.size(), kMaxShownFileNameBytes + 3);
  EXPECT_EQ(head.substr(head.size() - 3), "\u2026");
  EXPECT_EQ(DisplayText(head).utf8(), head) << "valid UTF-8: no character cut in half";
}

}  // namespace
}  // namespace sotto::tui
