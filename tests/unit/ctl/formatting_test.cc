#include "ctl/formatting.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "ctl/failure.h"
#include "ctl/output.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

using nlohmann::json;

// 2026-11-24 12:03:04 UTC
constexpr std::int64_t kNoonMs = 1795521784000;

class CtlFormatting : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_tz_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_tz_) {
      setenv("TZ", saved_tz_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> saved_tz_;
};

json message(std::string direction, std::string sender, std::string peer, std::string text, std::string state,
             bool warning = false) {
  return {{"id", "0123456789abcdef0123456789abcdef"},
          {"peer", peer},
          {"direction", direction},
          {"sender", sender},
          {"text", text},
          {"sent_at", kNoonMs},
          {"received_at", direction == "in" ? kNoonMs + 1000 : 0},
          {"state", state},
          {"identity_warning", warning}};
}

json file_message(std::string direction, std::string name, json size, std::string caption) {
  json m = message(direction, direction == "out" ? "alice" : "bob", "bob", caption, "unread");
  m["kind"] = "file";
  m["file"] = {{"name", name}, {"size", size}, {"mime", "application/pdf"}};
  return m;
}

TEST_F(CtlFormatting, Timestamps) {
  EXPECT_EQ(format_timestamp(kNoonMs, TimeFormat::kDateMinute), "2026-11-24 12:03");
  EXPECT_EQ(format_timestamp(kNoonMs, TimeFormat::kTime), "12:03:04");
  EXPECT_EQ(format_timestamp(kNoonMs, TimeFormat::kDate), "2026-11-24");
}

TEST_F(CtlFormatting, HistoryLinesWithStateMarksAligned) {
  const json history =
      json::array({message("out", "alice", "bob", "hi", "delivered"), message("in", "bob", "bob", "hello", "read"),
                   message("out", "alice", "bob", "later", "queued")});
  EXPECT_EQ(format_messages(history, "alice", "none"),
            "[2026-11-24 12:03] alice → bob: hi ✓✓\n"
            "[2026-11-24 12:03] bob → alice: hello\n"
            "[2026-11-24 12:03] alice → bob: later … queued\n");
  const json inbox =
      json::array({message("in", "bob", "bob", "hi", "unread"), message("in", "carolyn", "carolyn", "hey", "unread")});
  EXPECT_EQ(format_messages(inbox, "alice", "none"),
            "[2026-11-24 12:03] bob → alice:     hi (new)\n"
            "[2026-11-24 12:03] carolyn → alice: hey (new)\n");
}

TEST_F(CtlFormatting, EveryStateHasAMark) {
  EXPECT_EQ(state_mark("out", "sent"), "✓");
  EXPECT_EQ(state_mark("out", "delivered"), "✓✓");
  EXPECT_EQ(state_mark("out", "read"), "✓✓ read");
  EXPECT_EQ(state_mark("out", "failed"), "✗ failed");
  EXPECT_EQ(state_mark("in", "unread"), "(new)");
  EXPECT_EQ(state_mark("in", "read"), "");
}

TEST_F(CtlFormatting, IdentityWarningIsMarkedAndExplained) {
  const std::string out =
      format_messages(json::array({message("in", "mallory", "mallory", "trust me", "unread", true)}), "alice", "");
  EXPECT_NE(out.find("trust me (new) ⚠"), std::string::npos) << out;
  EXPECT_NE(out.find("msgctl fingerprint"), std::string::npos) << out;
  EXPECT_EQ(format_messages(json::array({message("in", "bob", "bob", "hi", "unread")}), "alice", "").find("⚠"),
            std::string::npos);
}

TEST_F(CtlFormatting, HostileTextCannotDriveTheTerminal) {
  const std::string out = format_messages(json::array({message("in", "bo\x1b[2Jb", "bob",
                                                               "\x1b]0;owned\x07 and \xc2\x9b"
                                                               "31m",
                                                               "unread")}),
                                          "alice", "");
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos);
  EXPECT_EQ(out.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(out.find("\\x1b]0;owned\\x07"), std::string::npos) << out;
  EXPECT_EQ(printable("ok\xff"), "ok\xEF\xBF\xBD");
}

TEST_F(CtlFormatting, MultiLineTextIsIndentedUnderItsFirstLine) {
  const std::string out = format_messages(json::array({message("out", "al", "bo", "one\ntwo", "sent")}), "al", "");
  EXPECT_EQ(out, "[2026-11-24 12:03] al → bo: one\n                            two ✓\n");
}

TEST_F(CtlFormatting, EmptyListingsSaySo) {
  EXPECT_EQ(format_messages(json::array(), "alice", "no unread messages"), "no unread messages\n");
  EXPECT_EQ(format_contacts(json::array()), "no contacts yet\n");
}

TEST_F(CtlFormatting, FileMessagesShowNameSizeAndCaption) {
  const json history =
      json::array({file_message("in", "report.pdf", 2'100'000, "the Q3 numbers"),
                   file_message("in", "photo.jpg", 999, ""), message("in", "bob", "bob", "hi", "read")});
  EXPECT_EQ(format_messages(history, "alice", ""),
            "[2026-11-24 12:03] bob → alice: [file] report.pdf (2.1 MB) — the Q3 numbers (new)\n"
            "[2026-11-24 12:03] bob → alice: [file] photo.jpg (999 B) (new)\n"
            "[2026-11-24 12:03] bob → alice: hi\n");
  json odd = file_message("in", "", "big", "");
  EXPECT_EQ(message_text(odd), "[file] (no name) (?)");
  odd.erase("file");
  EXPECT_EQ(message_text(odd), "[file] (no name) (?)");
  EXPECT_EQ(message_text(json{{"kind", "text"}, {"text", "plain"}}), "plain");
  EXPECT_EQ(message_text(json{{"text", "no kind"}}), "no kind");
}

TEST_F(CtlFormatting, HostileFileNamesStayOnOneInertLine) {
  const std::string text = message_text(file_message("in",
                                                     "a\nb\x1b[2J\xE2\x80\xAE"
                                                     "fdp.exe" +
                                                         std::string(500, 'x'),
                                                     1, "line 1\nline 2"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xE2\x80\xAE"), std::string::npos) << text;
  EXPECT_NE(text.find("[file] a\\x0ab\\x1b[2J\\u202efdp.exe"), std::string::npos) << text;
  EXPECT_NE(text.find("x… (1 B) — line 1\nline 2"), std::string::npos) << "the caption keeps its lines: " << text;
  EXPECT_LE(terminal_columns(text.substr(0, text.find(" (1 B)"))), 7 + kMaxFileNameColumns);
}

TEST_F(CtlFormatting, FilesAreATable) {
  const json files = json::array({{{"id", "0123456789abcdef0123456789abcdef"},
                                   {"peer", "bob"},
                                   {"direction", "out"},
                                   {"name", "report.pdf"},
                                   {"size", 2'100'000},
                                   {"state", "uploading"},
                                   {"bytes", 1'050'000},
                                   {"error", ""}},
                                  {{"id", "fedcba9876543210fedcba9876543210"},
                                   {"peer", "carolyn"},
                                   {"direction", "in"},
                                   {"name", "holiday photos with a name much longer than forty columns.zip"},
                                   {"size", 0},
                                   {"state", "saved"},
                                   {"bytes", 0},
                                   {"path", "/home/alice/Downloads/x.zip"}},
                                  {{"id", "00000000000000000000000000000000"},
                                   {"peer", "bob"},
                                   {"direction", "in"},
                                   {"name", "x"},
                                   {"size", 10},
                                   {"state", "failed"},
                                   {"bytes", 3},
                                   {"error", "the relay lost the blob"}}});
  EXPECT_EQ(format_files(files, "none"),
            "ID                                DIR  PEER     NAME                                      SIZE    "
            "STATE      DONE\n"
            "0123456789abcdef0123456789abcdef  out  bob      report.pdf                                2.1 MB  "
            "uploading  50%\n"
            "fedcba9876543210fedcba9876543210  in   carolyn  holiday photos with a name much longer …  0 B     "
            "saved      100%\n"
            "00000000000000000000000000000000  in   bob      x                                         10 B    "
            "failed     30%   the relay lost the blob\n");
  EXPECT_EQ(format_files(json::array(), "no files yet"), "no files yet\n");
  EXPECT_NO_THROW(format_files(json::array({json(nullptr), 5, json::object()}), ""));
}

TEST_F(CtlFormatting, StatusIsKeyValueLines) {
  const json status = {
      {"username", "alice"},     {"logged_in", true}, {"connected", false}, {"relay", "relay.example:7443"},
      {"relay_fingerprint", ""}, {"outbox", 2},       {"unread", 5},        {"identity_fingerprint", "05ab 77cd"}};
  EXPECT_EQ(format_status(status),
            "username:           alice\n"
            "logged in:          yes\n"
            "connected:          no\n"
            "relay:              relay.example:7443\n"
            "relay fingerprint:  (not pinned yet)\n"
            "outbox:             2 queued\n"
            "unread:             5\n"
            "identity:           05ab 77cd\n");
}

TEST_F(CtlFormatting, MissingOrMistypedMembersDoNotThrow) {
  const json odd = {{"username", 42}, {"logged_in", "yes"}, {"outbox", "many"}};
  EXPECT_NO_THROW(format_status(odd));
  EXPECT_NO_THROW(format_status(json::array()));
  EXPECT_NO_THROW(format_messages(json::array({json::object(), 5, "x"}), "", ""));
  EXPECT_NO_THROW(format_contacts(json::array({json(nullptr)})));
  EXPECT_NO_THROW(format_fingerprint(json::object()));
  EXPECT_NO_THROW(format_event({"DeliveryChanged", json(nullptr)}, 0));
}

TEST_F(CtlFormatting, ContactsAreATable) {
  const json contacts = json::array({{{"username", "bob"},
                                      {"fingerprint", "1a2b 3c4d"},
                                      {"trust", "verified"},
                                      {"first_seen", kNoonMs},
                                      {"identity_changed", false}},
                                     {{"username", "carolyn"},
                                      {"fingerprint", "9f8e 7d6c"},
                                      {"trust", "untrusted"},
                                      {"first_seen", kNoonMs},
                                      {"identity_changed", true}}});
  EXPECT_EQ(format_contacts(contacts),
            "USERNAME  TRUST      FINGERPRINT  FIRST SEEN\n"
            "bob       verified   1a2b 3c4d    2026-11-24\n"
            "carolyn   untrusted  9f8e 7d6c    2026-11-24  ⚠ identity changed\n");
}

TEST_F(CtlFormatting, Online) {
  EXPECT_EQ(format_online(
                json::array({{{"username", "bob"}, {"online", true}}, {{"username", "carolyn"}, {"online", false}}})),
            "bob      online\ncarolyn  offline\n");
}

TEST_F(CtlFormatting, FingerprintShowsThreeLinesAndHowToCompare) {
  json number = {{"peer", "bob"},
                 {"safety_number", std::string(60, '1')},
                 {"grouped", ""},
                 {"lines", "12345 67890 12345 67890\n11111 22222 33333 44444\n55555 66666 77777 88888"},
                 {"trust", "trusted"}};
  std::string out = format_fingerprint(number);
  EXPECT_NE(out.find("    12345 67890 12345 67890\n    11111 22222 33333 44444\n    55555 66666 77777 88888\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("msgctl trust bob"), std::string::npos);
  EXPECT_EQ(out.find("WARNING"), std::string::npos);
  number["trust"] = "untrusted";
  out = format_fingerprint(number);
  EXPECT_EQ(out.rfind("⚠ WARNING: bob's identity key changed", 0), 0u) << out;
}

TEST_F(CtlFormatting, WatchEventsHuman) {
  const std::time_t now = kNoonMs / 1000 + 60;
  EXPECT_EQ(format_event({"MessageReceived", message("in", "alice", "alice", "hi", "unread")}, now),
            "[12:03:05] alice: hi");
  EXPECT_EQ(format_event({"DeliveryChanged",
                          {{"id", "0123456789abcdef0123456789abcdef"}, {"peer", "bob"}, {"state", "delivered"}}},
                         now),
            "[12:04:04] message 01234567 to bob: delivered ✓✓");
  EXPECT_EQ(
      format_event({"ConnectionChanged", {{"connected", false}, {"relay", "r:7443"}, {"reason", "timeout"}}}, now),
      "[12:04:04] disconnected from relay r:7443 (timeout)");
  EXPECT_EQ(format_event({"ConnectionChanged", {{"connected", true}, {"relay", "r:7443"}, {"reason", ""}}}, now),
            "[12:04:04] connected to relay r:7443");
  const std::string changed = format_event({"IdentityChanged", {{"peer", "bob"}, {"fingerprint", "aa bb"}}}, now);
  EXPECT_NE(changed.find("⚠ bob's identity key changed (now aa bb)"), std::string::npos) << changed;
  EXPECT_NE(format_event({"MessageReceived", message("in", "m", "m", "x", "unread", true)}, now).find("⚠"),
            std::string::npos);
}

TEST_F(CtlFormatting, WatchShowsFilesAndTransfers) {
  const std::time_t now = kNoonMs / 1000 + 60;
  EXPECT_EQ(format_event({"MessageReceived", file_message("in", "report.pdf", 2'100'000, "Q3")}, now),
            "[12:03:05] bob: [file] report.pdf (2.1 MB) — Q3");
  const json progress = {{"id", "0123456789abcdef0123456789abcdef"},
                         {"peer", "bob"},
                         {"direction", "out"},
                         {"name", "report.pdf"},
                         {"state", "uploading"},
                         {"bytes", 1'050'000},
                         {"size", 2'100'000}};
  EXPECT_EQ(format_event({"TransferProgress", progress}, now),
            "[12:04:04] file 01234567 report.pdf to bob: uploading 50% (1.1 MB of 2.1 MB)");
  json received = progress;
  received["direction"] = "in";
  received["state"] = "available";
  EXPECT_EQ(format_event({"FileReceived", received}, now),
            "[12:04:04] file 01234567 report.pdf from bob: available (2.1 MB); msgctl save "
            "0123456789abcdef0123456789abcdef");
  received["state"] = "saved";
  received["path"] = "/home/alice/Downloads/report.pdf";
  EXPECT_EQ(format_event({"FileReceived", received}, now),
            "[12:04:04] file 01234567 report.pdf from bob: saved (2.1 MB) → /home/alice/Downloads/report.pdf");
  received["state"] = "failed";
  received["path"] = "";
  received["error"] = "bad\x1b[0m hash";
  EXPECT_EQ(format_event({"FileReceived", received}, now),
            "[12:04:04] file 01234567 report.pdf from bob: failed (2.1 MB): bad\\x1b[0m hash");
  EXPECT_NO_THROW(format_event({"TransferProgress", json::array()}, now));
}

json group_message(std::string direction, std::string sender, json group, std::string text) {
  json m =
      message(direction, sender, "#00112233445566778899aabbccddeeff", text, direction == "out" ? "sent" : "unread");
  if (!group.is_null()) m["group"] = std::move(group);
  return m;
}

TEST_F(CtlFormatting, GroupMessagesShowTheSenderInTheGroup) {
  const json ops = {{"id", "00112233445566778899aabbccddeeff"}, {"name", "ops"}};
  const json messages =
      json::array({group_message("in", "bob", ops, "deploy?"), group_message("out", "alice", ops, "yes"),
                   message("in", "bob", "bob", "hi", "read")});
  EXPECT_EQ(format_messages(messages, "alice", ""),
            "[2026-11-24 12:03] bob in #ops:   deploy? (new)\n"
            "[2026-11-24 12:03] alice in #ops: yes ✓\n"
            "[2026-11-24 12:03] bob → alice:   hi\n");
  // Without the group's name (an old msgd, a group not known yet): its id's first 8 hex digits.
  EXPECT_EQ(message_group_label(group_message("in", "bob", nullptr, "x")), "#00112233");
  EXPECT_EQ(message_group_label(group_message("in", "bob", {{"name", ""}}, "x")), "#00112233");
  EXPECT_EQ(message_group_label(group_message("in", "bob", json::array(), "x")), "#00112233");
  EXPECT_EQ(message_group_label(message("in", "bob", "bob", "x", "read")), "");
  // A hostile group name cannot drive the terminal or reorder the line.
  EXPECT_EQ(message_group_label(group_message("in", "bob", {{"name", "o\x1b[2Jps\xe2\x80\xae"}}, "x")),
            "#o\\x1b[2Jps\\u202e");
}

TEST_F(CtlFormatting, WatchShowsGroupMessagesAndChanges) {
  const std::time_t now = kNoonMs / 1000 + 60;
  const json ops = {{"id", "00112233445566778899aabbccddeeff"}, {"name", "ops"}};
  EXPECT_EQ(format_event({"MessageReceived", group_message("in", "bob", ops, "deploy?")}, now),
            "[12:03:05] bob in #ops: deploy?");
  json changed = {{"id", "00112233445566778899aabbccddeeff"},
                  {"name", "ops"},
                  {"epoch", 2},
                  {"members", {"alice", "bob", "carol"}},
                  {"admins", {"bob"}},
                  {"status", "member"},
                  {"admin", false},
                  {"by", "bob"}};
  EXPECT_EQ(format_event({"GroupChanged", changed}, now),
            "[12:04:04] #ops (id 00112233445566778899aabbccddeeff): 3 members: alice, bob (admin), carol (changed "
            "by bob)");
  changed["status"] = "removed";
  EXPECT_EQ(format_event({"GroupChanged", changed}, now), "[12:04:04] bob removed you from #ops");
  changed["status"] = "left";
  EXPECT_EQ(format_event({"GroupChanged", changed}, now), "[12:04:04] you left #ops");
  EXPECT_NO_THROW(format_event({"GroupChanged", json::array()}, now));
}

TEST_F(CtlFormatting, LongGroupsListTheFirstMembersOnly) {
  json members = json::array();
  for (int i = 0; i < 25; ++i) members.push_back("user" + std::to_string(i));
  const std::string summary =
      format_group_summary({{"id", "00112233445566778899aabbccddeeff"}, {"name", "all"}, {"members", members}});
  EXPECT_NE(summary.find(": 25 members: user0, user1,"), std::string::npos) << summary;
  EXPECT_NE(summary.find("user19, and 5 more"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("user20"), std::string::npos) << summary;
}

TEST_F(CtlFormatting, GroupTablesTolerateOddMembers) {
  EXPECT_EQ(format_group_list(json::array()).rfind("no groups yet", 0), 0u);
  EXPECT_EQ(format_group_members(json::object()), "no members\n");
  EXPECT_NO_THROW(format_group_list(json::array({json::array(), 5, {{"members", "x"}}})));
  EXPECT_NO_THROW(format_group_members(json::array({nullptr, {{"username", 3}}})));
  EXPECT_NO_THROW(format_group_summary({{"members", {1, "bob"}}, {"admins", "bob"}}));
}

TEST_F(CtlFormatting, WatchEventsJson) {
  const api::EventMessage event{"DeliveryChanged", {{"id", "ab"}, {"peer", "bob"}, {"state", "read"}}};
  EXPECT_EQ(event_json_line(event), R"({"event":"DeliveryChanged","data":{"id":"ab","peer":"bob","state":"read"}})");
  // Whatever msgd sends, the line stays one line of valid JSON.
  const api::EventMessage odd{"Message\nReceived", {{"text", "a\nb\xff"}}};
  const std::string line = event_json_line(odd);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(line)["event"], "Message\nReceived");
}

TEST_F(CtlFormatting, JsonOutputIsOneLineAndSurvivesInvalidUtf8) {
  std::ostringstream out, err;
  Output output(out, err, true);
  output.print_json({{"text", "a\nb"}, {"bad", "\xff"}});
  EXPECT_EQ(out.str(), "{\"bad\":\"\xEF\xBF\xBD\",\"text\":\"a\\nb\"}\n");
  EXPECT_TRUE(err.str().empty());
}

TEST_F(CtlFormatting, ErrorsAsJson) {
  std::ostringstream out, err;
  Output output(out, err, true);
  report_failure(output, failure_from_api_error(api::ApiError(api::ErrorName::kUnknownPeer, "no user zed"), 10));
  EXPECT_EQ(err.str(), "msgctl: no user zed (UnknownPeer)\n");
  EXPECT_EQ(json::parse(out.str()),
            (json{{"error", {{"name", "UnknownPeer"}, {"message", "no user zed (UnknownPeer)"}}}}));
}

}  // namespace
}  // namespace sotto::ctl
