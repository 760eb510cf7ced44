#include "frontends/notify/notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sotto::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A notification server that records each Notify and answers only when the
// test says so, like the real one (asynchronously, ids of its own choosing).
class FakeSink final : public NotificationSink {
 public:
  bool available() const override { return available_; }
  bool has_capability(const std::string& name) const override { return capabilities_.count(name) != 0; }
  void notify(const NotificationRequest& request, Posted posted) override {
    requests_.push_back(request);
    pending_.push_back(std::move(posted));
  }
  void close(std::uint32_t id) override { closed_.push_back(id); }

  // Answers the oldest unanswered Notify as the spec says: the replaced id,
  // or a new one.
  std::uint32_t answer() {
    const NotificationRequest& request = requests_.at(requests_.size() - pending_.size());
    const std::uint32_t id = request.replaces_id != 0 ? request.replaces_id : next_id_++;
    Posted posted = std::move(pending_.front());
    pending_.pop_front();
    posted(id);
    return id;
  }
  void fail() {
    Posted posted = std::move(pending_.front());
    pending_.pop_front();
    posted(std::nullopt);
  }

  bool available_ = true;
  std::set<std::string> capabilities_{"actions", "body", "body-markup"};
  std::vector<NotificationRequest> requests_;
  std::deque<Posted> pending_;
  std::vector<std::uint32_t> closed_;
  std::uint32_t next_id_ = 7;
};

class FakeMessenger final : public MessengerCommands {
 public:
  void mark_read(const std::string& peer) override { marked_.push_back(peer); }
  void send(const std::string& peer, const std::string& text) override { sent_.emplace_back(peer, text); }
  std::vector<std::string> marked_;
  std::vector<std::pair<std::string, std::string>> sent_;
};

class FakeLauncher final : public CommandLauncher {
 public:
  void launch(const std::vector<std::string>& argv) override { launched_.push_back(argv); }
  std::vector<std::vector<std::string>> launched_;
};

IncomingMessage from(const std::string& peer, const std::string& text) { return {"id-" + text, peer, peer, text}; }

class NotifierTest : public ::testing::Test {
 protected:
  Notifier& notifier() {
    if (!notifier_) notifier_ = std::make_unique<Notifier>(config_, sink_, messenger_, launcher_);
    return *notifier_;
  }

  NotifyConfig config_;
  FakeSink sink_;
  FakeMessenger messenger_;
  FakeLauncher launcher_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, PostsOnePopupWithTheSpecifiedFields) {
  notifier().on_message(from("alice", "hello <there>"));
  ASSERT_EQ(sink_.requests_.size(), 1u);
  const NotificationRequest& r = sink_.requests_[0];
  EXPECT_EQ(r.replaces_id, 0u);
  EXPECT_EQ(r.app_name, "Sotto");
  EXPECT_EQ(r.app_icon, "mail-message-new");
  EXPECT_EQ(r.summary, "alice");
  EXPECT_EQ(r.body, "hello &lt;there&gt;");
  EXPECT_EQ(r.category, "im.received");
  EXPECT_EQ(r.urgency, 1);
  EXPECT_EQ(r.expire_timeout_ms, -1);
  EXPECT_THAT(r.actions, ElementsAre("default", "Mark as read"));
  const std::uint32_t id = sink_.answer();
  EXPECT_EQ(notifier().popup_id("alice"), id);
}

TEST_F(NotifierTest, AFileMessageSaysWhatWasSent) {
  IncomingMessage file = from("alice", "the Q3 numbers");
  file.file = FileSummary{"report<1>.pdf", 2'100'000};
  notifier().on_message(file);
  ASSERT_EQ(sink_.requests_.size(), 1u);
  EXPECT_EQ(sink_.requests_[0].summary, "alice");
  EXPECT_EQ(sink_.requests_[0].body, "alice sent report&lt;1&gt;.pdf (2.1 MB)\nthe Q3 numbers");
  const std::uint32_t id = sink_.answer();
  notifier().on_message(from("alice", "did you get it?"));
  EXPECT_EQ(sink_.requests_.back().replaces_id, id);
  EXPECT_EQ(sink_.requests_.back().body, "did you get it?\n(2 new messages)") << "the latest message is a text";
}

TEST_F(NotifierTest, FurtherMessagesReplaceTheShownPopup) {
  notifier().on_message(from("alice", "one"));
  const std::uint32_t id = sink_.answer();
  notifier().on_message(from("alice", "two"));
  notifier().on_message(from("bob", "other"));
  ASSERT_EQ(sink_.requests_.size(), 3u);
  EXPECT_EQ(sink_.requests_[1].replaces_id, id);
  EXPECT_EQ(sink_.requests_[1].body, "two\n(2 new messages)");
  EXPECT_EQ(sink_.requests_[2].replaces_id, 0u) << "another sender gets a popup of its own";
  EXPECT_EQ(sink_.answer(), id);
  EXPECT_NE(sink_.answer(), id);
  EXPECT_EQ(notifier().popup_count("alice"), 2);
}

TEST_F(NotifierTest, MessagesArrivingBeforeTheServerAnswersAreFoldedIntoOneReplacement) {
  notifier().on_message(from("alice", "one"));
  notifier().on_message(from("alice", "two"));
  notifier().on_message(from("alice", "three"));
  ASSERT_EQ(sink_.requests_.size(), 1u) << "no second popup while the first id is unknown";
  const std::uint32_t id = sink_.answer();
  ASSERT_EQ(sink_.requests_.size(), 2u);
  EXPECT_EQ(sink_.requests_[1].replaces_id, id);
  EXPECT_EQ(sink_.requests_[1].body, "three\n(3 new messages)");
  sink_.answer();
  EXPECT_EQ(sink_.requests_.size(), 2u);
}

TEST_F(NotifierTest, ClosedPopupIsForgotten) {
  notifier().on_message(from("alice", "one"));
  const std::uint32_t id = sink_.answer();
  notifier().on_closed(id);
  EXPECT_EQ(notifier().popup_id("alice"), 0u);
  notifier().on_message(from("alice", "two"));
  EXPECT_EQ(sink_.requests_.back().replaces_id, 0u);
  EXPECT_EQ(sink_.requests_.back().body, "two") << "the count starts again";
}

TEST_F(NotifierTest, PopupClosedWhileItsReplacementIsUnansweredIsNotReplacedAgain) {
  notifier().on_message(from("alice", "one"));
  const std::uint32_t id = sink_.answer();
  notifier().on_message(from("alice", "two"));
  notifier().on_closed(id);  // the user closed it just before the replacement arrived
  sink_.next_id_ = 50;
  sink_.requests_.back().replaces_id = 0;  // the server no longer knows id: a new popup
  EXPECT_EQ(sink_.answer(), 50u);
  EXPECT_EQ(notifier().popup_id("alice"), 50u);
  notifier().on_closed(id);  // a stale close of the old id changes nothing
  EXPECT_EQ(notifier().popup_id("alice"), 50u);
}

TEST_F(NotifierTest, OtherProgramsPopupsAreIgnored) {
  notifier().on_message(from("alice", "one"));
  const std::uint32_t id = sink_.answer();
  notifier().on_closed(id + 100);
  notifier().on_action(id + 100, "default");
  notifier().on_replied(id + 100, "hi");
  EXPECT_EQ(notifier().popup_id("alice"), id);
  EXPECT_THAT(messenger_.marked_, IsEmpty());
  EXPECT_THAT(messenger_.sent_, IsEmpty());
}

TEST_F(NotifierTest, FailedNotifyIsForgottenAndTheNextMessageTriesAgain) {
  notifier().on_message(from("alice", "one"));
  sink_.fail();
  EXPECT_EQ(notifier().popup_count("alice"), 0);
  notifier().on_message(from("alice", "two"));
  EXPECT_EQ(sink_.requests_.size(), 2u);
  EXPECT_EQ(sink_.requests_.back().replaces_id, 0u);
}

TEST_F(NotifierTest, ServerLossForgetsEveryPopupAndIgnoresLateAnswers) {
  notifier().on_message(from("alice", "one"));
  const std::uint32_t id = sink_.answer();
  notifier().on_message(from("bob", "b"));
  notifier().on_server_lost();
  EXPECT_EQ(notifier().popup_id("alice"), 0u);
  sink_.answer();  // bob's late answer from the old server
  EXPECT_EQ(notifier().popup_id("bob"), 0u);
  notifier().on_message(from("alice", "two"));
  EXPECT_EQ(sink_.requests_.back().replaces_id, 0u) << "id " << id << " belonged to the old server";
}

TEST_F(NotifierTest, MutedPeersAndDoNotDisturbPostNothing) {
  config_.muted = {"carol"};
  notifier().on_message(from("carol", "spam"));
  EXPECT_THAT(sink_.requests_, IsEmpty());
  notifier().on_message(from("alice", "hi"));
  EXPECT_EQ(sink_.requests_.size(), 1u);

  config_.do_not_disturb = true;
  notifier().on_message(from("bob", "hi"));
  EXPECT_EQ(sink_.requests_.size(), 1u);
}

TEST_F(NotifierTest, NothingIsPostedWithoutAServer) {
  sink_.available_ = false;
  notifier().on_message(from("alice", "hi"));
  EXPECT_THAT(sink_.requests_, IsEmpty());
  sink_.available_ = true;
  notifier().on_message(from("alice", "again"));
  ASSERT_EQ(sink_.requests_.size(), 1u);
  EXPECT_EQ(sink_.requests_[0].body, "again") << "the skipped message is not counted";
}

TEST_F(NotifierTest, PrivacyModeHidesSenderAndTextEverywhere) {
  config_.privacy = true;
  notifier().on_message(from("alice", "secret"));
  sink_.answer();
  notifier().on_message(from("alice", "secret 2"));
  IncomingMessage file = from("alice", "");
  file.file = FileSummary{"secret-plan.pdf", 10};
  sink_.answer();
  notifier().on_message(file);
  ASSERT_EQ(sink_.requests_.size(), 3u);
  for (const NotificationRequest& r : sink_.requests_) {
    EXPECT_EQ(r.summary, "New message");
    EXPECT_EQ(r.body, "");
  }
}

TEST_F(NotifierTest, TimeoutIsPassedAsExpireTimeout) {
  config_.timeout = std::chrono::seconds(10);
  notifier().on_message(from("alice", "hi"));
  EXPECT_EQ(sink_.requests_.at(0).expire_timeout_ms, 10'000);
  config_.timeout = std::chrono::milliseconds(0);
  notifier().on_message(from("bob", "hi"));
  EXPECT_EQ(sink_.requests_.at(1).expire_timeout_ms, 0);
}

TEST_F(NotifierTest, ActionsDependOnCapabilitiesAndReplyCommand) {
  sink_.capabilities_ = {"body"};
  EXPECT_THAT(notifier().actions(), IsEmpty()) << "no actions without the capability";
  sink_.capabilities_ = {"actions"};
  EXPECT_THAT(notifier().actions(), ElementsAre("default", "Mark as read")) << "no reply without a way to reply";
  config_.reply_command = {"x-terminal-emulator", "-e", "msg-tui", "{peer}"};
  EXPECT_THAT(notifier().actions(), ElementsAre("default", "Mark as read", "reply", "Reply"));
  sink_.capabilities_ = {"actions", "inline-reply"};
  EXPECT_THAT(notifier().actions(), ElementsAre("default", "Mark as read", "inline-reply", "Reply"))
      << "inline reply wins over the command";
  config_.reply_command.clear();
  EXPECT_THAT(notifier().actions(), ElementsAre("default", "Mark as read", "inline-reply", "Reply"));
}

TEST_F(NotifierTest, DefaultActionMarksTheConversationReadAndClosesThePopup) {
  notifier().on_message(from("alice", "one"));
  notifier().on_message(from("alice", "two"));
  const std::uint32_t id = sink_.answer();
  sink_.answer();
  notifier().on_action(id, "default");
  EXPECT_THAT(messenger_.marked_, ElementsAre("alice"));
  EXPECT_THAT(sink_.closed_, ElementsAre(id));
}

TEST_F(NotifierTest, InlineReplyIsSentToTheConversation) {
  sink_.capabilities_.insert("inline-reply");
  notifier().on_message(from("alice", "question?"));
  const std::uint32_t id = sink_.answer();
  notifier().on_replied(id, "answer <b>!");
  EXPECT_THAT(messenger_.sent_, ElementsAre(std::make_pair(std::string("alice"), std::string("answer <b>!"))));
  EXPECT_THAT(messenger_.marked_, ElementsAre("alice"));
}

TEST_F(NotifierTest, ReplyActionRunsTheCommandWithThePeer) {
  config_.reply_command = {"x-terminal-emulator", "-e", "msg-tui", "{peer}", "--to={peer}{peer}"};
  notifier().on_message(from("alice", "hi"));
  const std::uint32_t id = sink_.answer();
  notifier().on_action(id, "reply");
  ASSERT_EQ(launcher_.launched_.size(), 1u);
  EXPECT_THAT(launcher_.launched_[0], ElementsAre("x-terminal-emulator", "-e", "msg-tui", "alice", "--to=alicealice"));
  notifier().on_action(id, "inline-reply");
  notifier().on_action(id, "unknown");
  EXPECT_EQ(launcher_.launched_.size(), 1u);
}

TEST_F(NotifierTest, ReplyActionWithoutACommandDoesNothing) {
  notifier().on_message(from("alice", "hi"));
  const std::uint32_t id = sink_.answer();
  notifier().on_action(id, "reply");
  EXPECT_THAT(launcher_.launched_, IsEmpty());
}

IncomingMessage in_group(const std::string& sender, const std::string& text) {
  IncomingMessage m = from("@00112233445566778899aabbccddeeff", text);
  m.sender = sender;
  m.group = "#ops";
  return m;
}

TEST_F(NotifierTest, AGroupHasOnePopupSayingWhoWroteLast) {
  sink_.capabilities_.insert("inline-reply");
  notifier().on_message(in_group("alice", "deploy?"));
  ASSERT_EQ(sink_.requests_.size(), 1u);
  EXPECT_EQ(sink_.requests_[0].summary, "alice in #ops");
  EXPECT_EQ(sink_.requests_[0].body, "deploy?");
  const std::uint32_t id = sink_.answer();
  notifier().on_message(in_group("bob", "at 5"));
  EXPECT_EQ(sink_.requests_.back().replaces_id, id);
  EXPECT_EQ(sink_.requests_.back().summary, "bob in #ops");
  EXPECT_EQ(sink_.requests_.back().body, "at 5\n(2 new messages)");
  // A message from alice alone is another conversation, another popup.
  notifier().on_message(from("alice", "psst"));
  EXPECT_EQ(sink_.requests_.back().replaces_id, 0u);
  EXPECT_EQ(sink_.requests_.back().summary, "alice");
  // The reply goes to the group, and the group is marked read.
  sink_.answer();
  notifier().on_replied(id, "ok");
  EXPECT_THAT(messenger_.sent_,
              ElementsAre(std::make_pair(std::string("@00112233445566778899aabbccddeeff"), std::string("ok"))));
  EXPECT_THAT(messenger_.marked_, ElementsAre("@00112233445566778899aabbccddeeff"));
}

TEST_F(NotifierTest, AMutedSenderIsMutedInGroupsToo) {
  config_.muted = {"mallory"};
  notifier().on_message(in_group("mallory", "spam"));
  EXPECT_THAT(sink_.requests_, IsEmpty());
  notifier().on_message(in_group("alice", "hi"));
  EXPECT_EQ(sink_.requests_.size(), 1u);
}

TEST(ReplyArgv, SubstitutesOnlyThePlaceholder) {
  EXPECT_THAT(Notifier::reply_argv({"a", "{peer}", "{pee}", "{{peer}}", ""}, "bob"),
              ElementsAre("a", "bob", "{pee}", "{bob}", ""));
}

}  // namespace
}  // namespace sotto::notify
