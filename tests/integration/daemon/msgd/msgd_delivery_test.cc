// Delivery with real processes: offline peers, a relay restart, msgd killed
// with a full outbox, and what the relay's database holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdDeliveryTest : public MsgdTest {};

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// How many established TCP connections to 127.0.0.1:port hold bytes their
// listener has not read yet (/proc/net/tcp's rx_queue): with relayd stopped,
// the requests each msgd has written and is waiting on.
int connections_with_unread_requests(std::uint16_t port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  int count = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    fields >> slot >> local >> remote >> state >> queues;
    const auto colon = local.find(':');
    const auto queue_colon = queues.find(':');
    if (colon == std::string::npos || queue_colon == std::string::npos) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) != port || state != "01") continue;
    if (std::stoul(queues.substr(queue_colon + 1), nullptr, 16) > 0) ++count;
  }
  return count;
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

// alice and bob write to each other for the first time at the same moment:
// each msgd starts a session (X3DH) and seals its first message before the
// other's first message arrives, then builds a second session from that
// message. Both pairs of sessions stay in use for a while (whatever was
// sealed under the first one is still on its way), and not a message may be
// lost to it. Before previous sessions were kept, every message after the
// first one in each direction failed to decrypt and was dropped.
TEST_F(MsgdDeliveryTest, BothSidesStartingASessionAtOnceLoseNothing) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  // Stopped, relayd holds both FetchBundle requests and answers them together
  // when it resumes, so each side seals before the other's message exists.
  ASSERT_EQ(::kill(relayd().pid(), SIGSTOP), 0);
  call("alice", "send", {{"peer", "bob"}, {"text", "alice 1"}});
  call("bob", "send", {{"peer", "alice"}, {"text", "bob 1"}});
  const bool both_waiting = eventually([&] { return connections_with_unread_requests(port_) >= 2; });
  ASSERT_EQ(::kill(relayd().pid(), SIGCONT), 0);
  ASSERT_TRUE(both_waiting) << "the msgds' requests never reached the stopped relayd";

  // Each first message arrives (it carries its own X3DH header either way).
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 2; }));
  ASSERT_TRUE(eventually([&] { return conversation("alice", "bob").size() == 2; }));
  for (const char* text : {"alice 2", "alice 3"}) call("alice", "send", {{"peer", "bob"}, {"text", text}});
  for (const char* text : {"bob 2", "bob 3"}) call("bob", "send", {{"peer", "alice"}, {"text", text}});

  std::vector<std::string> from_alice, from_bob;
  ASSERT_TRUE(eventually([&] {
    from_alice.clear();
    from_bob.clear();
    for (const auto& [sender, text] : conversation("bob", "alice")) {
      if (sender == "alice") from_alice.push_back(text);
    }
    for (const auto& [sender, text] : conversation("alice", "bob")) {
      if (sender == "bob") from_bob.push_back(text);
    }
    return from_alice.size() == 3 && from_bob.size() == 3;
  })) << "bob has "
      << from_alice.size() << " of alice's 3 messages, alice " << from_bob.size() << " of bob's";
  EXPECT_EQ(from_alice, (std::vector<std::string>{"alice 1", "alice 2", "alice 3"}));
  EXPECT_EQ(from_bob, (std::vector<std::string>{"bob 1", "bob 2", "bob 3"}));
  EXPECT_EQ(user("alice").process().output().find("undecryptable_message"), std::string::npos);
  EXPECT_EQ(user("bob").process().output().find("undecryptable_message"), std::string::npos);
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
