// msg-tui end to end: a real relayd, alice's and bob's real msgd (alice's on
// a private dbus-daemon session bus), and alice's real msg-tui running in a
// real terminal (a tmux window of the test's own). The test types into the
// terminal with tmux send-keys and reads what msg-tui drew with capture-pane.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/frontends/msg_tui_fixture.h"

namespace sotto::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

bool has(const std::string& screen, const std::string& needle) { return screen.find(needle) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& screen) {
  std::vector<std::string> out;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Columns a captured line takes (every character here is 1 column but the
// CJK ones we do not send in these tests).
std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

TEST_F(MsgTuiTest, AliceTypesBobReadsBobRepliesAliceSeesItLive) {
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));

  tui.type("hi bob, typed in msg-tui");
  tui.press("Enter");
  ASSERT_TRUE(eventually([&] {
    const auto c = conversation("bob", "alice");
    return std::find(c.begin(), c.end(), std::pair<std::string, std::string>{"alice", "hi bob, typed in msg-tui"}) !=
           c.end();
  }));
  // bob's msgd confirms delivery: the row gets its two ticks.
  EXPECT_TRUE(tui.wait_for_text("hi bob, typed in msg-tui \u2713\u2713"));

  // How fast is bench/run-tui-bench's to measure; here only that it comes
  // live, without a key pressed.
  call("bob", "send", {{"peer", "alice"}, {"text", "bob answers live"}});
  ASSERT_TRUE(tui.wait_for_text("bob: bob answers live", std::chrono::seconds(10)));
  // Newest at the bottom: the reply is below alice's message.
  const std::string screen = tui.screen();
  EXPECT_LT(screen.find("typed in msg-tui"), screen.find("bob answers live"));
}

// /file sends a file to the open conversation; a file bob sends shows as
// "[file] NAME (SIZE)" and /save writes the newest one to ~/Downloads.
TEST_F(MsgTuiTest, FileSendsAndSaveWritesToTheDownloadFolder) {
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  const auto outgoing = dir_ / "plan.txt";
  std::ofstream(outgoing) << "the plan, from alice";
  tui.type("/file " + outgoing.string());
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("[file] plan.txt"));
  ASSERT_TRUE(eventually([&] {
    const json files = call("bob", "list_files");
    return files.size() == 1 && files[0].at("state") == "downloaded";
  }));
  std::ifstream got(call("bob", "list_files")[0].at("path").get<std::string>());
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(got), {}), "the plan, from alice");

  const auto incoming = dir_ / "notes.txt";
  std::ofstream(incoming) << "bob's notes";
  call("bob", "send_file", {{"peer", "alice"}, {"path", incoming.string()}, {"caption", ""}});
  ASSERT_TRUE(tui.wait_for_text("[file] notes.txt"));
  ASSERT_TRUE(eventually([&] {
    for (const auto& f : call("alice", "list_files")) {
      if (f.at("name") == "notes.txt" && f.at("state") == "downloaded") return true;
    }
    return false;
  }));
  tui.type("/save");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("saved notes.txt"));
  std::ifstream saved(dir_ / "Downloads" / "notes.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(saved), {}), "bob's notes");
}

TEST_F(MsgTuiTest, ResizingRedrawsForTheNewSize) {
  TmuxSession& tui = start_tui(true, 100, 30);
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice"));
  EXPECT_TRUE(has(tui.screen(), "\u2502"));  // the conversation list's border

  tui.resize(50, 12);
  std::string screen;
  ASSERT_TRUE(tui.wait_for([](const std::string& s) { return !has(s, "\u2502") && has(s, "bob: hello alice"); },
                           std::chrono::seconds(10), &screen));
  const auto lines = lines_of(screen);
  EXPECT_EQ(lines.size(), 12u);
  for (const auto& line : lines) EXPECT_LE(code_points(line), 50u) << line;

  tui.resize(120, 40);
  ASSERT_TRUE(tui.wait_for([](const std::string& s) { return has(s, "\u2502") && has(s, "bob: hello alice"); },
                           std::chrono::seconds(10), &screen));
  EXPECT_EQ(lines_of(screen).size(), 40u);
}

TEST_F(MsgTuiTest, MsgdRestartedUnderItReconnectsAndKeepsWhatWasTyped) {
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  user("alice").kill9();
  ASSERT_TRUE(tui.wait_for_text("msgd is not running"));
  EXPECT_TRUE(has(tui.screen(), "systemctl --user start msgd"));

  tui.type("typed while msgd was down");
  tui.press("Enter");  // refused: the text stays
  ASSERT_TRUE(tui.wait_for_text("not sent"));
  EXPECT_TRUE(has(tui.screen(), "\u203A typed while msgd was down"));

  user("alice").start();
  ASSERT_TRUE(tui.wait_for_text("msgd is back: Enter sends what you typed"));
  EXPECT_FALSE(has(tui.screen(), "Start it with"));
  EXPECT_TRUE(has(tui.screen(), "typed while msgd was down"));
  tui.press("Enter");
  ASSERT_TRUE(eventually([&] {
    for (const auto& [sender, text] : conversation("bob", "alice")) {
      if (text == "typed while msgd was down") return true;
    }
    return false;
  }));
}

TEST_F(MsgTuiTest, StartsWithoutMsgdAndConnectsWhenItComesUp) {
  user("alice").kill9();
  TmuxSession& tui = start_tui(/*over_bus=*/false);
  ASSERT_TRUE(tui.wait_for_text("msgd is not running"));
  tui.type("draft");
  user("alice").start();
  ASSERT_TRUE(ready());
  EXPECT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));
  EXPECT_TRUE(has(tui.screen(), "\u203A draft"));
}

// A hostile peer's terminal tricks arrive as text: nothing moves, clears,
// retitles or recolours alice's terminal. Over the socket, so that the other
// transport is covered too.
TEST_F(MsgTuiTest, EscapeSequencesFromAPeerAreShownInert) {
  TmuxSession& tui = start_tui(/*over_bus=*/false);
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));
  const std::string title_before = tui.format("#{pane_title}");

  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"\x1b]2;PWNED-TITLE\x07"
       "t1",
       "\u241B]2;PWNED-TITLE\u2407t1"},
      {"\x1b[2J\x1b[H"
       "t2",
       "\u241B[2J\u241B[Ht2"},
      {"\x1b[31;1mred t3", "\u241B[31;1mred t3"},
      {"\u009b"
       "31mt4",
       "\uFFFD31mt4"},
      {"abc\u202E"
       "cba t5",
       "abc\uFFFDcba t5"},
      {"over\rWRITE t6", "over\u240DWRITE t6"},
      {"bs\b\b\bt7", "bs\u2408\u2408\u2408t7"},
  };
  for (const auto& [payload, shown] : attacks) {
    call("bob", "send", {{"peer", "alice"}, {"text", payload}});
    ASSERT_TRUE(tui.wait_for_text("bob: " + shown)) << shown;
  }
  const std::string screen = tui.screen();
  // The earlier rows are still there: nothing cleared the screen.
  EXPECT_TRUE(has(screen, "bob: hello alice, it is bob"));
  EXPECT_EQ(tui.format("#{pane_title}"), title_before);
  // No red appeared: the only colours are msg-tui's own (none is red text).
  EXPECT_THAT(tui.screen_with_attributes(), Not(HasSubstr("\x1b[31m")));
  EXPECT_TRUE(tui.program_running());
}

TEST_F(MsgTuiTest, FingerprintTrustSearchAndExportWorkForReal) {
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));

  tui.type("/fingerprint");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("Safety number with bob"));
  const json number = call("alice", "fingerprint", {{"peer", "bob"}});
  for (const auto& line : lines_of(number.at("lines").get<std::string>())) {
    EXPECT_TRUE(has(tui.screen(), line)) << line;
  }
  tui.press("Escape");

  tui.type("/trust");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("bob is now verified"));
  EXPECT_TRUE(eventually([&] {
    for (const auto& c : call("alice", "contacts")) {
      if (c.at("username") == "bob") return c.at("trust") == "verified";
    }
    return false;
  }));

  tui.type("/search IT IS BOB");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("1 message"));
  EXPECT_TRUE(has(tui.screen(), "bob: hello alice, it is bob"));
  tui.press("Escape");

  const std::filesystem::path file = dir_ / "conversation.json";
  tui.type("/export " + file.string());
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("exported the conversation with bob"));
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_THAT(content.str(), HasSubstr("hello alice, it is bob"));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  tui.type("/file /etc/hostname");
  tui.press("Enter");
  EXPECT_TRUE(tui.wait_for_text("sending hostname to bob"));

  tui.type("/quit");
  tui.press("Enter");
  EXPECT_TRUE(eventually([&] { return !tui.program_running(); }, std::chrono::seconds(10)));
}

// Groups: alice's msg-tui next to bob's and carol's msgd, over the same relay.
class MsgTuiGroupTest : public MsgTuiTest {
 protected:
  // Waits until the user's msgd lists the group with this name (at any epoch).
  bool knows_group(const std::string& name, const std::string& group_name) {
    return eventually([&] {
      for (const auto& g : call(name, "group_list")) {
        if (g.at("name") == group_name) return true;
      }
      return false;
    });
  }

  bool in_group_history(const std::string& name, const std::string& group_name, const std::string& sender,
                        const std::string& text) {
    return eventually([&] {
      const auto c = conversation(name, "@" + group_name);
      return std::find(c.begin(), c.end(), std::pair<std::string, std::string>{sender, text}) != c.end();
    });
  }
};

// A group nobody has written in yet is in the list (group_list at start);
// bob's message counts as unread there; alice opens it, reads it with bob's
// name, and what she types reaches carol as hers, in the group.
TEST_F(MsgTuiGroupTest, AGroupWithoutMessagesIsListedAndItsMessagesGoBothWays) {
  registered_user("carol");
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "ops"));
  ASSERT_TRUE(knows_group("carol", "ops"));

  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));
  ASSERT_TRUE(tui.wait_for_text("#ops"));

  call("bob", "group_send", {{"group", "ops"}, {"text", "deploy at five?"}});
  ASSERT_TRUE(tui.wait_for_text("#ops (1)"));
  EXPECT_FALSE(has(tui.screen(), "deploy at five?")) << "bob's own conversation is the open one";

  tui.type("/open #ops");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("bob: deploy at five?"));
  EXPECT_TRUE(has(tui.screen(), "#ops \u00B7 3 members"));
  EXPECT_FALSE(has(tui.screen(), "#ops (1)")) << "opened: read";

  tui.type("five is fine, from msg-tui");
  tui.press("Enter");
  ASSERT_TRUE(in_group_history("carol", "ops", "alice", "five is fine, from msg-tui"));
  EXPECT_TRUE(in_group_history("bob", "ops", "alice", "five is fine, from msg-tui"));
  // Sent: the relay holds it for every member (group messages have no delivery receipts).
  EXPECT_TRUE(tui.wait_for_text("alice: five is fine, from msg-tui \u2713"));
  // And carol's answer shows live in the open group, with her name.
  call("carol", "group_send", {{"group", "ops"}, {"text", "see you there"}});
  EXPECT_TRUE(tui.wait_for_text("carol: see you there"));
}

// GroupChanged on screen: a group bob makes with alice appears, a rename
// relabels it, and once bob removes her it is read only.
TEST_F(MsgTuiGroupTest, BobsChangesToAGroupShowOnAlicesScreen) {
  registered_user("carol");
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice, it is bob"));

  call("bob", "group_create", {{"name", "dev"}, {"members", {"alice", "carol"}}});
  ASSERT_TRUE(tui.wait_for_text("bob added you to #dev with carol"));
  tui.type("/open #dev");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("#dev \u00B7 3 members"));

  call("bob", "group_rename", {{"group", "dev"}, {"name", "devs"}});
  ASSERT_TRUE(tui.wait_for_text("bob renamed #dev to #devs"));
  call("bob", "group_remove", {{"group", "devs"}, {"members", {"carol"}}});
  ASSERT_TRUE(tui.wait_for_text("bob removed carol"));
  EXPECT_TRUE(has(tui.screen(), "#devs \u00B7 2 members"));

  call("bob", "group_remove", {{"group", "devs"}, {"members", {"alice"}}});
  ASSERT_TRUE(tui.wait_for_text("you were removed from #devs by bob"));
  EXPECT_TRUE(has(tui.screen(), "#devs (removed)"));
  tui.type("am I still here?");
  tui.press("Enter");
  ASSERT_TRUE(tui.wait_for_text("you are no longer in #devs"));
  EXPECT_TRUE(has(tui.screen(), "\u203A am I still here?")) << "the text stays in the input line";
}

}  // namespace
}  // namespace sotto::testing
