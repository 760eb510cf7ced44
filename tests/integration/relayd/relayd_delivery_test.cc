// Store-and-forward over real TLS and a real SQLite file: pushes, acks,
// offline queues, idempotent sends, quotas, restarts.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using DeliveryTest = RelaydTest;

wire::Frame expect_deliver(RelayTestClient& c) {
  auto push = c.next_delivery(kWait);
  EXPECT_TRUE(push.has_value()) << "no delivery arrived";
  if (!push) return {};
  EXPECT_EQ(push->body_case(), wire::Frame::kDeliver);
  return *push;
}

TEST_F(DeliveryTest, OnlineRecipientGetsAPushAndAnAckDeletesIt) {
  start_relayd();
  std::string bob_token;
  auto bob = connect_as("bob", &bob_token);
  auto alice = connect_as("alice");
  const auto ack = alice->send_envelope(test_message_id(1), {"bob"}, "ciphertext-1");
  ASSERT_EQ(ack.body_case(), wire::Frame::kSendAck) << ack.error().reason();
  EXPECT_EQ(ack.send_ack().message_id(), test_message_id(1));

  const auto d = expect_deliver(*bob);
  EXPECT_EQ(d.deliver().sender(), "alice");
  EXPECT_EQ(d.deliver().envelope(), "ciphertext-1");
  EXPECT_EQ(d.deliver().message_id(), test_message_id(1));
  bob->ack(d.deliver().delivery_id());
  // The ack is committed asynchronously; a Ping round trip orders after it on
  // the server, and a fresh connection must then see an empty queue.
  wire::Frame ping;
  ping.mutable_ping();
  ASSERT_EQ(bob->request(ping).body_case(), wire::Frame::kPong);
  bob.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto again = resume_as(bob_token);
  EXPECT_FALSE(again->next_delivery(std::chrono::milliseconds(700)).has_value());
}

TEST_F(DeliveryTest, OfflineQueueDrainsInOrderAfterReconnect) {
  start_relayd();
  std::string bob_token;
  connect_as("bob", &bob_token);  // registers, then disconnects
  auto alice = connect_as("alice");
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, "m" + std::to_string(i)).body_case(),
              wire::Frame::kSendAck);
  }
  auto bob = resume_as(bob_token);
  for (int i = 0; i < 50; ++i) {
    const auto d = expect_deliver(*bob);
    ASSERT_EQ(d.deliver().envelope(), "m" + std::to_string(i));
    bob->ack(d.deliver().delivery_id());
  }
}

TEST_F(DeliveryTest, UnackedEnvelopesAreDeliveredAgainOnTheNextConnection) {
  start_relayd();
  std::string bob_token;
  auto bob = connect_as("bob", &bob_token);
  auto alice = connect_as("alice");
  ASSERT_EQ(alice->send_envelope(test_message_id(7), {"bob"}, "again").body_case(), wire::Frame::kSendAck);
  EXPECT_EQ(expect_deliver(*bob).deliver().envelope(), "again");
  bob.reset();  // gone without acking
  auto bob2 = resume_as(bob_token);
  EXPECT_EQ(expect_deliver(*bob2).deliver().envelope(), "again");
}

TEST_F(DeliveryTest, RepeatedMessageIdIsStoredOnceAndAckedAgain) {
  start_relayd();
  std::string bob_token;
  connect_as("bob", &bob_token);
  auto alice = connect_as("alice");
  EXPECT_EQ(alice->send_envelope(test_message_id(9), {"bob"}, "once").body_case(), wire::Frame::kSendAck);
  EXPECT_EQ(alice->send_envelope(test_message_id(9), {"bob"}, "once").body_case(), wire::Frame::kSendAck);
  auto bob = resume_as(bob_token);
  const auto d = expect_deliver(*bob);
  EXPECT_EQ(d.deliver().envelope(), "once");
  bob->ack(d.deliver().delivery_id());
  EXPECT_FALSE(bob->next_delivery(std::chrono::milliseconds(700)).has_value());
}

TEST_F(DeliveryTest, FullQueueRefusesAndStoresNothing) {
  start_relayd("queue:\n  max_envelopes_per_user: 3\n");
  std::string bob_token;
  connect_as("bob", &bob_token);
  auto alice = connect_as("alice");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, "fits").body_case(), wire::Frame::kSendAck);
  }
  const auto refused = alice->send_envelope(test_message_id(3), {"bob"}, "does not fit");
  ASSERT_EQ(refused.body_case(), wire::Frame::kError);
  EXPECT_EQ(refused.error().code(), wire::QUEUE_FULL);
  auto bob = resume_as(bob_token);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(expect_deliver(*bob).deliver().envelope(), "fits");
  EXPECT_FALSE(bob->next_delivery(std::chrono::milliseconds(700)).has_value());
}

TEST_F(DeliveryTest, UnknownRecipientIsRefused) {
  start_relayd();
  auto alice = connect_as("alice");
  const auto reply = alice->send_envelope(test_message_id(1), {"nobody"}, "x");
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::NOT_FOUND);
}

TEST_F(DeliveryTest, OneSendFansOutToEveryRecipient) {
  start_relayd();
  auto bob = connect_as("bob");
  auto carol = connect_as("carol");
  auto alice = connect_as("alice");
  ASSERT_EQ(alice->send_envelope(test_message_id(1), {"bob", "carol"}, "group").body_case(), wire::Frame::kSendAck);
  EXPECT_EQ(expect_deliver(*bob).deliver().envelope(), "group");
  EXPECT_EQ(expect_deliver(*carol).deliver().envelope(), "group");
}

TEST_F(DeliveryTest, QueuedEnvelopesSurviveARestart) {
  start_relayd();
  std::string bob_token;
  connect_as("bob", &bob_token);
  {
    auto alice = connect_as("alice");
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, "r" + std::to_string(i)).body_case(),
                wire::Frame::kSendAck);
    }
  }
  EXPECT_EQ(relayd().terminate(), 0);
  relayd().start();
  auto bob = resume_as(bob_token);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(expect_deliver(*bob).deliver().envelope(), "r" + std::to_string(i));
}

// Listening sockets on a local TCP port, from /proc/net/tcp (state 0A is LISTEN).
int listening_sockets(std::uint16_t port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // header
  int count = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    const auto colon = local.find(':');
    if (colon == std::string::npos || state != "0A") continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) ++count;
  }
  return count;
}

TEST_F(DeliveryTest, WithReusePortEachIoThreadListensAndEveryConnectionIsServed) {
  start_relayd("io_threads: 3\nreuse_port: true\n");
  EXPECT_EQ(listening_sockets(relayd().port()), 3);
  EXPECT_NE(relayd().log().find("sockets=3"), std::string::npos);
  // Five users (the registration limit per address), each sending to the
  // next: whichever socket the kernel picked for a connection, its session
  // sends and receives.
  constexpr int kUsers = 5;
  std::vector<std::unique_ptr<RelayTestClient>> users;
  for (int i = 0; i < kUsers; ++i) users.push_back(connect_as("user" + std::to_string(i)));
  for (int i = 0; i < kUsers; ++i) {
    const auto ack = users[static_cast<std::size_t>(i)]->send_envelope(
        test_message_id(i), {"user" + std::to_string((i + 1) % kUsers)}, "to the next " + std::to_string(i));
    ASSERT_EQ(ack.body_case(), wire::Frame::kSendAck) << ack.error().reason();
  }
  for (int i = 0; i < kUsers; ++i) {
    const auto d = expect_deliver(*users[static_cast<std::size_t>((i + 1) % kUsers)]);
    EXPECT_EQ(d.deliver().envelope(), "to the next " + std::to_string(i));
  }
}

TEST_F(DeliveryTest, WithoutReusePortThereIsOneListeningSocket) {
  start_relayd("io_threads: 3\n");
  EXPECT_EQ(listening_sockets(relayd().port()), 1);
}

TEST_F(DeliveryTest, PresenceShowsWhoIsOnline) {
  start_relayd();
  auto bob = connect_as("bob");
  connect_as("carol");  // registers and leaves
  auto alice = connect_as("alice");
  wire::Frame f;
  f.mutable_presence()->add_usernames("bob");
  f.mutable_presence()->add_usernames("carol");
  const auto reply = alice->request(f);
  ASSERT_EQ(reply.body_case(), wire::Frame::kPresenceStatus);
  ASSERT_EQ(reply.presence_status().entries_size(), 2);
  EXPECT_TRUE(reply.presence_status().entries(0).online());
  EXPECT_FALSE(reply.presence_status().entries(1).online());
}

}  // namespace
}  // namespace sotto::testing
