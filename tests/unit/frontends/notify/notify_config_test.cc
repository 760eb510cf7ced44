#include "frontends/notify/notify_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "lib/config/config_error.h"

namespace sotto::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

config::ConfigError error_of(const std::string& yaml) {
  try {
    parse_notify_config(yaml, "notify.yaml");
  } catch (const config::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << yaml;
  return config::ConfigError({}, "", "");
}

TEST(NotifyConfig, EmptyFileGivesDefaults) {
  const NotifyConfig c = parse_notify_config("", "notify.yaml");
  EXPECT_FALSE(c.privacy);
  EXPECT_TRUE(c.muted.empty());
  EXPECT_FALSE(c.do_not_disturb);
  EXPECT_TRUE(c.reply_command.empty());
  EXPECT_FALSE(c.timeout.has_value());
  EXPECT_EQ(c, NotifyConfig{});
}

TEST(NotifyConfig, DocumentedExampleIsTheDefaults) {
  EXPECT_EQ(load_notify_config(SOTTO_EXAMPLE_NOTIFY_YAML), NotifyConfig{});
}

TEST(NotifyConfig, DocumentedExampleSpellsOutEverySetting) {
  const LoadedNotifyConfig loaded = read_notify_config(config::load_document(SOTTO_EXAMPLE_NOTIFY_YAML));
  ASSERT_EQ(loaded.sources.size(), 5u);
  for (const config::ValueSource& source : loaded.sources) {
    EXPECT_TRUE(source.where.has_value()) << source.key_path << " is not written in the example";
  }
}

TEST(NotifyConfig, ReadsEverySetting) {
  const NotifyConfig c = parse_notify_config(
      "privacy: true\n"
      "muted: [Alice, bob.smith]\n"
      "do_not_disturb: true\n"
      "reply_command: [x-terminal-emulator, -e, msg-tui, \"{peer}\"]\n"
      "timeout: 10s\n",
      "notify.yaml");
  EXPECT_TRUE(c.privacy);
  EXPECT_EQ(c.muted, (std::vector<std::string>{"alice", "bob.smith"})) << "names are canonical (lower case)";
  EXPECT_TRUE(c.do_not_disturb);
  EXPECT_EQ(c.reply_command, (std::vector<std::string>{"x-terminal-emulator", "-e", "msg-tui", "{peer}"}));
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(10'000));
}

TEST(NotifyConfig, TimeoutTakesServerNeverOrABoundedDuration) {
  EXPECT_EQ(parse_notify_config("timeout: server\n", "n").timeout, std::nullopt);
  EXPECT_EQ(parse_notify_config("timeout: never\n", "n").timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(parse_notify_config("timeout: 1h\n", "n").timeout, std::chrono::hours(1));
  EXPECT_EQ(parse_notify_config("timeout: 1s\n", "n").timeout, std::chrono::seconds(1));
  EXPECT_THAT(error_of("timeout: 2h\n").what(), StartsWith("notify.yaml:1:10: timeout:"));
  EXPECT_THAT(error_of("timeout: 500ms\n").problem(), HasSubstr("between 1s and"));
  EXPECT_THAT(error_of("timeout: 5\n").problem(), HasSubstr("'server' or 'never'"));
  EXPECT_THAT(error_of("timeout: soon\n").what(), StartsWith("notify.yaml:1:10:"));
  EXPECT_THAT(error_of("timeout: -1s\n").what(), StartsWith("notify.yaml:1:10:"));
  EXPECT_THAT(error_of("timeout:\n").what(), StartsWith("notify.yaml:1:"));
}

TEST(NotifyConfig, DuplicateMutedNamesCountOnce) {
  EXPECT_EQ(parse_notify_config("muted: [carol, CAROL, carol]\n", "n").muted, std::vector<std::string>{"carol"});
}

TEST(NotifyConfig, BadMutedNameIsReportedAtItsItem) {
  const config::ConfigError e = error_of("muted:\n  - alice\n  - \"bad name\"\n");
  EXPECT_EQ(e.where(), (config::Location{"notify.yaml", 3, 5}));
  EXPECT_EQ(e.key_path(), "muted[1]");
  EXPECT_THAT(e.problem(), HasSubstr("space"));
  // Flow style too, and the error does not repeat hostile bytes.
  const config::ConfigError flow = error_of("muted: [ok_name, \"\\e[31mred\"]\n");
  EXPECT_EQ(flow.where().line, 1);
  EXPECT_EQ(flow.where().column, 18);
  EXPECT_EQ(std::string(flow.what()).find('\x1b'), std::string::npos);
  EXPECT_THAT(error_of("muted: [\"../etc\"]\n").key_path(), "muted[0]");
  EXPECT_THAT(error_of("muted: [ab]\n").problem(), HasSubstr("3"));
  EXPECT_THAT(error_of("muted: [" + std::string(33, 'a') + "]\n").problem(), HasSubstr("32"));
}

TEST(NotifyConfig, WrongTypesNameFileLineAndColumn) {
  EXPECT_THAT(error_of("privacy: yes\n").what(), StartsWith("notify.yaml:1:10: privacy:"));
  EXPECT_THAT(error_of("privacy: \"true\"\n").what(), StartsWith("notify.yaml:1:10: privacy:"));
  EXPECT_THAT(error_of("do_not_disturb: 1\n").what(), StartsWith("notify.yaml:1:17: do_not_disturb:"));
  EXPECT_THAT(error_of("muted: alice\n").what(), StartsWith("notify.yaml:1:8: muted:")) << "a list, not a string";
  EXPECT_THAT(error_of("muted: {alice: 1}\n").what(), StartsWith("notify.yaml:1:8: muted:"));
  EXPECT_THAT(error_of("reply_command: msg-tui\n").what(), StartsWith("notify.yaml:1:16: reply_command:"));
  EXPECT_THAT(error_of("reply_command: [\"\"]\n").what(), HasSubstr("reply_command[0]"));
  EXPECT_THAT(error_of("reply_command: [[a]]\n").what(), HasSubstr("reply_command[0]"));
  EXPECT_THAT(error_of("timeout: [10s]\n").what(), StartsWith("notify.yaml:1:10: timeout:"));
}

TEST(NotifyConfig, UnknownKeysAreRefusedWithAHint) {
  const config::ConfigError e = error_of("privacy: false\nmuteed: [alice]\n");
  EXPECT_THAT(e.what(), StartsWith("notify.yaml:2:1:"));
  EXPECT_THAT(e.what(), HasSubstr("muteed"));
  EXPECT_THAT(e.what(), HasSubstr("muted"));
  EXPECT_THAT(error_of("Privacy: true\n").what(), HasSubstr("Privacy")) << "keys are case-sensitive";
}

TEST(NotifyConfig, MalformedYamlIsRefusedWithItsPosition) {
  EXPECT_THAT(error_of("privacy: [true\n").what(), StartsWith("notify.yaml:"));
  EXPECT_THAT(error_of("- privacy\n").what(), StartsWith("notify.yaml:1:1:")) << "not a mapping";
  EXPECT_THAT(error_of("privacy: true\nprivacy: false\n").what(), StartsWith("notify.yaml:2:1:")) << "duplicate key";
  EXPECT_THAT(error_of("muted: \"alice\n").what(), StartsWith("notify.yaml:"));
  EXPECT_THAT(error_of("privacy: false\n\t- x\n").what(), StartsWith("notify.yaml:"));
}

TEST(NotifyConfig, HostileYamlIsRefused) {
  // Anchors and aliases (the "billion laughs"), tags, deep nesting, control
  // bytes, invalid UTF-8, an oversized file, too many names: each refused
  // quickly with a position, never expanded or accepted.
  EXPECT_THAT(error_of("a: &x [1, 2]\nmuted: *x\n").what(), StartsWith("notify.yaml:"));
  EXPECT_THAT(error_of("privacy: !!bool true\n").what(), StartsWith("notify.yaml:1:"));
  EXPECT_THAT(error_of("muted: " + std::string(200, '[') + std::string(200, ']') + "\n").what(),
              StartsWith("notify.yaml:"));
  EXPECT_THAT(error_of(std::string("muted: [al\x01ice]\n")).what(), StartsWith("notify.yaml:1:"));
  EXPECT_THAT(error_of(std::string("muted: [\xff\xfe]\n")).what(), StartsWith("notify.yaml:1:"));
  EXPECT_THAT(error_of(std::string("privacy: false\0\n", 16)).what(), StartsWith("notify.yaml:"));
  EXPECT_THAT(error_of("# " + std::string(std::size_t{1} << 20, 'x') + "\n").what(), StartsWith("notify.yaml:1:1:"));
  std::string many = "muted:\n";
  for (int i = 0; i < 1001; ++i) many += "  - user" + std::to_string(i) + "\n";
  EXPECT_THAT(error_of(many).what(), HasSubstr("muted"));
  std::string long_command = "reply_command:\n";
  for (int i = 0; i < 65; ++i) long_command += "  - w\n";
  EXPECT_THAT(error_of(long_command).what(), HasSubstr("reply_command"));
  EXPECT_THAT(error_of("reply_command: [\"" + std::string(2000, 'x') + "\"]\n").what(), HasSubstr("reply_command[0]"));
}

TEST(NotifyConfig, MissingExplicitFileIsAnError) {
  try {
    load_notify_config("/nonexistent/sotto/notify.yaml");
    ADD_FAILURE() << "a missing --config file must be refused";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), StartsWith("/nonexistent/sotto/notify.yaml:1:1:"));
  }
}

TEST(NotifyConfig, DefaultPathFollowsXdgConfigHome) {
  const char* saved = std::getenv("XDG_CONFIG_HOME");
  const std::string previous = saved != nullptr ? saved : "";
  const char* saved_home = std::getenv("HOME");
  const std::string previous_home = saved_home != nullptr ? saved_home : "";
  ::setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
  EXPECT_EQ(default_notify_config_path(), "/home/u/.cfg/sotto/notify.yaml");
  ::setenv("XDG_CONFIG_HOME", "relative", 1);
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_notify_config_path(), "/home/u/.config/sotto/notify.yaml") << "a relative XDG path is ignored";
  if (saved != nullptr) {
    ::setenv("XDG_CONFIG_HOME", previous.c_str(), 1);
  } else {
    ::unsetenv("XDG_CONFIG_HOME");
  }
  if (saved_home != nullptr) ::setenv("HOME", previous_home.c_str(), 1);
}

}  // namespace
}  // namespace sotto::notify
