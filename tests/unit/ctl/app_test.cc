// msgctl's commands end to end in-process: the real parser, the real socket
// client and transport choice, against a real socket server scripted per test.

#include "ctl/app.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/unit/ctl/scripted_msgd.h"

namespace sotto::ctl {
namespace {

using nlohmann::json;
using testing::ScriptedMsgd;
using testing::TempDir;

const std::string kId = "0123456789abcdef0123456789abcdef";

json sample_message(const std::string& direction, const std::string& state) {
  return {{"id", kId},
          {"peer", "bob"},
          {"direction", direction},
          {"sender", direction == "out" ? "alice" : "bob"},
          {"text", direction == "out" ? "hi bob" : "hi alice"},
          {"sent_at", 1795521784000},
          {"received_at", 0},
          {"state", state},
          {"identity_warning", false}};
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

class CtlApp : public ::testing::Test {
 protected:
  std::filesystem::path socket() const { return dir_.path() / "msgd.sock"; }

  Result run(std::vector<std::string> args, const std::string& input = "", bool terminal = false) {
    args.insert(args.begin(), "msgctl");
    std::istringstream in(input);
    std::ostringstream out, err;
    Environment env{
        in, out, err, terminal, real_connectors(), prompt_, stdout_terminal_, [] { return std::size_t{80}; }};
    const int code = run_msgctl(args, env);
    return {code, out.str(), err.str()};
  }
  Result run_on_socket(std::vector<std::string> args, const std::string& input = "", bool terminal = false) {
    args.insert(args.begin(), {"--socket", socket().string(), "--timeout", "5"});
    return run(std::move(args), input, terminal);
  }

  TempDir dir_;
  std::function<std::optional<std::string>(std::string_view)> prompt_ = [](std::string_view) {
    return std::optional<std::string>();
  };
  bool stdout_terminal_ = false;
};

TEST_F(CtlApp, StatusHuman) {
  ScriptedMsgd msgd(socket(), [](const std::string& method, const json&) -> json {
    EXPECT_EQ(method, "status");
    return {{"username", "alice"},          {"logged_in", true}, {"connected", true}, {"relay", "r:7443"},
            {"relay_fingerprint", "ab:cd"}, {"outbox", 0},       {"unread", 1},       {"identity_fingerprint", "05ab"}};
  });
  const Result r = run_on_socket({"status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("username:           alice\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unread:             1\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(CtlApp, StatusJsonIsTheResultObject) {
  const json status = {{"username", ""},    {"logged_in", false},        {"connected", false},
                       {"relay", "r:7443"}, {"relay_fingerprint", ""},   {"outbox", 0},
                       {"unread", 0},       {"identity_fingerprint", ""}};
  ScriptedMsgd msgd(socket(), [&](const std::string&, const json&) { return status; });
  const Result r = run_on_socket({"status", "--json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out), status);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST_F(CtlApp, DaemonErrorIsExitOneWithItsName) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) -> json {
    throw api::ApiError(api::ErrorName::kNotLoggedIn, "register or login first");
  });
  Result r = run_on_socket({"inbox"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "msgctl: register or login first (NotLoggedIn)\n");
  EXPECT_TRUE(r.out.empty());
  r = run_on_socket({"--json", "inbox"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(json::parse(r.out)["error"]["name"], "NotLoggedIn");
}

TEST_F(CtlApp, NobodyListeningIsExitThreeNamingTheSocket) {
  Result r = run_on_socket({"status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, "msgctl: msgd is not running (no answer on " + socket().string() +
                       "). Start it with `msgd` or `systemctl --user start msgd`.\n");
  r = run_on_socket({"status", "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(json::parse(r.out)["error"]["name"], "Unreachable");
}

TEST_F(CtlApp, UsageErrorsAreExitTwoAndReachNoDaemon) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::object(); });
  Result r = run_on_socket({"sendd", "bob", "hi"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("msgctl: "), std::string::npos);
  EXPECT_NE(r.err.find("--help"), std::string::npos);
  r = run_on_socket({"--json", "send", "", "hi"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(json::parse(r.out)["error"]["name"], "Usage");
  EXPECT_TRUE(msgd.requests().empty());
}

TEST_F(CtlApp, EachCommandCallsItsMethod) {
  struct Case {
    std::vector<std::string> args;
    std::string method;
    json params;
    json result;
    std::string shows;
  };
  const std::vector<Case> cases = {
      {{"logout"}, "logout", json::object(), json::object(), "logged out"},
      {{"send", "bob", "hi"},
       "send",
       {{"peer", "bob"}, {"text", "hi"}},
       {{"id", kId}, {"state", "queued"}},
       "message " + kId + " to bob: queued"},
      {{"history", "bob", "--limit", "5", "--before", kId},
       "history",
       {{"peer", "bob"}, {"limit", 5}, {"before", kId}},
       json::array({sample_message("out", "delivered")}),
       "alice → bob: hi bob ✓✓"},
      {{"inbox"}, "inbox", json::object(), json::array(), "no unread messages"},
      {{"read", "bob"},
       "mark_read",
       {{"peer", "bob"}},
       {{"peer", "bob"}, {"marked", 3}},
       "marked 3 messages from bob as read"},
      {{"online", "bob", "carol"},
       "online",
       {{"peers", {"bob", "carol"}}},
       json::array({{{"username", "bob"}, {"online", true}}, {{"username", "carol"}, {"online", false}}}),
       "carol  offline"},
      {{"online"}, "online", json::object(), json::array(), "no contacts"},
      {{"contacts"}, "contacts", json::object(), json::array(), "no contacts yet"},
      {{"fingerprint", "bob"},
       "fingerprint",
       {{"peer", "bob"}},
       {{"peer", "bob"}, {"lines", "1 2 3 4\n5 6 7 8\n9 0 1 2"}, {"trust", "trusted"}},
       "    5 6 7 8\n"},
      {{"trust", "bob"},
       "verify",
       {{"peer", "bob"}},
       {{"username", "bob"}, {"trust", "verified"}, {"fingerprint", "aa bb"}},
       "bob is now verified"},
      {{"export", "bob", "--format", "txt"},
       "export",
       {{"peer", "bob"}, {"format", "txt"}},
       {{"peer", "bob"}, {"format", "txt"}, {"content", "the whole chat\n"}},
       "the whole chat\n"},
      {{"relay", "forget"},
       "relay_forget",
       json::object(),
       {{"relay", "r:7443"}, {"forgotten", "ab:cd"}},
       "forgot the pinned certificate ab:cd of relay r:7443"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    ScriptedMsgd msgd(socket(), [&](const std::string&, const json&) { return c.result; });
    Result r = run_on_socket(c.args);
    EXPECT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(msgd.requests().size(), 1u);
    EXPECT_EQ(msgd.requests()[0]["method"], c.method);
    EXPECT_EQ(msgd.requests()[0]["params"], c.params);
    EXPECT_NE(r.out.find(c.shows), std::string::npos) << r.out;
    // --json prints exactly the result.
    std::vector<std::string> with_json = c.args;
    with_json.push_back("--json");
    r = run_on_socket(with_json);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), c.result);
  }
}

TEST_F(CtlApp, HistoryAsksForOurNameOnlyWhenAMessageIsIncoming) {
  ScriptedMsgd msgd(socket(), [](const std::string& method, const json&) -> json {
    if (method == "status") return {{"username", "alice"}};
    return json::array({sample_message("out", "read"), sample_message("in", "unread")});
  });
  const Result r = run_on_socket({"history", "bob"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"history", "status"}));
  EXPECT_NE(r.out.find("bob → alice: hi alice (new)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alice → bob: hi bob ✓✓ read"), std::string::npos) << r.out;
}

TEST_F(CtlApp, SendReadsStdinWithoutItsLastNewline) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json{{"id", kId}, {"state", "queued"}}; });
  const Result r = run_on_socket({"send", "bob", "-"}, "line one\nline two\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(msgd.requests().size(), 1u);
  EXPECT_EQ(msgd.requests()[0]["params"]["text"], "line one\nline two");
}

TEST_F(CtlApp, SendRefusesOversizedOrEmptyStdin) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json{{"id", kId}, {"state", "queued"}}; });
  Result r = run_on_socket({"send", "bob", "-"}, std::string(64 * 1024 + 2, 'x'));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("longer than 64 KiB"), std::string::npos) << r.err;
  r = run_on_socket({"send", "bob", "-"}, "");
  EXPECT_EQ(r.code, 2);
  r = run_on_socket({"send", "bob", "-"}, "\xff\xfe");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(msgd.requests().empty());
  r = run_on_socket({"send", "bob", "-"}, std::string(64 * 1024, 'x') + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(CtlApp, SendWaitPollsUntilDelivered) {
  int polls = 0;
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json& params) -> json {
    if (method == "send") return {{"id", kId}, {"state", "queued"}};
    EXPECT_EQ(params, (json{{"id", kId}}));
    return sample_message("out", ++polls < 3 ? "sent" : "delivered");
  });
  const Result r = run_on_socket({"send", "bob", "hi", "--wait", "--wait-timeout", "10"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(polls, 3);
  EXPECT_EQ(r.out, "delivered to bob ✓✓\n");
}

TEST_F(CtlApp, SendWaitGivesUpWithExitFour) {
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    if (method == "send") return {{"id", kId}, {"state", "queued"}};
    return sample_message("out", "sent");
  });
  const auto start = std::chrono::steady_clock::now();
  Result r = run_on_socket({"send", "bob", "hi", "--wait", "--wait-timeout", "0.5"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "msgctl: not delivered within 0.5 s (still sent; it will be delivered later)\n");
  r = run_on_socket({"--json", "send", "bob", "hi", "--wait", "--wait-timeout", "0.2"});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(json::parse(r.out)["error"]["name"], "NotDelivered");
}

TEST_F(CtlApp, SendWaitReportsAFailedMessage) {
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    if (method == "send") return {{"id", kId}, {"state", "queued"}};
    return sample_message("out", "failed");
  });
  const Result r = run_on_socket({"send", "bob", "hi", "--wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("failed"), std::string::npos);
}

TEST_F(CtlApp, PasswordFromStdinGoesToMsgdAndNowhereElse) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) {
    return json{{"username", "alice"}, {"identity_fingerprint", "05ab"}};
  });
  Result r = run_on_socket({"register", "alice", "--invite", "INV", "--password-stdin"}, "correct horse\nrest\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(msgd.requests().size(), 1u);
  EXPECT_EQ(msgd.requests()[0]["params"],
            (json{{"username", "alice"}, {"password", "correct horse"}, {"invite", "INV"}}));
  EXPECT_EQ(r.out.find("horse"), std::string::npos);
  EXPECT_EQ(r.err.find("horse"), std::string::npos);
  r = run_on_socket({"login", "alice", "--password-stdin"}, "pw\r\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.requests()[1]["params"], (json{{"username", "alice"}, {"password", "pw"}}));
  EXPECT_NE(r.out.find("logged in as alice"), std::string::npos);
}

TEST_F(CtlApp, NoTerminalAndNoPasswordStdinIsAUsageError) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::object(); });
  for (const std::string command : {"login", "register"}) {
    const Result r = run_on_socket({command, "alice"}, "pw\n", /*terminal=*/false);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--password-stdin"), std::string::npos) << r.err;
  }
  EXPECT_EQ(run_on_socket({"login", "alice", "--password-stdin"}, "").code, 2);
  EXPECT_EQ(run_on_socket({"login", "alice", "--password-stdin"}, "\n").code, 2);
  EXPECT_EQ(run_on_socket({"login", "alice", "--password-stdin"}, std::string(70000, 'p') + "\n").code, 2);
  EXPECT_TRUE(msgd.requests().empty());
}

TEST_F(CtlApp, RegisterOnATerminalAsksTwiceAndCompares) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) {
    return json{{"username", "alice"}, {"identity_fingerprint", "05ab"}};
  });
  std::vector<std::string> prompts;
  std::vector<std::string> answers = {"secret", "secret"};
  prompt_ = [&](std::string_view prompt) -> std::optional<std::string> {
    prompts.emplace_back(prompt);
    const std::string answer = answers.front();
    answers.erase(answers.begin());
    return answer;
  };
  Result r = run_on_socket({"register", "alice"}, "", /*terminal=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(prompts, (std::vector<std::string>{"Password: ", "Repeat the password: "}));
  EXPECT_EQ(msgd.requests().at(0)["params"]["password"], "secret");

  answers = {"secret", "secreT"};
  r = run_on_socket({"register", "alice"}, "", /*terminal=*/true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("differ"), std::string::npos);
  EXPECT_EQ(msgd.requests().size(), 1u);

  prompts.clear();
  answers = {"pw"};
  r = run_on_socket({"login", "alice"}, "", /*terminal=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(prompts, (std::vector<std::string>{"Password: "}));
}

TEST_F(CtlApp, ExportToAFileIsPrivateAndNeverOverwritesByAccident) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) {
    return json{{"peer", "bob"}, {"format", "json"}, {"content", "[1,2,3]"}};
  });
  const std::filesystem::path file = dir_.path() / "bob.json";
  Result r = run_on_socket({"export", "bob", "--format", "json", "--output", file.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "[1,2,3]");

  {
    std::ofstream replace(file);
    replace << "mine";
  }
  r = run_on_socket({"export", "bob", "--format", "json", "--output", file.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(msgd.requests().size(), 1u);  // refused before asking msgd
  std::ifstream kept(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "mine");

  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  r = run_on_socket({"export", "bob", "--format", "json", "--output", file.string(), "--force"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream replaced(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(replaced), {}), "[1,2,3]");
  // No temporary files are left next to it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), 2);  // the socket and the file
}

TEST_F(CtlApp, FailedExportLeavesNoFile) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) -> json {
    throw api::ApiError(api::ErrorName::kNotFound, "no conversation with bob");
  });
  const std::filesystem::path file = dir_.path() / "bob.txt";
  const Result r = run_on_socket({"export", "bob", "--format", "txt", "--output", file.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(std::filesystem::exists(file));
}

// With a session bus announced that has no msgd, msgctl falls back to the
// default socket and names both in its message when neither answers.
TEST_F(CtlApp, AutoTransportFallsBackFromTheBusToTheDefaultSocket) {
  const std::filesystem::path runtime = dir_.path() / "runtime";
  std::filesystem::create_directories(runtime / "sotto");
  setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
  setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (dir_.path() / "no-bus").string()).c_str(), 1);

  Result r = run({"--timeout", "2", "status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no answer on the session bus or " + (runtime / "sotto/msgd.sock").string()), std::string::npos)
      << r.err;

  ScriptedMsgd msgd(runtime / "sotto/msgd.sock", [](const std::string&, const json&) {
    return json{{"username", "alice"}};
  });
  r = run({"--timeout", "2", "status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"status"}));
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

TEST_F(CtlApp, BusOnlyWithoutABusIsUnreachable) {
  setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (dir_.path() / "no-bus").string()).c_str(), 1);
  const Result r = run({"--bus", "--timeout", "2", "status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no answer on the session bus)"), std::string::npos) << r.err;
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

}  // namespace
}  // namespace sotto::ctl
