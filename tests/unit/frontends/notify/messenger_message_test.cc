#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "frontends/notify/messenger_watch.h"

namespace sotto::notify {
namespace {

using Data = std::map<std::string, sdbus::Variant>;

Data message(const std::string& peer, const std::string& text) {
  return Data{{"id", sdbus::Variant(std::string(32, 'a'))},
              {"peer", sdbus::Variant(peer)},
              {"direction", sdbus::Variant(std::string("in"))},
              {"sender", sdbus::Variant(peer)},
              {"text", sdbus::Variant(text)},
              {"sent_at", sdbus::Variant(std::int64_t{1700000000000})},
              {"identity_warning", sdbus::Variant(false)}};
}

TEST(IncomingMessageFrom, ReadsAMessageObject) {
  const auto m = incoming_message_from(message("alice", "hi <b>"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->peer, "alice");
  EXPECT_EQ(m->sender, "alice");
  EXPECT_EQ(m->text, "hi <b>");
  EXPECT_EQ(m->id, std::string(32, 'a'));
}

TEST(IncomingMessageFrom, IgnoresOutgoingMessages) {
  Data d = message("alice", "mine");
  d["direction"] = sdbus::Variant(std::string("out"));
  EXPECT_FALSE(incoming_message_from(d).has_value());
}

TEST(IncomingMessageFrom, RefusesMissingOrMistypedFields) {
  Data no_text = message("alice", "x");
  no_text.erase("text");
  EXPECT_FALSE(incoming_message_from(no_text).has_value());
  Data number_peer = message("alice", "x");
  number_peer["peer"] = sdbus::Variant(std::int64_t{5});
  EXPECT_FALSE(incoming_message_from(number_peer).has_value());
  EXPECT_FALSE(incoming_message_from(Data{}).has_value());
}

TEST(IncomingMessageFrom, RefusesPeersThatAreNotUsernames) {
  // The peer ends up in a popup, a log line and reply_command's argv.
  EXPECT_FALSE(incoming_message_from(message("-rf", "x")).has_value());
  EXPECT_FALSE(incoming_message_from(message("a b", "x")).has_value());
  EXPECT_FALSE(incoming_message_from(message("../../etc", "x")).has_value());
  EXPECT_FALSE(incoming_message_from(message("al\nice", "x")).has_value());
  const auto upper = incoming_message_from(message("Alice", "x"));
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper->peer, "alice");
}

Data file_message(const std::string& name, std::int64_t size, std::optional<std::string> caption) {
  Data d = message("alice", caption.value_or(""));
  if (!caption) d.erase("text");
  d["kind"] = sdbus::Variant(std::string("file"));
  d["file"] = sdbus::Variant(std::map<std::string, sdbus::Variant>{
      {"name", sdbus::Variant(name)}, {"size", sdbus::Variant(size)}, {"mime", sdbus::Variant(std::string("x/y"))}});
  return d;
}

Data group_message(const std::string& sender, const std::string& text) {
  Data d = message("#00112233445566778899aabbccddeeff", text);
  d["sender"] = sdbus::Variant(sender);
  d["group"] = sdbus::Variant(
      std::map<std::string, sdbus::Variant>{{"id", sdbus::Variant(std::string("00112233445566778899aabbccddeeff"))},
                                            {"name", sdbus::Variant(std::string("ops"))}});
  return d;
}

TEST(IncomingMessageFrom, AGroupMessageIsTheGroupsConversation) {
  const auto m = incoming_message_from(group_message("Alice", "deploy?"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->peer, "@00112233445566778899aabbccddeeff");
  EXPECT_EQ(m->sender, "alice");
  EXPECT_EQ(m->group, "#ops");
  EXPECT_EQ(m->text, "deploy?");
  EXPECT_EQ(incoming_message_from(message("bob", "x"))->group, "");
}

TEST(IncomingMessageFrom, AGroupWithoutANameShowsItsIdsStart) {
  Data d = group_message("alice", "x");
  d.erase("group");
  const auto m = incoming_message_from(d);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->group, "#00112233");
}

TEST(IncomingMessageFrom, RefusesOddGroupPeersAndSenders) {
  for (const std::string peer : {"#0011", "#00112233445566778899AABBCCDDEEFF", "#00112233445566778899aabbccddeefg",
                                 "#00112233445566778899aabbccddeeff0", "@00112233445566778899aabbccddeeff"}) {
    SCOPED_TRACE(peer);
    Data d = group_message("alice", "x");
    d["peer"] = sdbus::Variant(peer);
    EXPECT_FALSE(incoming_message_from(d).has_value());
  }
  // In a group the sender is the only name shown: it must be a username.
  EXPECT_FALSE(incoming_message_from(group_message("-rf", "x")).has_value());
  Data no_sender = group_message("alice", "x");
  no_sender.erase("sender");
  EXPECT_FALSE(incoming_message_from(no_sender).has_value());
}

TEST(IncomingMessageFrom, ReadsAFileMessage) {
  auto m = incoming_message_from(file_message("report.pdf", 2'100'000, "Q3"));
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(m->file.has_value());
  EXPECT_EQ(m->file->name, "report.pdf");
  EXPECT_EQ(m->file->size, 2'100'000);
  EXPECT_EQ(m->text, "Q3");
  m = incoming_message_from(file_message("a.txt", 5, std::nullopt));
  ASSERT_TRUE(m.has_value()) << "a file needs no text";
  EXPECT_EQ(m->text, "");
  EXPECT_FALSE(incoming_message_from(message("alice", "hi"))->file.has_value());
}

TEST(IncomingMessageFrom, AFileWithOddFieldsStillPopsUp) {
  Data d = file_message("x", 1, "");
  d["file"] = sdbus::Variant(std::string("not an object"));
  auto m = incoming_message_from(d);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->file, (FileSummary{"", -1}));
  d["file"] = sdbus::Variant(std::map<std::string, sdbus::Variant>{{"size", sdbus::Variant(std::string("big"))}});
  EXPECT_EQ(incoming_message_from(d)->file, (FileSummary{"", -1}));
}

}  // namespace
}  // namespace sotto::notify
