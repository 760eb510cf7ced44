// Delivery with real processes: offline peers, a relay restart, msgd killed
// with a full outbox, and what the relay's database holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdDeliveryTest : public MsgdTest {};

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(MsgdDeliveryTest, OfflinePeerGetsEveryMessageInOrderOnce) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());

  for (const char* text : {"first", "second", "third"}) call("alice", "send", {{"peer", "bob"}, {"text", text}});
  // They reach the relay (sent) while bob is away.
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : call("alice", "history", {{"peer", "bob"}})) {
      if (m.at("state") != "sent") return false;
    }
    return true;
  }));

  user("bob").start();
  const std::vector<std::pair<std::string, std::string>> expected{
      {"alice", "first"}, {"alice", "second"}, {"alice", "third"}};
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() >= 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // any duplicate would have landed by now
  EXPECT_EQ(conversation("bob", "alice"), expected);
}

TEST_F(MsgdDeliveryTest, RelayRestartMidConversation) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  call("alice", "send", {{"peer", "bob"}, {"text", "before"}});
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 1; }));

  relayd().kill9();
  call("alice", "send", {{"peer", "bob"}, {"text", "while down"}});  // queued in alice's outbox
  EXPECT_EQ(call("alice", "status").at("outbox"), 1);
  relayd().start();

  call("bob", "send", {{"peer", "alice"}, {"text", "after"}});
  // Each side's history holds both directions: three messages on each.
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 3; }, std::chrono::seconds(45)));
  ASSERT_TRUE(eventually([&] { return conversation("alice", "bob").size() == 3; }, std::chrono::seconds(45)));
  const auto bobs = conversation("bob", "alice");
  EXPECT_NE(std::find(bobs.begin(), bobs.end(), std::pair<std::string, std::string>{"alice", "while down"}),
            bobs.end());
  const auto alices = conversation("alice", "bob");
  EXPECT_EQ(alices.at(2), (std::pair<std::string, std::string>{"bob", "after"}));
}

// alice queues messages while the relay is down, is killed with SIGKILL, and
// comes back: each message reaches bob exactly once.
TEST_F(MsgdDeliveryTest, KilledWithQueuedOutboxDeliversExactlyOnce) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  call("alice", "send", {{"peer", "bob"}, {"text", "warm-up"}});
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 1; }));

  relayd().kill9();
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) {
    texts.push_back("queued " + std::to_string(i));
    call("alice", "send", {{"peer", "bob"}, {"text", texts.back()}});
  }
  user("alice").kill9();
  relayd().start();
  user("alice").start();

  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() >= 6; }, std::chrono::seconds(45)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto got = conversation("bob", "alice");
  ASSERT_EQ(got.size(), 6u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(got.at(static_cast<std::size_t>(i) + 1).second, texts.at(static_cast<std::size_t>(i)));
}

// SIGKILL at random moments while messages stream out: every message whose
// send returned an id reaches bob, and none twice.
TEST_F(MsgdDeliveryTest, KillNineDuringAStreamLosesNothingAndDuplicatesNothing) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  std::mt19937 random(static_cast<unsigned>(::testing::UnitTest::GetInstance()->random_seed()));
  std::set<std::string> accepted;
  int next = 0;
  for (int round = 0; round < 3; ++round) {
    auto client = user("alice").socket_client();
    const int burst = 10 + static_cast<int>(random() % 20);
    std::thread killer([&, delay = random() % 40] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      user("alice").process().kill9();
    });
    for (int i = 0; i < burst; ++i) {
      const std::string text = "stream " + std::to_string(next++);
      try {
        client->call("send", {{"peer", "bob"}, {"text", text}});
        accepted.insert(text);  // send returned: msgd has it durably
      } catch (const std::exception&) {
        break;  // killed mid-call: this one may or may not have been stored
      }
    }
    killer.join();
    client.reset();
    user("alice").start();
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::multiset<std::string> received;
  for (const auto& [sender, text] : conversation("bob", "alice")) received.insert(text);
  for (const auto& text : accepted) EXPECT_EQ(received.count(text), 1u) << text;
  for (const auto& text : received) EXPECT_EQ(received.count(text), 1u) << "duplicate: " << text;
}

TEST_F(MsgdDeliveryTest, RelayDatabaseNeverHoldsPlaintext) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());  // so envelopes stay queued
  const std::string secret = "the-plaintext-marker-7f3a9c";
  call("alice", "send", {{"peer", "bob"}, {"text", secret}});
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }));
  bool checked_a_file = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(relayd().state_dir())) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = file_bytes(entry.path());
    checked_a_file = checked_a_file || entry.path().filename().string().starts_with("relayd.db");
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "plaintext in " << entry.path();
  }
  EXPECT_TRUE(checked_a_file);
  // It is there, encrypted: bob reads it once he is back.
  user("bob").start();
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 1; }));
  EXPECT_EQ(conversation("bob", "alice").at(0).second, secret);
}

}  // namespace
}  // namespace sotto::testing
