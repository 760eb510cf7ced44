// Groups with real processes: a relayd and one msgd per member. Messages go
// out once under the sender's sender key and the relay fans them out; changes
// of membership reach every member; a removed member reads nothing sent after.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdGroupsTest : public MsgdTest {
 protected:
  // The group's messages as bob sees them: (sender, text), oldest first.
  std::vector<std::pair<std::string, std::string>> group_history(const std::string& name, const std::string& group) {
    return conversation(name, "@" + group);
  }

  json group_of(const std::string& name, const std::string& group_name) {
    for (const auto& g : call(name, "group_list")) {
      if (g.at("name") == group_name) return g;
    }
    return json();
  }

  // Waits until the member's msgd knows the group at this epoch.
  bool knows_group(const std::string& name, const std::string& group_name, std::int64_t epoch) {
    return eventually([&] {
      const json g = group_of(name, group_name);
      return !g.is_null() && g.at("epoch").get<std::int64_t>() >= epoch;
    });
  }

  static std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Everything msgd keeps on disk for the user: the database and its WAL.
  std::string state_bytes(const std::string& name) {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / name)) {
      if (entry.is_regular_file()) all += file_bytes(entry.path());
    }
    return all;
  }
};

TEST_F(MsgdGroupsTest, ThreeMembersEachSeeEveryMessageWithItsSenderInOrder) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  registered_user("carol");
  const json created = call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  EXPECT_EQ(created.at("members"), json({"alice", "bob", "carol"}));
  EXPECT_EQ(created.at("admins"), json({"alice"}));
  EXPECT_EQ(created.at("epoch"), 1);
  EXPECT_TRUE(created.at("admin").get<bool>());
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  EXPECT_EQ(group_of("bob", "ops").at("id"), created.at("id"));
  EXPECT_FALSE(group_of("bob", "ops").at("admin").get<bool>());

  call("alice", "group_send", {{"group", "ops"}, {"text", "alice 1"}});
  call("alice", "send", {{"peer", "@ops"}, {"text", "alice 2"}});  // send takes "@GROUP" too
  ASSERT_TRUE(eventually([&] { return group_history("bob", "ops").size() == 2; }));
  call("bob", "group_send", {{"group", "@ops"}, {"text", "bob 1"}});
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() == 3; }));
  call("carol", "group_send", {{"group", created.at("id")}, {"text", "carol 1"}});

  const std::vector<std::pair<std::string, std::string>> expected{
      {"alice", "alice 1"}, {"alice", "alice 2"}, {"bob", "bob 1"}, {"carol", "carol 1"}};
  for (const char* member : {"alice", "bob", "carol"}) {
    ASSERT_TRUE(eventually([&] { return group_history(member, "ops").size() >= 4; })) << member;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a duplicate would have landed by now
  for (const char* member : {"alice", "bob", "carol"}) EXPECT_EQ(group_history(member, "ops"), expected) << member;

  // A received group message names its group; the inbox shows it.
  const json inbox = call("bob", "inbox");
  const auto from_carol =
      std::find_if(inbox.begin(), inbox.end(), [](const json& m) { return m.at("text") == "carol 1"; });
  ASSERT_NE(from_carol, inbox.end());
  EXPECT_EQ(from_carol->at("group").at("name"), "ops");
  EXPECT_EQ(from_carol->at("sender"), "carol");
  EXPECT_EQ(from_carol->at("peer"), "#" + created.at("id").get<std::string>());
  // Sent means the relay holds it for every member.
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : call("alice", "history", {{"peer", "@ops"}})) {
      if (m.at("sender") == "alice" && m.at("state") != "sent") return false;
    }
    return true;
  }));
  EXPECT_EQ(call("bob", "mark_read", {{"peer", "@ops"}}).at("marked"), 3);
  // Nothing was refused along the way.
  for (const char* member : {"alice", "bob", "carol"}) {
    EXPECT_EQ(user(member).process().output().find("refused"), std::string::npos) << member;
  }
}

TEST_F(MsgdGroupsTest, AddedMemberReadsWhatFollowsAndARemovedOneNothingAfter) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol", "dave"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  call("alice", "group_send", {{"group", "ops"}, {"text", "before dave"}});
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() == 1; }));

  // Only an admin changes the group.
  EXPECT_THROW(call("bob", "group_add", {{"group", "ops"}, {"members", {"dave"}}}), std::exception);

  const json added = call("alice", "group_add", {{"group", "ops"}, {"members", {"dave"}}});
  EXPECT_EQ(added.at("epoch"), 2);
  ASSERT_TRUE(knows_group("dave", "ops", 2));
  ASSERT_TRUE(knows_group("bob", "ops", 2));
  call("bob", "group_send", {{"group", "ops"}, {"text", "hello dave"}});
  ASSERT_TRUE(eventually([&] { return group_history("dave", "ops").size() == 1; }));
  EXPECT_EQ(group_history("dave", "ops").front(), (std::pair<std::string, std::string>{"bob", "hello dave"}));

  const json removed = call("alice", "group_remove", {{"group", "ops"}, {"members", {"carol"}}});
  EXPECT_EQ(removed.at("members"), json({"alice", "bob", "dave"}));
  ASSERT_TRUE(eventually([&] { return group_of("carol", "ops").value("status", "") == "removed"; }));
  ASSERT_TRUE(knows_group("bob", "ops", 3));
  ASSERT_TRUE(knows_group("dave", "ops", 3));
  const std::string secret = "after carol left: the launch code is 7431";
  call("bob", "group_send", {{"group", "ops"}, {"text", secret}});
  call("alice", "group_send", {{"group", "ops"}, {"text", "alice after carol"}});
  ASSERT_TRUE(eventually([&] { return group_history("dave", "ops").size() == 3; }));
  ASSERT_TRUE(eventually([&] { return group_history("alice", "ops").size() == 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // carol's history ends where she was removed, and nothing she stores holds
  // the later plaintext (she never had the key: the relay did not even send
  // it to her, and had it done so, her msgd forgot every key of the group).
  EXPECT_EQ(group_history("carol", "ops").size(), 2u);
  EXPECT_EQ(state_bytes("carol").find("launch code"), std::string::npos);
  EXPECT_NE(state_bytes("bob").find("launch code"), std::string::npos);  // the check can see plaintext
  EXPECT_THROW(call("carol", "group_send", {{"group", "ops"}, {"text", "am I still here?"}}), std::exception);

  // bob leaves: the others see it; what follows does not reach him.
  EXPECT_EQ(call("bob", "group_leave", {{"group", "ops"}}).at("status"), "left");
  ASSERT_TRUE(eventually([&] { return group_of("alice", "ops").at("members") == json({"alice", "dave"}); }));
  ASSERT_TRUE(eventually([&] { return group_of("dave", "ops").at("members") == json({"alice", "dave"}); }));
  call("dave", "group_send", {{"group", "ops"}, {"text", "just us"}});
  ASSERT_TRUE(eventually([&] { return group_history("alice", "ops").size() == 5; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto bobs = group_history("bob", "ops");
  EXPECT_EQ(std::count_if(bobs.begin(), bobs.end(), [](const auto& m) { return m.second == "just us"; }), 0);

  // Renaming reaches everyone still in it.
  call("alice", "group_rename", {{"group", "ops"}, {"name", "launch team"}});
  ASSERT_TRUE(eventually([&] { return !group_of("dave", "launch team").is_null(); }));
}

TEST_F(MsgdGroupsTest, AnOfflineMemberCatchesUpOnEveryMessageInOrderOnce) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());

  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 5; ++i) {
    for (const char* sender : {"alice", "bob"}) {
      const std::string text = std::string(sender) + " " + std::to_string(i);
      call(sender, "group_send", {{"group", "ops"}, {"text", text}});
      expected.emplace_back(sender, text);
    }
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }));
  ASSERT_TRUE(eventually([&] { return call("bob", "status").at("outbox") == 0; }));
  user("carol").start();
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() >= expected.size(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto got = group_history("carol", "ops");
  ASSERT_EQ(got.size(), expected.size());
  // In order per sender (the two senders' messages may interleave either way).
  for (const char* sender : {"alice", "bob"}) {
    std::vector<std::string> want, have;
    for (const auto& [s, t] : expected) {
      if (s == sender) want.push_back(t);
    }
    for (const auto& [s, t] : got) {
      if (s == sender) have.push_back(t);
    }
    EXPECT_EQ(have, want) << sender;
  }
}

// alice is killed with SIGKILL at random moments while she streams messages to
// the group: every message whose group_send returned reaches each member
// exactly once.
TEST_F(MsgdGroupsTest, KillNineOfTheSenderMidFanOutDeliversEachMessageOnce) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  std::mt19937 random(static_cast<unsigned>(::testing::UnitTest::GetInstance()->random_seed()));
  std::set<std::string> accepted;
  int next = 0;
  for (int round = 0; round < 3; ++round) {
    auto client = user("alice").socket_client();
    std::thread killer([&, delay = random() % 40] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      user("alice").process().kill9();
    });
    for (int i = 0; i < 30; ++i) {
      const std::string text = "stream " + std::to_string(next++);
      try {
        client->call("group_send", {{"group", "ops"}, {"text", text}});
        accepted.insert(text);
      } catch (const std::exception&) {
        break;
      }
    }
    killer.join();
    client.reset();
    user("alice").start();
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (const char* member : {"bob", "carol"}) {
    std::multiset<std::string> received;
    for (const auto& [sender, text] : group_history(member, "ops")) received.insert(text);
    for (const auto& text : accepted) EXPECT_EQ(received.count(text), 1u) << member << ": " << text;
    for (const auto& text : received) EXPECT_EQ(received.count(text), 1u) << member << " duplicate: " << text;
  }
}

TEST_F(MsgdGroupsTest, TheRelaysDatabaseHoldsNoGroupPlaintext) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "secret-project-name"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "secret-project-name", 1));
  // carol is away: the relay queues her copy.
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());
  call("alice", "group_send", {{"group", "secret-project-name"}, {"text", "the plaintext marker 5f2c"}});
  ASSERT_TRUE(eventually([&] { return group_history("bob", "secret-project-name").size() == 1; }));
  std::string relay_files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "relay")) {
    if (entry.is_regular_file()) relay_files += file_bytes(entry.path());
  }
  EXPECT_GT(relay_files.size(), 0u);
  EXPECT_EQ(relay_files.find("plaintext marker"), std::string::npos);
  EXPECT_EQ(relay_files.find("secret-project-name"), std::string::npos);
}

TEST_F(MsgdGroupsTest, BadRequestsAreRefusedClearlyAndChangeNothing) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  auto refused = [&](const std::string& method, const json& params) {
    try {
      call("alice", method, params);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(refused("group_create", {{"name", ""}}).find("empty"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", std::string(65, 'x')}}).find("64 bytes"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "a\x1b[2Jb"}}).find("control"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "@ops"}}).find("'@'"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "ops"}, {"members", {"not a name"}}}).find("members"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "ops"}, {"members", {"alice"}}}).find("you are in"), std::string::npos);
  EXPECT_NE(refused("group_send", {{"group", "nosuch"}, {"text", "x"}}).find("no group named"), std::string::npos);
  EXPECT_EQ(call("alice", "group_list").size(), 0u);

  const json with_bob = call("alice", "group_create", {{"name", "twin"}, {"members", {"bob"}}});
  call("alice", "group_create", {{"name", "twin"}});
  EXPECT_NE(refused("group_send", {{"group", "twin"}, {"text", "x"}}).find("several groups"), std::string::npos);
  EXPECT_NE(refused("group_add", {{"group", with_bob.at("id")}, {"members", {"bob"}}}).find("already"),
            std::string::npos);
  EXPECT_EQ(call("alice", "group_list").size(), 2u);
  ASSERT_TRUE(knows_group("bob", "twin", 1));
  EXPECT_EQ(call("bob", "group_list").size(), 1u);
}

}  // namespace
}  // namespace sotto::testing
