#include "frontends/tui/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sotto::tui {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CommandLine, PlainTextIsAMessageAndDoubleSlashEscapes) {
  EXPECT_EQ(std::get<PlainText>(interpret_input("hello")).text, "hello");
  EXPECT_EQ(std::get<PlainText>(interpret_input("//not a command")).text, "/not a command");
}

TEST(CommandLine, ParsesCommandsAndArguments) {
  const auto open = std::get<ParsedCommand>(interpret_input("/open  bob "));
  EXPECT_EQ(open.name, CommandName::kOpen);
  EXPECT_EQ(open.argument, "bob");
  const auto search = std::get<ParsedCommand>(interpret_input("/search two words"));
  EXPECT_EQ(search.argument, "two words");
  EXPECT_EQ(std::get<ParsedCommand>(interpret_input("/trust")).argument, "");
}

TEST(CommandLine, RefusesWithTheUsage) {
  EXPECT_THAT(std::get<CommandError>(interpret_input("/open")).message, HasSubstr("/open PEER"));
  EXPECT_THAT(std::get<CommandError>(interpret_input("/nosuch")).message, HasSubstr("unknown command /nosuch"));
  EXPECT_THAT(std::get<CommandError>(interpret_input("/quit now")).message, HasSubstr("takes no argument"));
  EXPECT_THAT(std::get<CommandError>(interpret_input("/trust a b")).message, HasSubstr("one username"));
}

TEST(CommandLine, CompletesCommandsAndPeers) {
  EXPECT_EQ(complete_input("/op", {}).replacement, "/open ");
  const Completion f = complete_input("/f", {});
  EXPECT_EQ(f.replacement, "/fi");  // as far as both agree
  EXPECT_THAT(f.candidates, ElementsAre("file", "fingerprint"));
  EXPECT_EQ(complete_input("/open b", {"alice", "bob"}).replacement, "/open bob ");
  EXPECT_EQ(complete_input("/trust ", {"alice"}).replacement, "/trust alice ");
  EXPECT_TRUE(complete_input("/search b", {"bob"}).replacement.empty());
  EXPECT_TRUE(complete_input("hello", {"bob"}).replacement.empty());
}

}  // namespace
}  // namespace sotto::tui
