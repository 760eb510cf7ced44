#include "ctl/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ctl/command_table.h"

namespace sotto::ctl {
namespace {

ParseResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "msgctl");
  return parse_command_line(args);
}

Invocation expect_command(const std::vector<std::string>& args, std::string_view name) {
  ParseResult result = parse(args);
  if (const auto* failure = std::get_if<ParseFailure>(&result)) {
    ADD_FAILURE() << "unexpected usage error: " << failure->message;
    return {};
  }
  EXPECT_TRUE(std::holds_alternative<Invocation>(result));
  if (!std::holds_alternative<Invocation>(result)) return {};
  Invocation invocation = std::get<Invocation>(result);
  EXPECT_NE(invocation.command, nullptr);
  if (invocation.command != nullptr) {
    EXPECT_EQ(invocation.command->name, name);
  }
  return invocation;
}

std::string expect_usage_error(const std::vector<std::string>& args) {
  ParseResult result = parse(args);
  const auto* failure = std::get_if<ParseFailure>(&result);
  EXPECT_NE(failure, nullptr) << "accepted: " << (args.empty() ? "" : args[0]);
  if (failure == nullptr) return "";
  EXPECT_FALSE(failure->message.empty());
  return failure->message;
}

TEST(CtlParser, EveryCommandInTheTableParses) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"register", "alice"}, "register"},
      {{"login", "alice"}, "login"},
      {{"logout"}, "logout"},
      {{"status"}, "status"},
      {{"send", "bob", "hi"}, "send"},
      {{"send-file", "bob", "report.pdf"}, "send-file"},
      {{"history", "bob"}, "history"},
      {{"inbox"}, "inbox"},
      {{"read", "bob"}, "read"},
      {{"files"}, "files"},
      {{"save", "0123456789abcdef0123456789abcdef"}, "save"},
      {{"cancel", "0123456789abcdef0123456789abcdef"}, "cancel"},
      {{"watch"}, "watch"},
      {{"online"}, "online"},
      {{"contacts"}, "contacts"},
      {{"fingerprint", "bob"}, "fingerprint"},
      {{"trust", "bob"}, "trust"},
      {{"export", "bob", "--format", "txt"}, "export"},
      {{"relay", "forget"}, "forget"},
      {{"broadcast", "hi all"}, "broadcast"},
      {{"group", "create", "ops"}, "create"},
      {{"group", "add", "@ops", "bob"}, "add"},
      {{"group", "remove", "ops", "bob"}, "remove"},
      {{"group", "leave", "@ops"}, "leave"},
      {{"group", "list"}, "list"},
      {{"group", "members", "@ops"}, "members"},
      {{"group", "rename", "@ops", "ops team"}, "rename"},
  };
  EXPECT_EQ(cases.size(), command_table().size());
  for (const auto& [args, name] : cases) {
    SCOPED_TRACE(args[0]);
    const Invocation invocation = expect_command(args, name);
    EXPECT_FALSE(invocation.global.json);
    EXPECT_DOUBLE_EQ(invocation.global.timeout_seconds, 10);
  }
}

TEST(CtlParser, RegisterTakesUserInviteAndPasswordStdin) {
  const Invocation i = expect_command({"register", "alice", "--invite", "XYZ-123", "--password-stdin"}, "register");
  EXPECT_EQ(i.args.user, "alice");
  EXPECT_EQ(i.args.invite, "XYZ-123");
  EXPECT_TRUE(i.args.password_stdin);
}

TEST(CtlParser, PasswordIsNeverAnOption) {
  expect_usage_error({"login", "alice", "--password", "secret"});
  expect_usage_error({"login", "alice", "secret"});
}

TEST(CtlParser, SendOptions) {
  Invocation i = expect_command({"send", "bob", "hello there"}, "send");
  EXPECT_EQ(i.args.peer, "bob");
  EXPECT_EQ(i.args.text, "hello there");
  EXPECT_FALSE(i.args.wait);
  EXPECT_DOUBLE_EQ(i.args.wait_timeout_seconds, 30);

  i = expect_command({"send", "bob", "-", "--wait", "--wait-timeout", "2.5"}, "send");
  EXPECT_EQ(i.args.text, "-");
  EXPECT_TRUE(i.args.wait);
  EXPECT_DOUBLE_EQ(i.args.wait_timeout_seconds, 2.5);

  i = expect_command({"send", "bob", "line one\nline two\ttab"}, "send");
  EXPECT_EQ(i.args.text, "line one\nline two\ttab");
}

TEST(CtlParser, SendRefusesBadValues) {
  EXPECT_NE(expect_usage_error({"send", "bob"}).find("TEXT"), std::string::npos);
  expect_usage_error({"send"});
  expect_usage_error({"send", "bob", ""});
  expect_usage_error({"send", "bob", "hi", "--wait-timeout", "5"});  // needs --wait
  expect_usage_error({"send", "bob", "hi", "--wait", "--wait-timeout", "0"});
  expect_usage_error({"send", "bob", "hi", "--wait", "--wait-timeout", "-3"});
  expect_usage_error({"send", "bob", "hi", "--wait", "--wait-timeout", "nan"});
  expect_usage_error({"send", "bob", "hi", "--wait", "--wait-timeout", "inf"});
  expect_usage_error({"send", "bob", "hi", "--wait", "--wait-timeout", "soon"});
  expect_usage_error({"send", "bob", "hi", "extra"});
  expect_usage_error({"send", "bob", "\xff\xfe not utf-8"});
}

TEST(CtlParser, HistoryOptions) {
  const Invocation i =
      expect_command({"history", "bob", "--limit", "20", "--before", "0123456789abcdef0123456789ABCDEF"}, "history");
  EXPECT_EQ(i.args.limit, 20);
  EXPECT_EQ(i.args.before, "0123456789abcdef0123456789ABCDEF");
  EXPECT_EQ(expect_command({"history", "bob"}, "history").args.limit, 0);
  expect_usage_error({"history", "bob", "--limit", "0"});
  expect_usage_error({"history", "bob", "--limit", "1001"});
  expect_usage_error({"history", "bob", "--limit", "many"});
  expect_usage_error({"history", "bob", "--before", "abc"});
  expect_usage_error({"history", "bob", "--before", "zz23456789abcdef0123456789abcdef"});
  expect_usage_error({"history"});
}

TEST(CtlParser, OnlineTakesAnyNumberOfPeers) {
  EXPECT_TRUE(expect_command({"online"}, "online").args.peers.empty());
  EXPECT_EQ(expect_command({"online", "bob", "carol"}, "online").args.peers,
            (std::vector<std::string>{"bob", "carol"}));
  expect_usage_error({"online", "bob", ""});
  expect_usage_error({"online", "bo\x1b[31mb"});
}

TEST(CtlParser, ExportOptions) {
  Invocation i = expect_command({"export", "bob", "--format", "json", "--output", "/tmp/x.json", "--force"}, "export");
  EXPECT_EQ(i.args.format, "json");
  EXPECT_EQ(i.args.output_file, "/tmp/x.json");
  EXPECT_TRUE(i.args.force);
  expect_usage_error({"export", "bob"});                                // --format is required
  expect_usage_error({"export", "bob", "--format", "pdf"});             // not txt|json
  expect_usage_error({"export", "bob", "--format", "txt", "--force"});  // --force needs --output
  expect_usage_error({"export", "bob", "--format", "txt", "--output", ""});
}

const std::string kFileId = "0123456789abcdef0123456789abcdef";

TEST(CtlParser, SendFileOptions) {
  Invocation i = expect_command({"send-file", "bob", "report.pdf"}, "send-file");
  EXPECT_EQ(i.args.peer, "bob");
  EXPECT_EQ(i.args.file, "report.pdf");
  EXPECT_EQ(i.args.caption, "");
  EXPECT_FALSE(i.args.wait);
  i = expect_command(
      {"send-file", "bob", "/tmp/a b.pdf", "--caption", "Q3\nnumbers", "--wait", "--wait-timeout", "90", "--json"},
      "send-file");
  EXPECT_EQ(i.args.file, "/tmp/a b.pdf");
  EXPECT_EQ(i.args.caption, "Q3\nnumbers");
  EXPECT_TRUE(i.args.wait);
  EXPECT_DOUBLE_EQ(i.args.wait_timeout_seconds, 90);
  EXPECT_TRUE(i.global.json);
  EXPECT_EQ(expect_command({"send-file", "bob", "--", "-dashed.txt"}, "send-file").args.file, "-dashed.txt");
  EXPECT_EQ(expect_command({"send-file", "bob", "x", "--caption", ""}, "send-file").args.caption, "")
      << "an empty caption is no caption";
}

TEST(CtlParser, SendFileRefusesBadValues) {
  EXPECT_NE(expect_usage_error({"send-file", "bob"}).find("FILE"), std::string::npos);
  expect_usage_error({"send-file"});
  expect_usage_error({"send-file", "", "x"});
  expect_usage_error({"send-file", "bob", ""});
  expect_usage_error({"send-file", "bob", "a\xff\xfe.txt"});               // not UTF-8
  expect_usage_error({"send-file", "bob", std::string("a\0b", 3)});        // NUL
  expect_usage_error({"send-file", "bob", "x", "--caption", "\xc3\x28"});  // not UTF-8
  expect_usage_error({"send-file", "bob", "x", "--caption"});
  expect_usage_error({"send-file", "bob", "x", "--wait-timeout", "5"});  // needs --wait
  expect_usage_error({"send-file", "bob", "x", "--wait", "--wait-timeout", "0"});
  expect_usage_error({"send-file", "bob", "x", "y"});
  expect_usage_error({"send-file", "bob", "x", "--output", "/tmp"});
  expect_usage_error({"send-file", "bob", "x", "--force"});
}

TEST(CtlParser, FilesTakesAnOptionalPeer) {
  EXPECT_EQ(expect_command({"files"}, "files").args.peer, "");
  EXPECT_EQ(expect_command({"files", "bob", "--json"}, "files").args.peer, "bob");
  expect_usage_error({"files", ""});
  expect_usage_error({"files", "bo\x1b[31mb"});
  expect_usage_error({"files", "bob", "carol"});
}

TEST(CtlParser, SaveAndCancelTakeAFileId) {
  Invocation i = expect_command({"save", kFileId}, "save");
  EXPECT_EQ(i.args.id, kFileId);
  EXPECT_EQ(i.args.output_file, "");
  i = expect_command({"save", "0123456789ABCDEF0123456789ABCDEF", "--output", "../here/"}, "save");
  EXPECT_EQ(i.args.output_file, "../here/");
  EXPECT_EQ(expect_command({"cancel", kFileId}, "cancel").args.id, kFileId);
  for (const std::string command : {"save", "cancel"}) {
    SCOPED_TRACE(command);
    EXPECT_NE(expect_usage_error({command}).find("ID"), std::string::npos);
    expect_usage_error({command, ""});
    expect_usage_error({command, "0123"});
    expect_usage_error({command, kFileId + "0"});
    expect_usage_error({command, "zz23456789abcdef0123456789abcdef"});
    expect_usage_error({command, kFileId, kFileId});
    expect_usage_error({command, kFileId, "--verbose"});
  }
  expect_usage_error({"cancel", kFileId, "--output", "/tmp"});
}

TEST(CtlParser, SaveRefusesOddOutputs) {
  expect_usage_error({"save", kFileId, "--output"});
  expect_usage_error({"save", kFileId, "--output", ""});
  EXPECT_NE(expect_usage_error({"save", kFileId, "--output", "-"}).find("msgd writes"), std::string::npos);
  expect_usage_error({"save", kFileId, "--output", "\xff/x"});
  expect_usage_error({"save", kFileId, "--output", std::string("a\0b", 3)});
  expect_usage_error({"save", kFileId, "--output", std::string(70000, 'x')});
  // Odd but legal paths are msgd's to judge.
  for (const std::string odd : {"/", "~/x", " spaces ", "a\nb", "./-x", "..", "/tmp//x/../y"}) {
    EXPECT_EQ(expect_command({"save", kFileId, "--output", odd}, "save").args.output_file, odd);
  }
}

TEST(CtlParser, RelayNeedsASubCommand) {
  EXPECT_EQ(expect_usage_error({"relay"}), "'relay' needs a command: forget");
  expect_usage_error({"relay", "remember"});
  expect_command({"relay", "forget", "--json"}, "forget");
}

TEST(CtlParser, GlobalOptionsBeforeOrAfterTheCommand) {
  Invocation before = expect_command({"--json", "--socket", "/tmp/s.sock", "--timeout", "3", "status"}, "status");
  Invocation after = expect_command({"status", "--json", "--socket", "/tmp/s.sock", "--timeout", "3"}, "status");
  for (const Invocation* i : {&before, &after}) {
    EXPECT_TRUE(i->global.json);
    ASSERT_TRUE(i->global.socket.has_value());
    EXPECT_EQ(*i->global.socket, "/tmp/s.sock");
    EXPECT_DOUBLE_EQ(i->global.timeout_seconds, 3);
  }
  EXPECT_TRUE(expect_command({"relay", "forget", "--bus"}, "forget").global.bus);
  EXPECT_TRUE(expect_command({"send", "bob", "hi", "--json"}, "send").global.json);
}

TEST(CtlParser, GlobalOptionsAreChecked) {
  expect_usage_error({"--socket", "/tmp/s", "--bus", "status"});
  expect_usage_error({"--timeout", "0", "status"});
  expect_usage_error({"--timeout", "-1", "status"});
  expect_usage_error({"--timeout", "100000", "status"});
  expect_usage_error({"--timeout", "nan", "status"});
  expect_usage_error({"--socket", "", "status"});
  expect_usage_error({"--timeout"});
}

TEST(CtlParser, UnknownCommandsAndOptions) {
  expect_usage_error({});
  expect_usage_error({"sendd", "bob", "hi"});
  expect_usage_error({"status", "--verbose"});
  expect_usage_error({"--frobnicate", "status"});
  expect_usage_error({"status", "extra"});
}

TEST(CtlParser, EmptyAndControlCharacterNamesAreUsageErrors) {
  for (const std::string command : {"fingerprint", "trust", "read", "history", "login", "register"}) {
    SCOPED_TRACE(command);
    EXPECT_NE(expect_usage_error({command, ""}).find("empty"), std::string::npos);
    EXPECT_NE(expect_usage_error({command, "bob\n"}).find("control"), std::string::npos);
    expect_usage_error({command, "b\x1b]0;pwned\x07ob"});
    expect_usage_error({command, "bo\x7f"});
    expect_usage_error({command,
                        "bo\xc2\x9b"
                        "b"});                  // C1 CSI
    expect_usage_error({command, "\xc3\x28"});  // not UTF-8
  }
  expect_usage_error({"send", "", "hi"});
  expect_usage_error({"register", "alice", "--invite", ""});
  expect_usage_error({"register", "alice", "--invite", "a\tb"});
}

TEST(CtlParser, OneMegabyteArgumentsAreRefusedWithAMessage) {
  const std::string huge(1 << 20, 'a');
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"send", "bob", huge},
                                             {"send", huge, "hi"},
                                             {"history", huge},
                                             {huge},
                                             {"--socket", huge, "status"},
                                             {"send-file", "bob", huge},
                                             {"send-file", "bob", "x", "--caption", huge},
                                             {"save", huge},
                                             {"save", "0123456789abcdef0123456789abcdef", "--output", huge},
                                             {"group", "create", huge},
                                             {"group", "create", "ops", "bob", huge},
                                             {"group", "add", huge, "bob"},
                                             {"group", "rename", "@ops", huge},
                                             {"send", "@" + huge, "hi"},
                                             {"broadcast", huge},
                                             {"group", "create", std::string(10 << 20, 'x')}}) {
    const std::string message = expect_usage_error(args);
    EXPECT_NE(message.find("too long"), std::string::npos) << message;
    EXPECT_LT(message.size(), 200u);  // the argument is not echoed back
  }
  // The largest text msgd takes is fine.
  const std::string largest(64 * 1024, 'x');
  EXPECT_EQ(expect_command({"send", "bob", largest}, "send").args.text.size(), largest.size());
}

TEST(CtlParser, GroupCommandsTakeTheirArguments) {
  Invocation i = expect_command({"group", "create", "ops", "bob", "Carol"}, "create");
  EXPECT_EQ(i.command->group, "group");
  EXPECT_EQ(i.args.group_name, "ops");
  EXPECT_EQ(i.args.members, (std::vector<std::string>{"bob", "Carol"}));
  EXPECT_TRUE(expect_command({"group", "create", "ops"}, "create").args.members.empty());
  i = expect_command({"group", "add", "@ops", "bob", "carol", "--json"}, "add");
  EXPECT_EQ(i.args.group, "@ops");
  EXPECT_EQ(i.args.members, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE(i.global.json);
  i = expect_command({"group", "rename", "0123456789abcdef0123456789ABCDEF", "Ops – night shift 🌙"}, "rename");
  EXPECT_EQ(i.args.group, "0123456789abcdef0123456789ABCDEF");
  EXPECT_EQ(i.args.group_name, "Ops – night shift 🌙");
  EXPECT_FALSE(expect_command({"broadcast", "hi"}, "broadcast").args.online_only);
  EXPECT_TRUE(expect_command({"broadcast", "hi", "--online"}, "broadcast").args.online_only);
  EXPECT_EQ(expect_command({"broadcast", "-"}, "broadcast").args.text, "-");
}

TEST(CtlParser, GroupCommandsNeedTheirArguments) {
  EXPECT_EQ(expect_usage_error({"group"}),
            "'group' needs a command: create, add, remove, leave, list, members, rename");
  EXPECT_EQ(expect_usage_error({"--json", "group", "--timeout", "3"}),
            "'group' needs a command: create, add, remove, leave, list, members, rename");
  EXPECT_NE(expect_usage_error({"group", "create"}).find("NAME"), std::string::npos);
  EXPECT_NE(expect_usage_error({"group", "add", "@ops"}).find("USER"), std::string::npos);
  EXPECT_NE(expect_usage_error({"group", "remove", "@ops"}).find("USER"), std::string::npos);
  expect_usage_error({"group", "add"});
  expect_usage_error({"group", "leave"});
  expect_usage_error({"group", "members"});
  expect_usage_error({"group", "rename", "@ops"});
  expect_usage_error({"group", "list", "extra"});
  expect_usage_error({"group", "leave", "@ops", "@dev"});
  expect_usage_error({"broadcast"});
  expect_usage_error({"broadcast", ""});
}

TEST(CtlParser, UnknownGroupCommandIsNamed) {
  EXPECT_EQ(expect_usage_error({"group", "frobnicate", "@ops"}), "unknown command 'group frobnicate'");
  EXPECT_EQ(expect_usage_error({"--json", "group", "--timeout", "3", "delete", "@ops"}),
            "unknown command 'group delete'");
  EXPECT_EQ(expect_usage_error({"relay", "remember"}), "unknown command 'relay remember'");
  EXPECT_EQ(expect_usage_error({"groups", "list"}), "unknown command 'groups'");
  // An escape in the unknown word is shown inert.
  const std::string message = expect_usage_error({"group", "x\x1b[2J"});
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
}

TEST(CtlParser, GroupNamesFollowTheRules) {
  for (const std::string& good : std::vector<std::string>{"ops", "o", "Ops Team", "ops@night", "ops#2", "équipe",
                                                          "運用", "🚀 launch", std::string(64, 'x')}) {
    SCOPED_TRACE(good);
    expect_command({"group", "create", good}, "create");
    expect_command({"group", "rename", "@ops", good}, "rename");
    expect_command({"group", "leave", "@" + good}, "leave");
    expect_command({"group", "leave", good}, "leave");
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {std::string(65, 'x'), "too long"},
      {std::string(22, 'x') + "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀", "too long"},  // 66 bytes, 33 characters
      {"@ops", "'@' or '#'"},
      {"#ops", "'@' or '#'"},
      {" ops", "space"},
      {"ops ", "space"},
      {"ops\xc2\xa0", "space"},  // a trailing no-break space
      {"ops\nteam", "control"},
      {"ops\tteam", "control"},
      {"o\x1b[31mps", "control"},
      {"ops\x7f", "control"},
      {"ops\xc2\x9b", "control"},         // C1 CSI
      {"ops\xe2\x80\xa8", "control"},     // U+2028 line separator
      {"spo\xe2\x80\xae", "direction"},   // U+202E right-to-left override: "ops" shown backwards
      {"ops\xe2\x81\xa6x", "direction"},  // U+2066 left-to-right isolate
      {"ops\xe2\x80\x8f", "direction"},   // U+200F right-to-left mark
      {"ops\xd8\x9c", "direction"},       // U+061C Arabic letter mark
      {"\xc3\x28", "UTF-8"},
      {"ops\xed\xa0\x80", "UTF-8"},  // a surrogate
  };
  for (const auto& [name, reason] : bad) {
    SCOPED_TRACE(name);
    EXPECT_NE(expect_usage_error({"group", "create", name}).find(reason), std::string::npos);
    EXPECT_NE(expect_usage_error({"group", "rename", "@ops", name}).find(reason), std::string::npos);
    if (!name.empty() && name[0] != '@' && name[0] != '#') {
      EXPECT_NE(expect_usage_error({"group", "members", "@" + name}).find(reason), std::string::npos);
    }
  }
  // A group is referred to with one '@' at most.
  expect_usage_error({"group", "leave", "@"});
  expect_usage_error({"group", "leave", "@@ops"});
  expect_usage_error({"group", "leave", "@#"});
  expect_usage_error({"group", "leave", "##ops"});
  // "#<id>" is how group messages name their peer; msgd takes it.
  EXPECT_EQ(expect_command({"group", "leave", "#0123456789abcdef0123456789abcdef"}, "leave").args.group,
            "#0123456789abcdef0123456789abcdef");
}

TEST(CtlParser, GroupMembersAreUsernamesAtMostAThousandOnce) {
  for (const std::string bad : {"", "b ob", "bob!", "-bob", "bo\x1b[0mb",
                                "b\xc3\xb6"
                                "b",
                                "a", "abcdefghijklmnopqrstuvwxyz0123456789"}) {
    SCOPED_TRACE(bad);
    expect_usage_error({"group", "create", "ops", "carol", bad});
    expect_usage_error({"group", "add", "@ops", bad});
    expect_usage_error({"group", "remove", "@ops", bad});
  }
  EXPECT_NE(expect_usage_error({"group", "add", "@ops", "bob", "carol", "Bob"}).find("twice"), std::string::npos);

  std::vector<std::string> args = {"group", "add", "@ops"};
  for (int n = 0; n < 1000; ++n) args.push_back("user" + std::to_string(n));
  EXPECT_EQ(expect_command(args, "add").args.members.size(), 1000u);
  args.push_back("user1000");
  EXPECT_NE(expect_usage_error(args).find("at most 1000"), std::string::npos);
  args[1] = "create";
  args[2] = "ops";
  EXPECT_NE(expect_usage_error(args).find("at most 1000"), std::string::npos);
}

TEST(CtlParser, AnAtSignMakesAPeerAGroup) {
  for (const std::string command : {"send", "history", "read", "export", "send-file"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args = {command, "@ops"};
    if (command == "send") args.push_back("hi");
    if (command == "export") args.insert(args.end(), {"--format", "txt"});
    if (command == "send-file") args.push_back("report.pdf");
    EXPECT_EQ(expect_command(args, command).args.peer, "@ops");
    args[1] = "@spo\xe2\x80\xae";
    EXPECT_NE(expect_usage_error(args).find("direction"), std::string::npos);
    args[1] = "@";
    expect_usage_error(args);
  }
  // Safety numbers are between two people.
  EXPECT_NE(expect_usage_error({"fingerprint", "@ops"}).find("group"), std::string::npos);
  EXPECT_NE(expect_usage_error({"trust", "@ops"}).find("group"), std::string::npos);
}

TEST(CtlParser, HelpAndVersionAreInformationNotErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"-h"}, {"send", "--help"}, {"relay", "forget", "--help"}, {"export", "--help"}}) {
    ParseResult result = parse(args);
    ASSERT_TRUE(std::holds_alternative<InfoRequest>(result)) << args[0];
    EXPECT_NE(std::get<InfoRequest>(result).text.find("Usage"), std::string::npos);
  }
  const std::string top = std::get<InfoRequest>(parse({"--help"})).text;
  for (const CommandSpec& command : command_table()) {
    EXPECT_NE(top.find(command.group.empty() ? command.name : command.group), std::string::npos) << command.name;
  }
  EXPECT_NE(std::get<InfoRequest>(parse({"send", "--help"})).text.find("--wait-timeout"), std::string::npos);
  EXPECT_NE(std::get<InfoRequest>(parse({"send-file", "--help"})).text.find("--caption"), std::string::npos);
  EXPECT_NE(std::get<InfoRequest>(parse({"save", "--help"})).text.find("--output"), std::string::npos);
  EXPECT_NE(std::get<InfoRequest>(parse({"broadcast", "--help"})).text.find("--online"), std::string::npos);
  const std::string group = std::get<InfoRequest>(parse({"group", "--help"})).text;
  for (const std::string command : {"create", "add", "remove", "leave", "list", "members", "rename"}) {
    EXPECT_NE(group.find(command), std::string::npos) << command;
    ParseResult help = parse({"group", command, "--help"});
    ASSERT_TRUE(std::holds_alternative<InfoRequest>(help)) << command;
    EXPECT_NE(std::get<InfoRequest>(help).text.find("Usage"), std::string::npos) << command;
  }
  EXPECT_NE(std::get<InfoRequest>(parse({"group", "add", "--help"})).text.find("GROUP"), std::string::npos);
  ParseResult version = parse({"--version"});
  ASSERT_TRUE(std::holds_alternative<InfoRequest>(version));
  EXPECT_EQ(std::get<InfoRequest>(version).text.rfind("msgctl ", 0), 0u);
}

TEST(CtlParser, JsonIsRememberedForUsageErrors) {
  ParseResult result = parse({"sendd", "--json"});
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(result));
  EXPECT_TRUE(std::get<ParseFailure>(result).json);
}

TEST(CtlParser, ADashDashSeparatorAllowsDashedText) {
  const Invocation i = expect_command({"send", "bob", "--", "-5 degrees"}, "send");
  EXPECT_EQ(i.args.text, "-5 degrees");
}

}  // namespace
}  // namespace sotto::ctl
