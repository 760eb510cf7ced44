#include "frontends/tui/api_events.h"

#include <gtest/gtest.h>

namespace sotto::tui {
namespace {

using nlohmann::json;

TEST(ApiEvents, ReadsAMessageObject) {
  const json j = {{"id", "00ff"},      {"peer", "bob"},   {"direction", "out"},
                  {"sender", "alice"}, {"text", "hi"},    {"sent_at", 1000},
                  {"received_at", 0},  {"state", "sent"}, {"identity_warning", true}};
  const MessageData m = message_from_json(j);
  EXPECT_EQ(m.id, "00ff");
  EXPECT_TRUE(m.outgoing);
  EXPECT_EQ(m.sender, "alice");
  EXPECT_EQ(m.sent_at, 1000);
  EXPECT_EQ(m.state, "sent");
  EXPECT_TRUE(m.identity_warning);
}

TEST(ApiEvents, ReadsAFileMessage) {
  const json j = {{"id", "00ff"},
                  {"peer", "bob"},
                  {"direction", "in"},
                  {"sender", "bob"},
                  {"kind", "file"},
                  {"text", "Q3"},
                  {"file", {{"name", "report.pdf"}, {"size", 2'100'000}, {"mime", "application/pdf"}}}};
  MessageData m = message_from_json(j);
  EXPECT_TRUE(m.is_file);
  EXPECT_EQ(m.file_name, "report.pdf");
  EXPECT_EQ(m.file_size, 2'100'000);
  EXPECT_EQ(m.text, "Q3");
  EXPECT_FALSE(message_from_json({{"kind", "text"}, {"file", {{"name", "x"}}}}).is_file);
  m = message_from_json({{"kind", "file"}, {"file", "not an object"}});
  EXPECT_TRUE(m.is_file);
  EXPECT_EQ(m.file_name, "");
  EXPECT_EQ(m.file_size, -1);
  m = message_from_json({{"kind", "file"}, {"file", {{"name", 5}, {"size", "big"}}}});
  EXPECT_EQ(m.file_name, "");
  EXPECT_EQ(m.file_size, -1);
}

TEST(ApiEvents, WrongTypesReadAsEmptyNeverThrow) {
  const json j = {{"id", 5}, {"peer", nullptr}, {"text", json::array()}, {"sent_at", "soon"}};
  const MessageData m = message_from_json(j);
  EXPECT_TRUE(m.id.empty());
  EXPECT_TRUE(m.text.empty());
  EXPECT_EQ(m.sent_at, 0);
  EXPECT_TRUE(messages_from_json(json::object()).empty());
  EXPECT_TRUE(contacts_from_json("x").empty());
  EXPECT_FALSE(event_from_api({"MessageReceived", json::array()}).has_value());
}

TEST(ApiEvents, TranslatesEachEvent) {
  auto received = event_from_api({"MessageReceived", {{"peer", "bob"}, {"text", "hey"}, {"direction", "in"}}});
  ASSERT_TRUE(received);
  EXPECT_EQ(std::get<MessageReceived>(*received).message.text, "hey");
  auto delivery = event_from_api({"DeliveryChanged", {{"id", "1"}, {"peer", "bob"}, {"state", "read"}}});
  ASSERT_TRUE(delivery);
  EXPECT_EQ(std::get<DeliveryChanged>(*delivery).state, "read");
  auto connection = event_from_api({"ConnectionChanged", {{"connected", true}, {"relay", "h:1"}}});
  ASSERT_TRUE(connection);
  EXPECT_TRUE(std::get<RelayChanged>(*connection).connected);
  auto identity = event_from_api({"IdentityChanged", {{"peer", "bob"}, {"fingerprint", "ab"}}});
  ASSERT_TRUE(identity);
  EXPECT_EQ(std::get<IdentityChanged>(*identity).peer, "bob");
  EXPECT_FALSE(event_from_api({"FileReceived", json::object()}));
}

TEST(ApiEvents, SafetyNumberLinesAndStatus) {
  const auto f = fingerprint_from_json("bob", {{"lines", "1 2\n3 4\n5 6"}, {"trust", "trusted"}});
  EXPECT_EQ(f.lines, (std::vector<std::string>{"1 2", "3 4", "5 6"}));
  const auto up = daemon_up_from_status({{"username", "alice"}, {"connected", true}, {"relay", "r:1"}}, "bus");
  EXPECT_EQ(up.username, "alice");
  EXPECT_TRUE(up.relay_connected);
  EXPECT_EQ(up.via, "bus");
  const auto presence = presence_from_json(json::array({{{"username", "bob"}, {"online", true}}}));
  ASSERT_EQ(presence.size(), 1u);
  EXPECT_TRUE(presence[0].second);
}

TEST(ApiEvents, ReadsAGroupMessagesGroupName) {
  const nlohmann::json j = {
      {"id", "g1"},        {"peer", "#00112233445566778899aabbccddeeff"},
      {"direction", "in"}, {"sender", "bob"},
      {"text", "deploy?"}, {"group", {{"id", "00112233445566778899aabbccddeeff"}, {"name", "ops"}}}};
  const MessageData m = message_from_json(j);
  EXPECT_EQ(m.peer, "#00112233445566778899aabbccddeeff");
  EXPECT_EQ(m.sender, "bob");
  EXPECT_EQ(m.group_name, "ops");
  EXPECT_EQ(message_from_json({{"group", "ops"}}).group_name, "");
  EXPECT_EQ(message_from_json({{"group", {{"name", 5}}}}).group_name, "");
  EXPECT_EQ(message_from_json({{"peer", "bob"}}).group_name, "");
}

TEST(ApiEvents, ReadsGroupListAndDropsGroupsWithoutAValidId) {
  const std::string id = "00112233445566778899aabbccddeeff";
  const nlohmann::json list = nlohmann::json::array(
      {{{"id", id}, {"name", "ops"}, {"epoch", 3}, {"members", {"alice", 7, "bob"}}, {"status", "member"}},
       {{"id", "../../etc"}, {"name", "bad"}},
       {{"id", "00112233445566778899AABBCCDDEEFF"}, {"name", "upper"}},
       "not an object"});
  const std::vector<GroupData> groups = groups_from_json(list);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].id, id);
  EXPECT_EQ(groups[0].name, "ops");
  EXPECT_EQ(groups[0].epoch, 3);
  EXPECT_EQ(groups[0].members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(groups[0].status, "member");
  EXPECT_TRUE(groups_from_json({{"groups", 1}}).empty());
}

TEST(ApiEvents, TranslatesGroupChangedWithWhoAndWhen) {
  const nlohmann::json data = {{"id", "00112233445566778899aabbccddeeff"},
                               {"name", "ops"},
                               {"epoch", 2},
                               {"members", {"alice"}},
                               {"status", "removed"},
                               {"by", "bob"}};
  auto changed = event_from_api({"GroupChanged", data}, 1234);
  ASSERT_TRUE(changed);
  const auto& g = std::get<GroupChanged>(*changed);
  EXPECT_EQ(g.group.name, "ops");
  EXPECT_EQ(g.group.status, "removed");
  EXPECT_EQ(g.by, "bob");
  EXPECT_EQ(g.at_ms, 1234);
  EXPECT_FALSE(event_from_api({"GroupChanged", {{"name", "ops"}}}));
  EXPECT_FALSE(event_from_api({"GroupChanged", "ops"}));
}

TEST(ApiEvents, AGroupConversationIsAskedForWithAnAt) {
  EXPECT_EQ(api_peer("#00112233445566778899aabbccddeeff"), "@00112233445566778899aabbccddeeff");
  EXPECT_EQ(api_peer("bob"), "bob");
  EXPECT_EQ(api_peer(""), "");
}

}  // namespace
}  // namespace sotto::tui
