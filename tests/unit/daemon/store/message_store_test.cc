#include "daemon/store/message_store.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "daemon/store/state_database.h"
#include "lib/store/store_error.h"
#include "lib/store/transaction.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::message_id;
using testing::TempDir;

StoredMessage outgoing(unsigned long long n, std::string peer = "bob", std::string text = "hello") {
  return StoredMessage{message_id(n),
                       std::move(peer),
                       Direction::kOut,
                       "alice",
                       std::move(text),
                       static_cast<std::int64_t>(1000 + n),
                       0,
                       MessageState::kQueued,
                       false,
                       MessageKind::kText,
                       std::nullopt};
}

StoredMessage incoming(unsigned long long n, std::string peer = "bob", std::string text = "hi") {
  std::string sender = peer;
  return StoredMessage{message_id(n),
                       std::move(peer),
                       Direction::kIn,
                       std::move(sender),
                       std::move(text),
                       static_cast<std::int64_t>(1000 + n),
                       static_cast<std::int64_t>(2000 + n),
                       MessageState::kUnread,
                       false,
                       MessageKind::kText,
                       std::nullopt};
}

void expect_same(const StoredMessage& a, const StoredMessage& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.peer, b.peer);
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.sender, b.sender);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.sent_at_ms, b.sent_at_ms);
  EXPECT_EQ(a.received_at_ms, b.received_at_ms);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.identity_warning, b.identity_warning);
}

MessageState state_of(MessageStore& messages, unsigned long long n) { return messages.find(message_id(n))->state; }

TEST(MsgdStoreMessages, Names) {
  EXPECT_EQ(to_string(Direction::kIn), "in");
  EXPECT_EQ(to_string(Direction::kOut), "out");
  EXPECT_EQ(to_string(MessageState::kQueued), "queued");
  EXPECT_EQ(to_string(MessageState::kSent), "sent");
  EXPECT_EQ(to_string(MessageState::kDelivered), "delivered");
  EXPECT_EQ(to_string(MessageState::kRead), "read");
  EXPECT_EQ(to_string(MessageState::kFailed), "failed");
  EXPECT_EQ(to_string(MessageState::kUnread), "unread");
}

TEST(MsgdStoreMessages, EveryFieldRoundTripsAndSurvivesReopen) {
  TempDir dir;
  StoredMessage out = outgoing(1);
  StoredMessage in = incoming(2, "carol");
  in.identity_warning = true;
  in.state = MessageState::kRead;
  {
    StateDatabase state(dir.path());
    MessageStore messages(state.db());
    EXPECT_FALSE(messages.find(out.id).has_value());
    messages.insert_outgoing(out);
    EXPECT_TRUE(messages.insert_incoming(in));
  }
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  expect_same(*messages.find(out.id), out);
  expect_same(*messages.find(in.id), in);
  EXPECT_TRUE(messages.contains("bob", out.id));
  EXPECT_TRUE(messages.contains("carol", in.id));
  EXPECT_FALSE(messages.contains("carol", out.id));
  EXPECT_FALSE(messages.contains("bob", message_id(3)));
}

TEST(MsgdStoreMessages, UnicodeAnd64KiBTextAreStoredExactly) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  const std::string unicode = "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x94\x90 \xE2\x80\xAE rtl\nline2\ttab";
  std::string big;
  while (big.size() < 64 * 1024)
    big +=
        "\xD0\x96"
        "0123456789abcdef";
  big.resize(64 * 1024);
  const std::string with_nul("a\0b", 3);
  messages.insert_outgoing(outgoing(1, "bob", unicode));
  messages.insert_incoming(incoming(2, "bob", big));
  messages.insert_outgoing(outgoing(3, "bob", with_nul));
  messages.insert_outgoing(outgoing(4, "bob", ""));
  EXPECT_EQ(messages.find(message_id(1))->text, unicode);
  EXPECT_EQ(messages.find(message_id(2))->text, big);
  EXPECT_EQ(messages.find(message_id(2))->text.size(), 64u * 1024);
  EXPECT_EQ(messages.find(message_id(3))->text, with_nul);
  EXPECT_EQ(messages.find(message_id(4))->text, "");
}

TEST(MsgdStoreMessages, IncomingDuplicatesAreIgnored) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  EXPECT_TRUE(messages.insert_incoming(incoming(7, "bob", "first")));
  EXPECT_FALSE(messages.insert_incoming(incoming(7, "bob", "second")));
  EXPECT_EQ(messages.find(message_id(7))->text, "first");
  EXPECT_EQ(messages.all("bob").size(), 1u);
  EXPECT_EQ(messages.count_unread(), 1u);
  // The same id from another peer is another message.
  EXPECT_TRUE(messages.insert_incoming(incoming(7, "carol", "third")));
  EXPECT_EQ(messages.all("carol").size(), 1u);
}

TEST(MsgdStoreMessages, FindReturnsTheFirstStoredMatch) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_outgoing(outgoing(1, "zed", "to zed"));
  messages.insert_outgoing(outgoing(1, "amy", "to amy"));
  EXPECT_EQ(messages.find(message_id(1))->peer, "zed");
}

TEST(MsgdStoreMessages, OutgoingDuplicatesAndMalformedIdsThrow) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_outgoing(outgoing(1));
  EXPECT_THROW(messages.insert_outgoing(outgoing(1)), store::StoreError);

  for (const std::string& bad : {std::string(31, 'a'), std::string(33, 'a'), std::string(32, 'A'),
                                 std::string(31, 'a') + "g", std::string(31, 'a') + "'", std::string()}) {
    StoredMessage message = outgoing(2);
    message.id = bad;
    EXPECT_THROW(messages.insert_outgoing(message), store::StoreError) << bad;
    message.direction = Direction::kIn;
    EXPECT_THROW(messages.insert_incoming(message), store::StoreError) << bad;
  }
  StoredMessage no_peer = outgoing(3, "");
  EXPECT_THROW(messages.insert_outgoing(no_peer), store::StoreError);
  EXPECT_EQ(messages.all("bob").size(), 1u);
}

TEST(MsgdStoreMessages, DirectionMustMatchTheInsert) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  EXPECT_THROW(messages.insert_outgoing(incoming(1)), std::runtime_error);
  EXPECT_THROW(messages.insert_incoming(outgoing(2)), std::runtime_error);
  EXPECT_TRUE(messages.all("bob").empty());
}

TEST(MsgdStoreMessages, StateOnlyMovesForward) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_outgoing(outgoing(1));

  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kQueued));
  EXPECT_TRUE(messages.advance_state(message_id(1), MessageState::kSent));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kSent));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kQueued));
  EXPECT_TRUE(messages.advance_state(message_id(1), MessageState::kDelivered));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kSent));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kUnread));
  EXPECT_TRUE(messages.advance_state(message_id(1), MessageState::kRead));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kDelivered));
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kFailed)) << "a read message did not fail";
  EXPECT_EQ(state_of(messages, 1), MessageState::kRead);

  // Steps may be skipped (a receipt can overtake the relay's acknowledgement).
  messages.insert_outgoing(outgoing(2));
  EXPECT_TRUE(messages.advance_state(message_id(2), MessageState::kRead));
  EXPECT_EQ(state_of(messages, 2), MessageState::kRead);

  messages.insert_outgoing(outgoing(3));
  EXPECT_TRUE(messages.advance_state(message_id(3), MessageState::kSent));
  EXPECT_TRUE(messages.advance_state(message_id(3), MessageState::kFailed));
  EXPECT_FALSE(messages.advance_state(message_id(3), MessageState::kFailed));
  EXPECT_FALSE(messages.advance_state(message_id(3), MessageState::kDelivered)) << "failed is final";
  EXPECT_EQ(state_of(messages, 3), MessageState::kFailed);

  messages.insert_outgoing(outgoing(4));
  EXPECT_TRUE(messages.advance_state(message_id(4), MessageState::kFailed));

  EXPECT_FALSE(messages.advance_state(message_id(99), MessageState::kSent));
}

TEST(MsgdStoreMessages, AdvanceStateLeavesIncomingMessagesAlone) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_incoming(incoming(5));
  for (auto to : {MessageState::kSent, MessageState::kDelivered, MessageState::kRead, MessageState::kFailed}) {
    EXPECT_FALSE(messages.advance_state(message_id(5), to));
  }
  EXPECT_EQ(state_of(messages, 5), MessageState::kUnread);
}

TEST(MsgdStoreMessages, StateSurvivesReopen) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    MessageStore messages(state.db());
    messages.insert_outgoing(outgoing(1));
    messages.advance_state(message_id(1), MessageState::kDelivered);
  }
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  EXPECT_EQ(state_of(messages, 1), MessageState::kDelivered);
  EXPECT_FALSE(messages.advance_state(message_id(1), MessageState::kSent));
}

TEST(MsgdStoreMessages, HistoryPagesBackwardsOldestFirst) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  // 120 messages with bob, alternating directions, with carol's interleaved.
  // One commit for all of them keeps the test fast (one fsync, not 240).
  store::Transaction transaction(state.db());
  for (unsigned long long n = 0; n < 120; ++n) {
    if (n % 2 == 0) {
      messages.insert_outgoing(outgoing(n));
    } else {
      messages.insert_incoming(incoming(n));
    }
    messages.insert_outgoing(outgoing(1000 + n, "carol"));
  }
  transaction.commit();

  auto expect_ids = [](const std::vector<StoredMessage>& page, unsigned long long first, std::size_t count) {
    ASSERT_EQ(page.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(page[i].id, message_id(first + i));
      EXPECT_EQ(page[i].peer, "bob");
    }
  };
  const auto page1 = messages.history("bob", 50, std::nullopt);
  expect_ids(page1, 70, 50);
  const auto page2 = messages.history("bob", 50, page1.front().id);
  expect_ids(page2, 20, 50);
  const auto page3 = messages.history("bob", 50, page2.front().id);
  expect_ids(page3, 0, 20);
  EXPECT_TRUE(messages.history("bob", 50, page3.front().id).empty());

  expect_ids(messages.history("bob", 1000, std::nullopt), 0, 120);
  expect_ids(messages.history("bob", 3, message_id(10)), 7, 3);
  EXPECT_TRUE(messages.history("bob", 0, std::nullopt).empty());
  EXPECT_TRUE(messages.history("bob", 50, message_id(555)).empty()) << "an unknown before id";
  EXPECT_TRUE(messages.history("bob", 50, message_id(1005)).empty()) << "carol's message is not bob's";
  EXPECT_TRUE(messages.history("bob", 50, std::string("' OR 1=1 --")).empty());
  EXPECT_TRUE(messages.history("dave", 50, std::nullopt).empty());
  EXPECT_EQ(messages.history("carol", 200, std::nullopt).size(), 120u);
}

TEST(MsgdStoreMessages, UnreadMarkReadAndCount) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_incoming(incoming(1, "bob"));
  messages.insert_incoming(incoming(2, "carol"));
  messages.insert_outgoing(outgoing(3, "bob"));
  messages.insert_incoming(incoming(4, "bob"));
  messages.insert_incoming(incoming(5, "carol"));
  messages.insert_incoming(incoming(6, "bob"));
  StoredMessage already_read = incoming(7, "bob");
  already_read.state = MessageState::kRead;
  messages.insert_incoming(already_read);

  EXPECT_EQ(messages.count_unread(), 5u);
  auto unread = messages.unread();
  ASSERT_EQ(unread.size(), 5u);
  EXPECT_EQ(unread[0].id, message_id(1));
  EXPECT_EQ(unread[1].id, message_id(2));
  EXPECT_EQ(unread[2].id, message_id(4));
  EXPECT_EQ(unread[3].id, message_id(5));
  EXPECT_EQ(unread[4].id, message_id(6));

  EXPECT_EQ(messages.mark_read("bob"), 3u);
  EXPECT_EQ(messages.mark_read("bob"), 0u);
  EXPECT_EQ(messages.mark_read("nobody"), 0u);
  EXPECT_EQ(messages.count_unread(), 2u);
  unread = messages.unread();
  ASSERT_EQ(unread.size(), 2u);
  EXPECT_EQ(unread[0].peer, "carol");
  EXPECT_EQ(unread[1].peer, "carol");
  EXPECT_EQ(state_of(messages, 1), MessageState::kRead);
  EXPECT_EQ(state_of(messages, 3), MessageState::kQueued) << "outgoing messages are not touched";

  EXPECT_EQ(messages.mark_read("carol"), 2u);
  EXPECT_EQ(messages.count_unread(), 0u);
  EXPECT_TRUE(messages.unread().empty());
}

TEST(MsgdStoreMessages, AllReturnsThePeersWholeHistoryInOrder) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  messages.insert_outgoing(outgoing(3, "bob"));
  messages.insert_incoming(incoming(1, "bob"));
  messages.insert_outgoing(outgoing(9, "carol"));
  messages.insert_outgoing(outgoing(2, "bob"));
  const auto all = messages.all("bob");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, message_id(3));
  EXPECT_EQ(all[1].id, message_id(1));
  EXPECT_EQ(all[2].id, message_id(2));
  expect_same(all[1], incoming(1, "bob"));
  EXPECT_TRUE(messages.all("dave").empty());
}

}  // namespace
}  // namespace sotto::msgd
