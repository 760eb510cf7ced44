// Group fan-out over real TLS and a real SQLite file: one Send listing many
// recipients (docs/protocol.md, "Send"). All or nothing, durable for every
// recipient before SendAck, one delivery per recipient, each sender's order
// kept, and the limits on the recipient list.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

constexpr auto kNothingMore = std::chrono::milliseconds(700);
// A group's members all register from 127.0.0.1 within a second; the
// default per-address limit would refuse most of them.
const std::string kManyRegistrations =
    "rate_limits:\n  register_per_address:\n    rate: 100\n    per: 1h\n    burst: 100\n";

std::vector<std::string> member_names(const std::string& prefix, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

// Every Deliver until `count` arrived (or none came for 10 s), acknowledged.
std::vector<wire::Deliver> take_deliveries(RelayTestClient& c, std::size_t count) {
  std::vector<wire::Deliver> got;
  while (got.size() < count) {
    auto push = c.next_delivery(std::chrono::seconds(10));
    if (!push) break;
    got.push_back(push->deliver());
    c.ack(push->deliver().delivery_id());
  }
  return got;
}

// True when nothing more arrives. A Ping round trip first, so that the acks
// sent before are ordered before the wait on the server's side.
bool nothing_more(RelayTestClient& c) {
  wire::Frame ping;
  ping.mutable_ping();
  if (c.request(ping).body_case() != wire::Frame::kPong) return false;
  return !c.next_delivery(kNothingMore).has_value();
}

class FanoutTest : public RelaydTest {
 protected:
  // Registers each name and disconnects; returns their tokens, by name.
  std::map<std::string, std::string> offline_members(const std::vector<std::string>& names) {
    std::map<std::string, std::string> tokens;
    for (const auto& name : names) connect_as(name, &tokens[name]);
    return tokens;
  }
};

TEST_F(FanoutTest, AGroupSendAcknowledgedJustBeforeKillNineReachesEveryRecipientOnceAfterTheRestart) {
  start_relayd(kManyRegistrations);
  const auto names = member_names("member", 12);
  auto tokens = offline_members(names);
  auto alice = connect_as("alice");

  // Pipelined, so that the last SendAck comes from a batch whose fsync has
  // only just finished when the relay is killed.
  constexpr int kMessages = 8;
  std::set<std::uint64_t> waiting;
  for (int i = 0; i < kMessages; ++i) {
    wire::Frame f;
    f.set_request_id(static_cast<std::uint64_t>(i + 1));
    f.mutable_send()->set_message_id(test_message_id(static_cast<std::uint64_t>(i)));
    for (const auto& name : names) f.mutable_send()->add_recipients(name);
    f.mutable_send()->set_envelope("group-" + std::to_string(i));
    alice->send(f);
    waiting.insert(f.request_id());
  }
  while (!waiting.empty()) {
    auto reply = alice->read_frame(std::chrono::seconds(10));
    ASSERT_TRUE(reply.has_value()) << waiting.size() << " Sends unanswered";
    if (reply->request_id() == 0 && reply->body_case() == wire::Frame::kPrekeyStatus) continue;  // a push
    ASSERT_EQ(reply->body_case(), wire::Frame::kSendAck) << reply->error().reason();
    waiting.erase(reply->request_id());
  }
  relayd().kill9();
  relayd().start();

  std::set<std::uint64_t> delivery_ids;
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto member = resume_as(tokens[name]);
    const auto got = take_deliveries(*member, kMessages);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kMessages));
    for (int i = 0; i < kMessages; ++i) {
      EXPECT_EQ(got[static_cast<std::size_t>(i)].message_id(), test_message_id(static_cast<std::uint64_t>(i)));
      EXPECT_EQ(got[static_cast<std::size_t>(i)].envelope(), "group-" + std::to_string(i));
      EXPECT_EQ(got[static_cast<std::size_t>(i)].sender(), "alice");
      delivery_ids.insert(got[static_cast<std::size_t>(i)].delivery_id());
    }
    EXPECT_TRUE(nothing_more(*member)) << "a recipient got a group message twice";
  }
  // One delivery id per (message, recipient): an ack by one member can never
  // delete another member's copy.
  EXPECT_EQ(delivery_ids.size(), names.size() * kMessages);
}

TEST_F(FanoutTest, OfflineMembersGetGroupMessagesInEachSendersOrderWhenTheyComeBack) {
  start_relayd(kManyRegistrations);
  const auto away = member_names("away", 3);
  auto tokens = offline_members(away);
  auto online = connect_as("online");
  auto alice = connect_as("alice");
  auto frank = connect_as("frank");
  std::vector<std::string> group = away;
  group.push_back("online");

  // Two senders take turns, so each member's queue interleaves them.
  constexpr int kEach = 20;
  for (int i = 0; i < kEach; ++i) {
    ASSERT_EQ(alice->send_envelope(test_message_id(static_cast<std::uint64_t>(i)), group, "a" + std::to_string(i))
                  .body_case(),
              wire::Frame::kSendAck);
    ASSERT_EQ(frank->send_envelope(test_message_id(static_cast<std::uint64_t>(i)), group, "f" + std::to_string(i))
                  .body_case(),
              wire::Frame::kSendAck);
  }

  const auto check = [&](const std::vector<wire::Deliver>& got) {
    ASSERT_EQ(got.size(), static_cast<std::size_t>(2 * kEach));
    std::map<std::string, int> next;  // per sender, the index expected next
    std::uint64_t last_delivery_id = 0;
    for (const auto& d : got) {
      const std::string prefix = d.sender() == "alice" ? "a" : "f";
      EXPECT_EQ(d.envelope(), prefix + std::to_string(next[d.sender()]++)) << "out of order from " << d.sender();
      EXPECT_GT(d.delivery_id(), last_delivery_id);
      last_delivery_id = d.delivery_id();
    }
    EXPECT_EQ(next["alice"], kEach);
    EXPECT_EQ(next["frank"], kEach);
  };
  {
    SCOPED_TRACE("online");
    check(take_deliveries(*online, 2 * kEach));
  }
  for (const auto& name : away) {
    SCOPED_TRACE(name);
    auto member = resume_as(tokens[name]);
    check(take_deliveries(*member, 2 * kEach));
    EXPECT_TRUE(nothing_more(*member));
  }
}

TEST_F(FanoutTest, ASendToMoreRecipientsThanMaxRecipientsIsRefusedAndNothingIsStored) {
  start_relayd(kManyRegistrations + "queue:\n  max_recipients: 3\n");
  const auto names = member_names("member", 4);
  auto tokens = offline_members(names);
  auto alice = connect_as("alice");

  const auto refused = alice->send_envelope(test_message_id(1), names, "too many");
  ASSERT_EQ(refused.body_case(), wire::Frame::kError);
  EXPECT_EQ(refused.error().code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(refused.error().reason().find("at most 3"), std::string::npos) << refused.error().reason();

  // The protocol's own cap (1000) is checked before any name is looked up.
  const auto crowd = member_names("nobody", 1001);
  const auto far_too_many = alice->send_envelope(test_message_id(2), crowd, "far too many");
  ASSERT_EQ(far_too_many.body_case(), wire::Frame::kError);
  EXPECT_EQ(far_too_many.error().code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(far_too_many.error().reason().find("send.recipients has 1001 entries"), std::string::npos)
      << far_too_many.error().reason();

  // Not even the idempotency record was kept: the same message id is
  // stored afresh, and it is the only thing anyone gets.
  ASSERT_EQ(alice->send_envelope(test_message_id(1), {names[0]}, "fits").body_case(), wire::Frame::kSendAck);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto member = resume_as(tokens[name]);
    if (name == names[0]) {
      const auto got = take_deliveries(*member, 1);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].envelope(), "fits");
    }
    EXPECT_TRUE(nothing_more(*member));
  }
}

TEST_F(FanoutTest, ARecipientNamedTwiceInOneSendIsRefusedAndNothingIsStored) {
  start_relayd();
  std::string bob_token, carol_token;
  connect_as("bob", &bob_token);
  connect_as("carol", &carol_token);
  auto alice = connect_as("alice");

  // "Bob" is bob: names are compared in their canonical form.
  const auto refused = alice->send_envelope(test_message_id(1), {"bob", "carol", "Bob"}, "twice");
  ASSERT_EQ(refused.body_case(), wire::Frame::kError);
  EXPECT_EQ(refused.error().code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(refused.error().reason().find("send.recipients[2] repeats an earlier recipient"), std::string::npos)
      << refused.error().reason();

  ASSERT_EQ(alice->send_envelope(test_message_id(1), {"bob", "carol"}, "once").body_case(), wire::Frame::kSendAck);
  for (const auto* token : {&bob_token, &carol_token}) {
    auto member = resume_as(*token);
    const auto got = take_deliveries(*member, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].envelope(), "once");
    EXPECT_TRUE(nothing_more(*member)) << "the refused Send left something behind";
  }
}

TEST_F(FanoutTest, AGroupSendWithOneRecipientsQueueFullIsRefusedForEveryRecipient) {
  start_relayd("queue:\n  max_envelopes_per_user: 2\n");
  std::string bob_token, carol_token;
  connect_as("bob", &bob_token);
  connect_as("carol", &carol_token);
  auto alice = connect_as("alice");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(alice->send_envelope(test_message_id(static_cast<std::uint64_t>(i)), {"bob"}, "fills").body_case(),
              wire::Frame::kSendAck);
  }
  const auto refused = alice->send_envelope(test_message_id(9), {"carol", "bob"}, "group");
  ASSERT_EQ(refused.body_case(), wire::Frame::kError);
  EXPECT_EQ(refused.error().code(), wire::QUEUE_FULL);

  auto carol = resume_as(carol_token);
  EXPECT_TRUE(nothing_more(*carol)) << "carol got a Send that was refused for bob";
  auto bob = resume_as(bob_token);
  const auto got = take_deliveries(*bob, 3);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].envelope(), "fills");
  EXPECT_EQ(got[1].envelope(), "fills");
}

}  // namespace
}  // namespace sotto::testing
