#include "frontends/tui/screen_layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/frontends/tui/tui_test_support.h"

namespace sotto::tui {
namespace {

using testing::expect_rows_fit;
using ::testing::HasSubstr;
using testing::incoming;
using testing::is_inert;
using testing::kDay1;
using testing::kDayMs;
using testing::ModelDriver;
using ::testing::Not;
using testing::outgoing;

ChatModel::Options bob() {
  ChatModel::Options o;
  o.initial_peer = "bob";
  return o;
}

TEST(ScreenLayout, PanesFillTheWindowAndTheNewestIsAtTheBottom) {
  ModelDriver d(bob());
  d.up();
  d.apply(HistoryLoaded{"bob", {incoming("bob", "1", "first"), outgoing("bob", "2", "second")}, false, 200});
  const Screen s = d.screen();
  expect_rows_fit(s);
  EXPECT_EQ(s.sidebar_width, 20);
  ASSERT_GE(s.conversation.size(), 3u);
  EXPECT_THAT(s.conversation.back().text, HasSubstr("10:00 alice: second \u2713\u2713"));
  EXPECT_EQ(s.conversation.back().style, RowStyle::kOwn);
  EXPECT_THAT(s.conversation[s.conversation.size() - 2].text, HasSubstr("10:00 bob: first"));
  EXPECT_THAT(s.conversation.front().text, HasSubstr("bob"));
  EXPECT_EQ(s.conversation.front().style, RowStyle::kTitle);
  EXPECT_EQ(s.sidebar.front().style, RowStyle::kSelected);
  EXPECT_EQ(s.cursor_row, 23);
  EXPECT_EQ(s.cursor_col, 2);
}

TEST(ScreenLayout, DaySeparatorsComeBetweenDays) {
  ModelDriver d(bob());
  d.up();
  d.apply(HistoryLoaded{
      "bob", {incoming("bob", "1", "monday"), incoming("bob", "2", "tuesday", kDay1 + kDayMs)}, false, 200});
  const std::string text = d.conversation_text();
  EXPECT_THAT(text, HasSubstr("\u2500\u2500 Tuesday 24 November 2026 \u2500\u2500"));
  EXPECT_THAT(text, HasSubstr("\u2500\u2500 Wednesday 25 November 2026 \u2500\u2500"));
  EXPECT_LT(text.find("24 November"), text.find("monday"));
  EXPECT_LT(text.find("monday"), text.find("25 November"));
  EXPECT_LT(text.find("25 November"), text.find("tuesday"));
}

TEST(ScreenLayout, ResizingLaysEverythingOutAgain) {
  ModelDriver d(bob());
  d.up();
  d.apply(ContactsLoaded{{{"bob", "trusted", false}, {"carol", "trusted", false}}});
  d.apply(HistoryLoaded{"bob", {incoming("bob", "1", std::string(150, 'w'))}, false, 200});
  expect_rows_fit(d.screen());
  for (auto [w, h] : {std::pair{40, 10}, std::pair{200, 50}, std::pair{61, 8}, std::pair{59, 30}}) {
    d.apply(Resized{w, h});
    const Screen s = d.screen();
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    expect_rows_fit(s);
    EXPECT_EQ(s.sidebar_width > 0, w >= 60);
  }
  d.apply(Resized{10, 3});
  EXPECT_TRUE(d.screen().too_small);
}

TEST(ScreenLayout, WideAndCombiningCharactersWrapOnTheirColumns) {
  ModelDriver d(bob());
  d.up();
  d.apply(Resized{40, 12});  // no list: the conversation is 40 columns wide
  std::string text;
  for (int i = 0; i < 30; ++i) text += "日e\u0301\U0001F600";
  d.apply(HistoryLoaded{"bob", {incoming("bob", "1", text)}, false, 200});
  expect_rows_fit(d.screen());
}

TEST(ScreenLayout, A64KiBMessageWrapsAndStaysWithinThePane) {
  ModelDriver d(bob());
  d.up();
  std::string big;
  while (big.size() < 64 * 1024) big += "lorem ipsum dolor sit amet, 日本語 ";
  d.apply(MessageReceived{incoming("bob", "big", big)});
  const Screen s = d.screen();
  expect_rows_fit(s);
  EXPECT_THAT(s.conversation.back().text, HasSubstr("amet"));
  // The model can scroll through all of it.
  const int total = conversation_row_count(*d.model.open_conversation(), 79);
  EXPECT_GT(total, 800);
  for (int i = 0; i < 2000 && d.model.scroll() < total - 22; ++i) d.press(KeyCode::kPageUp);
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 bob: lorem ipsum"));
}

TEST(ScreenLayout, LongInputGrowsUpToFiveRowsAndKeepsTheCursorVisible) {
  ModelDriver d(bob());
  d.up();
  d.type(std::string(1000, 'x'));
  Screen s = d.screen();
  expect_rows_fit(s);
  EXPECT_EQ(s.input.size(), static_cast<std::size_t>(kMaxInputRows));
  EXPECT_EQ(s.cursor_row, s.height - 1);
  d.press(KeyCode::kHome);
  s = d.screen();
  EXPECT_EQ(s.cursor_row, s.height - kMaxInputRows);
  EXPECT_EQ(s.cursor_col, 2);
}

TEST(ScreenLayout, CursorFollowsWideCharacters) {
  ModelDriver d(bob());
  d.up();
  d.type("日本");
  EXPECT_EQ(d.screen().cursor_col, 2 + 4);
  d.press(KeyCode::kLeft);
  EXPECT_EQ(d.screen().cursor_col, 2 + 2);
}

// A peer's hostile messages: every row of the screen stays inert, and the
// attack is visible as text.
TEST(ScreenLayout, HostileMessagesAreShownInert) {
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"clear screen", "\x1b[2J\x1b[H"},
      {"set title", "\x1b]0;owned\x07"},
      {"OSC 52 clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07"},
      {"hyperlink", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\"},
      {"8-bit CSI",
       "\xc2\x9b"
       "31mred"},
      {"bidi override", "file\u202Egnp.exe"},
      {"bidi isolate", "a\u2066b\u2069c\u2067d\u2068e"},
      {"backspace overwrite", "good\b\b\b\bevil"},
      {"carriage return", "innocent\rEVIL"},
      {"bell and NUL", std::string("ding\x07\x00z", 7)},
      {"invalid UTF-8", "\xff\xfe\xc0\xaf"},
      {"DEL",
       "a\x7f"
       "b"},
  };
  for (const auto& [name, payload] : attacks) {
    SCOPED_TRACE(name);
    ModelDriver d(bob());
    d.up();
    d.apply(MessageReceived{incoming("bob", "x", payload)});
    d.apply(IdentityChanged{"bob"});
    const Screen s = d.screen();
    expect_rows_fit(s);
    for (const auto& row : s.conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
    for (const auto& row : s.sidebar) EXPECT_TRUE(is_inert(row.text)) << row.text;
    EXPECT_TRUE(is_inert(s.status.text));
    EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 bob: "));
  }
}

TEST(ScreenLayout, EscapeSequencesAreVisibleAsText) {
  ModelDriver d(bob());
  d.up();
  d.apply(MessageReceived{incoming("bob", "x", "\x1b[31mred")});
  EXPECT_THAT(d.conversation_text(), HasSubstr("bob: \u241B[31mred"));
}

TEST(ScreenLayout, HostileSenderNamesAndSearchResultsAreInertToo) {
  ModelDriver d(bob());
  d.up();
  MessageData m = incoming("bob", "x", "hi");
  m.sender = "bob\x1b[2J";
  d.apply(MessageReceived{m});
  d.enter("/search \x1b");
  d.apply(SearchReady{"bob", "\x1b", {incoming("bob", "1", "a\x1b[2Jb")}});
  for (const auto& row : d.screen().conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
  d.press(KeyCode::kEscape);
  for (const auto& row : d.screen().conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
}

MessageData file_from_bob(const std::string& id, const std::string& name, std::int64_t size,
                          const std::string& caption) {
  MessageData m = incoming("bob", id, caption);
  m.is_file = true;
  m.file_name = name;
  m.file_size = size;
  return m;
}

TEST(ScreenLayout, FileMessagesShowNameSizeAndCaption) {
  ModelDriver d(bob());
  d.up();
  d.apply(HistoryLoaded{"bob",
                        {file_from_bob("1", "report.pdf", 2'100'000, "the Q3 numbers"),
                         file_from_bob("2", "photo.jpg", 999, ""), incoming("bob", "3", "[file] typed by bob")},
                        false,
                        200});
  const std::string text = d.conversation_text();
  EXPECT_THAT(text, HasSubstr("10:00 bob: [file] report.pdf (2.1 MB) \u2014 the Q3 numbers"));
  EXPECT_THAT(text, HasSubstr("10:00 bob: [file] photo.jpg (999 B) "));
  EXPECT_THAT(text, Not(HasSubstr("photo.jpg (999 B) \u2014")));
  EXPECT_THAT(text, HasSubstr("10:00 bob: [file] typed by bob")) << "a text stays a text";
  expect_rows_fit(d.screen());
}

TEST(ScreenLayout, HostileFileNamesStayOnOneInertLine) {
  ModelDriver d(bob());
  d.up();
  d.apply(MessageReceived{file_from_bob("1", "a\n10:01 alice: fake line\x1b[2J\u202Efdp.exe", 10, "")});
  const std::string text = d.conversation_text();
  EXPECT_THAT(text, HasSubstr("bob: [file] a 10:01 alice: fake line\u241B[2J"));
  for (const auto& row : d.screen().conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
  d.apply(MessageReceived{file_from_bob("2", std::string(10'000, 'n'), 10, "")});
  EXPECT_THAT(d.conversation_text(), HasSubstr("nnn\u2026 (10 B)")) << "a 10,000-byte name is cut";
  expect_rows_fit(d.screen());
}

TEST(ScreenLayout, SearchFindsFilesByName) {
  ModelDriver d(bob());
  d.up();
  d.enter("/search report");
  d.apply(SearchReady{"bob", "report", {file_from_bob("1", "report.pdf", 10, ""), incoming("bob", "2", "no")}});
  EXPECT_THAT(d.conversation_text(), HasSubstr("bob: [file] report.pdf (10 B)"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("1 message"));
}

TEST(ScreenLayout, IdentityWarningOnAMessageIsMarked) {
  ModelDriver d(bob());
  d.up();
  MessageData m = incoming("bob", "x", "trust me");
  m.identity_warning = true;
  d.apply(MessageReceived{m});
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 \u26A0 bob: trust me"));
  EXPECT_EQ(d.screen().conversation.back().style, RowStyle::kWarning);
}

}  // namespace
}  // namespace sotto::tui
