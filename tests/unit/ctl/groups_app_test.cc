// Groups and broadcast in-process: the real parser, socket client and
// commands against a real socket server scripted per test.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ctl/app.h"
#include "tests/unit/ctl/scripted_msgd.h"

namespace sotto::ctl {
// Named, not anonymous: the unity builds (ci, asan presets) compile this file
// in one unit with app_test.cc, whose anonymous namespace has a Result too.
namespace groups_app_test {

using nlohmann::json;
using testing::ScriptedMsgd;
using testing::TempDir;

const std::string kGroupId = "00112233445566778899aabbccddeeff";
const std::string kMessageId = "0123456789abcdef0123456789abcdef";

json group(const std::string& name, json members, json admins, const std::string& status = "member",
           bool admin = true) {
  return {{"id", kGroupId},   {"name", name},     {"epoch", 3},    {"members", std::move(members)},
          {"admins", admins}, {"status", status}, {"admin", admin}};
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

class CtlGroups : public ::testing::Test {
 protected:
  std::filesystem::path socket() const { return dir_.path() / "msgd.sock"; }

  Result run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"msgctl", "--socket", socket().string(), "--timeout", "5"});
    std::istringstream in(input);
    std::ostringstream out, err;
    Environment env{in,
                    out,
                    err,
                    false,
                    real_connectors(),
                    [](std::string_view) { return std::nullopt; },
                    false,
                    [] { return std::size_t{80}; }};
    const int code = run_msgctl(args, env);
    return {code, out.str(), err.str()};
  }

  TempDir dir_;
};

TEST_F(CtlGroups, EachCommandCallsItsMethod) {
  struct Case {
    std::vector<std::string> args;
    std::string method;
    json params;
    json result;
    std::string shows;
  };
  const json ops = group("ops", {"alice", "bob", "carol"}, {"alice"});
  const std::vector<Case> cases = {
      {{"group", "create", "ops", "bob", "carol"},
       "group_create",
       {{"name", "ops"}, {"members", {"bob", "carol"}}},
       ops,
       "created #ops (id " + kGroupId + "): 3 members: alice (admin), bob, carol"},
      {{"group", "create", "solo"},
       "group_create",
       {{"name", "solo"}},
       group("solo", {"alice"}, {"alice"}),
       "created #solo (id " + kGroupId + "): 1 member: alice (admin)"},
      {{"group", "add", "@ops", "dave", "erin"},
       "group_add",
       {{"group", "@ops"}, {"members", {"dave", "erin"}}},
       group("ops", {"alice", "bob", "carol", "dave", "erin"}, {"alice"}),
       "added dave, erin to #ops; 5 members now"},
      {{"group", "remove", kGroupId, "bob"},
       "group_remove",
       {{"group", kGroupId}, {"members", {"bob"}}},
       group("ops", {"alice", "carol"}, {"alice"}),
       "removed bob from #ops; 2 members now"},
      {{"group", "leave", "ops"},
       "group_leave",
       {{"group", "ops"}},
       group("ops", {"bob", "carol"}, {"bob"}, "left", false),
       "left #ops; its messages stay in your history"},
      {{"group", "rename", "@ops", "ops team"},
       "group_rename",
       {{"group", "@ops"}, {"name", "ops team"}},
       group("ops team", {"alice", "bob"}, {"alice"}),
       "renamed @ops to #ops team"},
      {{"group", "members", "@ops"},
       "group_members",
       {{"group", "@ops"}},
       json::array({{{"username", "alice"}, {"admin", true}, {"trust", "verified"}},
                    {{"username", "bob"}, {"admin", false}, {"trust", "untrusted"}}}),
       "USERNAME  ROLE    TRUST\nalice     admin   verified\nbob       member  untrusted  ⚠ identity changed\n"},
      {{"group", "list"},
       "group_list",
       json::object(),
       json::array({ops, group("old", {"bob"}, {"bob"}, "removed", false)}),
       "NAME  MEMBERS  ROLE   STATUS   ID\n"
       "ops   3        admin  member   " +
           kGroupId + "\nold   1        -      removed  " + kGroupId + "\n"},
      {{"group", "list"}, "group_list", json::object(), json::array(), "no groups yet"},
      {{"send", "@ops", "hi all"},
       "group_send",
       {{"group", "@ops"}, {"text", "hi all"}},
       {{"id", kMessageId}, {"state", "queued"}, {"group", kGroupId}},
       "message " + kMessageId + " to @ops: queued"},
      {{"broadcast", "maintenance at 6"},
       "broadcast",
       {{"text", "maintenance at 6"}, {"online_only", false}},
       {{"count", 2}, {"messages", {{{"id", kMessageId}, {"peer", "bob"}}, {{"id", kGroupId}, {"peer", "carol"}}}}},
       "queued for 2 contacts, one message each"},
      {{"broadcast", "--online", "up?"},
       "broadcast",
       {{"text", "up?"}, {"online_only", true}},
       {{"count", 1}, {"messages", {{{"id", kMessageId}, {"peer", "bob"}}}}},
       "queued for 1 contact online, one message each"},
      {{"broadcast", "--online", "up?"},
       "broadcast",
       {{"text", "up?"}, {"online_only", true}},
       {{"count", 0}, {"messages", json::array()}},
       "no contact is online: nothing sent"},
      {{"broadcast", "hi"},
       "broadcast",
       {{"text", "hi"}, {"online_only", false}},
       {{"count", 1},
        {"messages", {{{"id", kMessageId}, {"peer", "bob"}}}},
        {"skipped", {{{"peer", "mallory"}, {"reason", "identity key changed\x1b[2J"}}}}},
       "queued for 1 contact, one message each\nnot sent to mallory: identity key changed\\x1b[2J"},
      {{"history", "@ops", "--limit", "2"}, "history", {{"peer", "@ops"}, {"limit", 2}}, json::array(), "no messages"},
      {{"read", "@ops"}, "mark_read", {{"peer", "@ops"}}, {{"peer", "#" + kGroupId}, {"marked", 2}}, "marked 2"},
      {{"export", "@ops", "--format", "txt"},
       "export",
       {{"peer", "@ops"}, {"format", "txt"}},
       {{"peer", "#" + kGroupId}, {"format", "txt"}, {"content", "the group chat\n"}},
       "the group chat\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + c.args[1]);
    ScriptedMsgd msgd(socket(), [&](const std::string&, const json&) { return c.result; });
    Result r = run(c.args);
    EXPECT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(msgd.requests().size(), 1u);
    EXPECT_EQ(msgd.requests()[0]["method"], c.method);
    EXPECT_EQ(msgd.requests()[0]["params"], c.params);
    EXPECT_NE(r.out.find(c.shows), std::string::npos) << r.out;
    std::vector<std::string> with_json = c.args;
    with_json.push_back("--json");
    r = run(with_json);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), c.result);
  }
}

TEST_F(CtlGroups, SendFileHandsTheGroupToMsgdAsTyped) {
  const std::filesystem::path file = dir_.path() / "plan.txt";
  std::ofstream(file) << "the plan";
  ScriptedMsgd msgd(socket(), [](const std::string& method, const json&) -> json {
    if (method == "send_file") throw api::ApiError(api::ErrorName::kInvalidParams, "files to groups are not supported");
    return json::object();
  });
  const Result r = run({"send-file", "@ops", file.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "msgctl: files to groups are not supported (InvalidParams)\n");
  ASSERT_EQ(msgd.methods(), (std::vector<std::string>{"subscribe", "send_file"}));
  EXPECT_EQ(msgd.requests()[1]["params"]["peer"], "@ops");
}

TEST_F(CtlGroups, HistoryShowsWhoWroteInWhichGroup) {
  const json messages = json::array({
      {{"id", kMessageId},
       {"peer", "#" + kGroupId},
       {"direction", "in"},
       {"sender", "bob"},
       {"text", "deploy at 5?"},
       {"sent_at", 1795521784000},
       {"state", "read"},
       {"group", {{"id", kGroupId}, {"name", "ops"}}}},
      {{"id", kGroupId},
       {"peer", "#" + kGroupId},
       {"direction", "out"},
       {"sender", "alice"},
       {"text", "yes"},
       {"sent_at", 1795521844000},
       {"state", "delivered"},
       {"group", {{"id", kGroupId}, {"name", "ops"}}}},
  });
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    if (method == "status") return {{"username", "alice"}};
    return messages;
  });
  const Result r = run({"history", "@ops"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bob in #ops:   deploy at 5?\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alice in #ops: yes ✓✓\n"), std::string::npos) << r.out;
  EXPECT_EQ(msgd.requests()[0]["params"], json({{"peer", "@ops"}}));
}

TEST_F(CtlGroups, SendWaitToAGroupEndsWhenTheRelayHoldsIt) {
  // Group messages have no delivery receipts: "sent" is as far as they go.
  int polls = 0;
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    if (method == "group_send") return {{"id", kMessageId}, {"state", "queued"}};
    ++polls;
    return {{"id", kMessageId}, {"state", "sent"}};
  });
  const Result r = run({"send", "@ops", "hi", "--wait", "--wait-timeout", "20"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "sent to @ops ✓\n");
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"group_send", "get_message"}));
}

TEST_F(CtlGroups, BroadcastReadsStdinLikeSend) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) -> json { return {{"count", 3}}; });
  const Result r = run({"broadcast", "-"}, "line one\nline two\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(msgd.requests().size(), 1u);
  EXPECT_EQ(msgd.requests()[0]["params"]["text"], "line one\nline two");
}

TEST_F(CtlGroups, MsgdErrorsAreExitOneWithTheirName) {
  struct Case {
    std::vector<std::string> args;
    api::ErrorName error;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"group", "add", "@ops", "bob"}, api::ErrorName::kInvalidParams, "only admins can add members"},
      {{"group", "members", "@ops"},
       api::ErrorName::kInvalidParams,
       "'ops' is ambiguous: 00112233445566778899aabbccddeeff, ffeeddccbbaa99887766554433221100"},
      {{"group", "leave", "@nope"}, api::ErrorName::kNotFound, "no group 'nope'"},
      {{"group", "create", "ops", "zed"}, api::ErrorName::kUnknownPeer, "the relay has no user zed"},
      {{"send", "@ops", "hi"}, api::ErrorName::kNotLoggedIn, "register or login first"},
      {{"broadcast", "hi"}, api::ErrorName::kRelayUnavailable, "the relay cannot be reached"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + c.args[1]);
    ScriptedMsgd msgd(socket(),
                      [&](const std::string&, const json&) -> json { throw api::ApiError(c.error, c.message); });
    Result r = run(c.args);
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.rfind("msgctl: " + c.message + " (", 0), 0u) << r.err;
    std::vector<std::string> with_json = c.args;
    with_json.push_back("--json");
    r = run(with_json);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(json::parse(r.out)["error"]["message"].get<std::string>().rfind(c.message, 0), 0u);
  }
}

TEST_F(CtlGroups, HostileArgumentsAreExitTwoAndReachNoDaemon) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::object(); });
  const std::vector<std::vector<std::string>> hostile = {
      {"group", "create", "o\x1b]0;owned\x07ps"},
      {"group", "create", "spo\xe2\x80\xae"},
      {"group", "create", "ops", "b\nob"},
      {"group", "rename", "@ops", "\xe2\x80\xaegnp.exe"},
      {"group", "add", "@ops"},
      {"group", "add", "@o\x1b[2Jps", "bob"},
      {"group", "remove", "@ops", "bob", "BOB"},
      {"group", "members"},
      {"group", "frobnicate"},
      {"group"},
      {"group", "create", std::string(10 << 20, 'x')},
      {"send", "@\xe2\x80\xae", "hi"},
      {"broadcast"},
      {"broadcast", std::string(10 << 20, 'x')},
  };
  for (const auto& args : hostile) {
    SCOPED_TRACE(args.size() > 1 ? args[1] : args[0]);
    Result r = run(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("msgctl: ", 0), 0u) << r.err;
    EXPECT_LT(r.err.size(), 400u);  // the argument is not echoed back whole
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("\xe2\x80\xae"), std::string::npos) << r.err;
    std::vector<std::string> with_json = args;
    with_json.push_back("--json");
    r = run(with_json);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(json::parse(r.out)["error"]["name"], "Usage");
  }
  EXPECT_TRUE(msgd.requests().empty());
}

TEST_F(CtlGroups, HostileGroupNamesFromMsgdStayInert) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) -> json {
    return json::array({group("o\x1b[2Jps\xe2\x80\xae", {"bob\x1b[0m"}, json::array(), "member", false)});
  });
  const Result r = run({"group", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("o\\x1b[2Jps\\u202e"), std::string::npos) << r.out;
}

}  // namespace groups_app_test
}  // namespace sotto::ctl
