#include "frontends/tui/chat_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/frontends/tui/tui_test_support.h"

namespace sotto::tui {
namespace {

using testing::expect_rows_fit;
using testing::find_action;
using ::testing::HasSubstr;
using testing::incoming;
using testing::is_inert;
using testing::kDay1;
using testing::ModelDriver;
using ::testing::Not;
using testing::outgoing;

ChatModel::Options with_peer(const std::string& peer) {
  ChatModel::Options o;
  o.initial_peer = peer;
  return o;
}

TEST(ChatModel, StartsOnThePeerGivenAndLoadsItWhenMsgdAnswers) {
  ModelDriver d(with_peer("bob"));
  EXPECT_EQ(d.model.open_peer(), "bob");
  d.up();
  EXPECT_NE(find_action<LoadOverview>(d.last), nullptr);
  const auto* history = find_action<LoadHistory>(d.last);
  ASSERT_NE(history, nullptr);
  EXPECT_EQ(history->peer, "bob");
  EXPECT_TRUE(history->before.empty());
  ASSERT_NE(find_action<MarkRead>(d.last), nullptr);
}

TEST(ChatModel, SaysMsgdIsNotRunningAndHowToStartIt) {
  ModelDriver d(with_peer("bob"));
  d.apply(DaemonDown{"no msgd socket"});
  EXPECT_THAT(d.conversation_text(), HasSubstr("msgd is not running"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("systemctl --user start msgd"));
  EXPECT_THAT(d.screen().status.text, HasSubstr("msgd not running"));
}

TEST(ChatModel, NeverLosesTypedTextWhileMsgdIsDown) {
  ModelDriver d(with_peer("bob"));
  d.apply(DaemonDown{"gone"});
  EXPECT_EQ(find_action<SendText>(d.enter("hello bob")), nullptr);
  EXPECT_EQ(d.model.input().text(), "hello bob");
  EXPECT_TRUE(d.model.notice_is_error());
  d.up();
  EXPECT_EQ(d.model.notice(), "msgd is back: Enter sends what you typed");
  const auto* send = find_action<SendText>(d.press(KeyCode::kEnter));
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->peer, "bob");
  EXPECT_EQ(send->text, "hello bob");
  EXPECT_TRUE(d.model.input().empty());
}

TEST(ChatModel, ASentMessageShowsAtOnceThenItsDeliveryState) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto* send = find_action<SendText>(d.enter("hi bob"));
  ASSERT_NE(send, nullptr);
  const auto local_id = send->local_id;
  EXPECT_THAT(d.conversation_text(), HasSubstr("alice: hi bob \u2026"));
  d.apply(SendFinished{local_id, "bob", {}, std::string("m1"), "queued", {}});
  d.apply(DeliveryChanged{"m1", "bob", "sent"});
  EXPECT_THAT(d.conversation_text(), HasSubstr("hi bob \u2713"));
  d.apply(DeliveryChanged{"m1", "bob", "delivered"});
  EXPECT_THAT(d.conversation_text(), HasSubstr("hi bob \u2713\u2713"));
  d.apply(DeliveryChanged{"m1", "bob", "read"});
  EXPECT_THAT(d.conversation_text(), HasSubstr("hi bob \u2713\u2713 read"));
}

TEST(ChatModel, ADeliveryThatOvertakesTheSendAnswerIsKept) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto local_id = find_action<SendText>(d.enter("quick"))->local_id;
  d.apply(DeliveryChanged{"m9", "bob", "delivered"});
  d.apply(SendFinished{local_id, "bob", {}, std::string("m9"), "queued", {}});
  EXPECT_THAT(d.conversation_text(), HasSubstr("quick \u2713\u2713"));
}

TEST(ChatModel, AFailedSendPutsTheTextBack) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto local_id = find_action<SendText>(d.enter("important words"))->local_id;
  d.apply(SendFinished{local_id, "bob", "important words", std::nullopt, {}, "the relay has no such user"});
  EXPECT_EQ(d.model.input().text(), "important words");
  EXPECT_THAT(d.model.notice(), HasSubstr("not sent to bob"));
  EXPECT_THAT(d.conversation_text(), Not(HasSubstr("important words")));
}

TEST(ChatModel, AFailedSendWhileTypingSomethingElseGoesToHistory) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto local_id = find_action<SendText>(d.enter("first"))->local_id;
  d.type("second draft");
  d.apply(SendFinished{local_id, "bob", "first", std::nullopt, {}, "msgd went away"});
  EXPECT_EQ(d.model.input().text(), "second draft");
  d.press(KeyCode::kUp);
  EXPECT_EQ(d.model.input().text(), "first");
}

TEST(ChatModel, IncomingMessagesShowLiveAndCountUnreadElsewhere) {
  ChatModel::Options o = with_peer("bob");
  o.bell = true;
  ModelDriver d(o);
  d.up();
  d.apply(MessageReceived{incoming("bob", "b1", "hello alice")});
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 bob: hello alice"));
  EXPECT_NE(find_action<MarkRead>(d.last), nullptr);
  EXPECT_NE(find_action<Ring>(d.last), nullptr);
  d.apply(MessageReceived{incoming("carol", "c1", "psst")});
  EXPECT_EQ(find_action<MarkRead>(d.last), nullptr);
  EXPECT_THAT(d.sidebar_text(), HasSubstr("carol (1)"));
  EXPECT_THAT(d.conversation_text(), Not(HasSubstr("psst")));
  d.apply(MessageReceived{incoming("carol", "c1", "psst")});  // the same id again
  EXPECT_THAT(d.sidebar_text(), HasSubstr("carol (1)"));
}

TEST(ChatModel, NoBellUnlessAsked) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(MessageReceived{incoming("bob", "b1", "hi")});
  EXPECT_EQ(find_action<Ring>(d.last), nullptr);
}

TEST(ChatModel, OpeningAConversationLoadsItAndClearsItsUnreadCount) {
  ModelDriver d;
  d.up();
  d.apply(InboxLoaded{{incoming("carol", "c1", "x"), incoming("carol", "c2", "y")}});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("carol (2)"));
  const auto actions = d.enter("/open Carol");
  ASSERT_NE(find_action<LoadHistory>(actions), nullptr);
  EXPECT_EQ(find_action<LoadHistory>(actions)->peer, "carol");
  EXPECT_NE(find_action<MarkRead>(actions), nullptr);
  EXPECT_EQ(d.model.open_peer(), "carol");
  EXPECT_THAT(d.sidebar_text(), Not(HasSubstr("(2)")));
}

TEST(ChatModel, OpenRefusesABadUsername) {
  ModelDriver d;
  d.up();
  EXPECT_TRUE(d.enter("/open b\u00F6b").empty());
  EXPECT_TRUE(d.model.notice_is_error());
  EXPECT_TRUE(d.model.open_peer().empty());
}

TEST(ChatModel, CtrlNAndCtrlPWalkTheConversations) {
  ModelDriver d;
  d.up();
  d.apply(ContactsLoaded{{{"bob", "trusted", false}, {"carol", "trusted", false}}});
  d.press(KeyCode::kNextConversation);
  EXPECT_EQ(d.model.open_peer(), "bob");
  d.press(KeyCode::kNextConversation);
  EXPECT_EQ(d.model.open_peer(), "carol");
  d.press(KeyCode::kNextConversation);
  EXPECT_EQ(d.model.open_peer(), "bob");
  d.press(KeyCode::kPreviousConversation);
  EXPECT_EQ(d.model.open_peer(), "carol");
}

TEST(ChatModel, HistoryReplacesTheConversationButKeepsPendingSends) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.enter("pending one");
  d.apply(HistoryLoaded{"bob", {incoming("bob", "b1", "older"), outgoing("bob", "a1", "mine")}, false, 200});
  const std::string text = d.conversation_text();
  EXPECT_LT(text.find("older"), text.find("mine"));
  EXPECT_LT(text.find("mine"), text.find("pending one"));
}

TEST(ChatModel, ScrollingToTheTopLoadsTheOlderPage) {
  ChatModel::Options o = with_peer("bob");
  o.history_page = 30;
  ModelDriver d(o);
  d.up();
  std::vector<MessageData> page;
  for (int i = 0; i < 30; ++i)
    page.push_back(incoming("bob", "id" + std::to_string(i), "message " + std::to_string(i)));
  d.apply(HistoryLoaded{"bob", page, false, 30});
  EXPECT_THAT(d.conversation_text(), HasSubstr("message 29"));
  EXPECT_THAT(d.conversation_text(), Not(HasSubstr("message 0\n")));
  // 31 rows (a day separator and 30 messages) in 21: one page reaches the top.
  d.press(KeyCode::kPageUp);
  EXPECT_EQ(d.model.scroll(), 10);
  EXPECT_THAT(d.conversation_text(), Not(HasSubstr("message 29")));
  const auto* older = find_action<LoadHistory>(d.last);
  ASSERT_NE(older, nullptr);
  EXPECT_EQ(older->before, "id0");
  d.press(KeyCode::kPageUp);  // asked already: not again
  EXPECT_EQ(find_action<LoadHistory>(d.last), nullptr);
  d.apply(HistoryLoaded{"bob", {incoming("bob", "old", "the very first")}, true, 30});
  d.press(KeyCode::kPageUp);
  EXPECT_THAT(d.conversation_text(), HasSubstr("the very first"));
  for (int i = 0; i < 10; ++i) d.press(KeyCode::kPageDown);
  EXPECT_EQ(d.model.scroll(), 0);
  EXPECT_THAT(d.conversation_text(), HasSubstr("message 29"));
}

TEST(ChatModel, WheelScrollsThreeRows) {
  ModelDriver d(with_peer("bob"));
  d.up();
  std::vector<MessageData> page;
  for (int i = 0; i < 60; ++i) page.push_back(incoming("bob", "id" + std::to_string(i), "m" + std::to_string(i)));
  d.apply(HistoryLoaded{"bob", page, false, 200});
  d.press(KeyCode::kWheelUp);
  EXPECT_EQ(d.model.scroll(), 3);
  d.press(KeyCode::kWheelDown);
  EXPECT_EQ(d.model.scroll(), 0);
}

TEST(ChatModel, AltEnterAndPasteMakeMultiLineMessages) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.type("line one");
  d.press(KeyCode::kAltEnter);
  d.type("line two");
  EXPECT_EQ(d.screen().input.size(), 2u);
  d.press(KeyCode::kPasteBegin);
  d.press(KeyCode::kEnter);  // a pasted newline
  d.type("pasted");
  d.press(KeyCode::kPasteEnd);
  const auto* send = find_action<SendText>(d.press(KeyCode::kEnter));
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->text, "line one\nline two\npasted");
}

TEST(ChatModel, UpRecallsEarlierLines) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.enter("one");
  d.enter("two");
  d.type("dra");
  d.press(KeyCode::kUp);
  EXPECT_EQ(d.model.input().text(), "two");
  d.press(KeyCode::kUp);
  EXPECT_EQ(d.model.input().text(), "one");
  d.press(KeyCode::kDown);
  d.press(KeyCode::kDown);
  EXPECT_EQ(d.model.input().text(), "dra");
}

TEST(ChatModel, TabCompletesCommandsAndPeers) {
  ModelDriver d;
  d.up();
  d.apply(ContactsLoaded{{{"bob", "trusted", false}, {"barbara", "trusted", false}}});
  d.type("/op");
  d.press(KeyCode::kTab);
  EXPECT_EQ(d.model.input().text(), "/open ");
  d.type("bo");
  d.press(KeyCode::kTab);
  EXPECT_EQ(d.model.input().text(), "/open bob ");
  d.press(KeyCode::kKillToStart);
  d.type("/open b");
  d.press(KeyCode::kTab);
  EXPECT_EQ(d.model.input().text(), "/open b");
  EXPECT_THAT(d.model.notice(), HasSubstr("barbara  bob"));
}

TEST(ChatModel, FingerprintAndTrust) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(IdentityChanged{"bob"});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("bob \u26A0"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("identity key changed"));
  const auto* show = find_action<ShowFingerprint>(d.enter("/fingerprint"));
  ASSERT_NE(show, nullptr);
  EXPECT_EQ(show->peer, "bob");
  d.apply(FingerprintReady{
      "bob", {"69603 19412 12928 19440", "95821 03768 81702 79027", "77476 43808 95070 56666"}, "untrusted"});
  EXPECT_THAT(d.conversation_text(), HasSubstr("Safety number with bob"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("95821 03768 81702 79027"));
  const auto* verify = find_action<Verify>(d.enter("/trust"));
  ASSERT_NE(verify, nullptr);
  EXPECT_EQ(verify->peer, "bob");
  d.apply(Verified{"bob", "verified"});
  EXPECT_THAT(d.sidebar_text(), Not(HasSubstr("\u26A0")));
  d.press(KeyCode::kEscape);
  EXPECT_THAT(d.conversation_text(), HasSubstr("bob \u00B7 verified"));
}

TEST(ChatModel, SearchShowsTheMatchingMessages) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto* search = find_action<Search>(d.enter("/search LIGHTHOUSE"));
  ASSERT_NE(search, nullptr);
  EXPECT_EQ(search->query, "LIGHTHOUSE");
  d.apply(SearchReady{"bob",
                      "LIGHTHOUSE",
                      {incoming("bob", "1", "meet at the lighthouse"), incoming("bob", "2", "nothing here"),
                       outgoing("bob", "3", "the Lighthouse it is")}});
  const std::string text = d.conversation_text();
  EXPECT_THAT(text, HasSubstr("2 messages"));
  EXPECT_THAT(text, HasSubstr("2026-11-24 10:00 bob: meet at the lighthouse"));
  EXPECT_THAT(text, HasSubstr("alice: the Lighthouse it is"));
  EXPECT_THAT(text, Not(HasSubstr("nothing here")));
}

TEST(ChatModel, ExportNamesAFile) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const auto* e = find_action<Export>(d.enter("/export"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "sotto-bob.json");
  EXPECT_EQ(find_action<Export>(d.enter("/export /tmp/x.json"))->path, "/tmp/x.json");
  d.apply(ExportDone{"bob", "/tmp/x.json", 123});
  EXPECT_THAT(d.model.notice(), HasSubstr("/tmp/x.json (123 bytes)"));
}

TEST(ChatModel, FileTransferSaysWhenMsgdHasNoFileMethods) {
  ModelDriver d(with_peer("bob"));
  d.up();
  EXPECT_TRUE(d.enter("/file /etc/hostname").empty());
  EXPECT_THAT(d.model.notice(), HasSubstr("file transfer is not available in this msgd"));
  EXPECT_TRUE(d.enter("/save 1234").empty());
  EXPECT_THAT(d.model.notice(), HasSubstr("not available"));
}

TEST(ChatModel, FileSendsToTheOpenConversationAndShowsTheFileMessage) {
  ChatModel::Options o = with_peer("bob");
  o.file_transfer = true;
  ModelDriver d(o);
  d.up();
  const auto* send = find_action<SendFile>(d.enter("/file report.pdf"));
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->peer, "bob");
  EXPECT_EQ(send->path, "report.pdf");
  MessageData m;
  m.id = std::string(32, 'a');
  m.peer = "bob";
  m.outgoing = true;
  m.sender = "alice";
  m.state = "queued";
  m.is_file = true;
  m.file_name = "report.pdf";
  m.file_size = 2'100'000;
  d.apply(FileQueued{m, 2'100'000});
  EXPECT_THAT(d.model.notice(), HasSubstr("sending report.pdf to bob"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("[file] report.pdf"));
}

TEST(ChatModel, SaveTakesTheNewestReceivedFileOrAnId) {
  ChatModel::Options o = with_peer("bob");
  o.file_transfer = true;
  ModelDriver d(o);
  d.up();
  EXPECT_EQ(find_action<SaveFile>(d.enter("/save")), nullptr);
  EXPECT_THAT(d.model.notice(), HasSubstr("bob has sent no file"));
  MessageData first;
  first.id = std::string(32, '1');
  first.peer = "bob";
  first.sender = "bob";
  first.state = "unread";
  first.is_file = true;
  first.file_name = "a.txt";
  MessageData second = first;
  second.id = std::string(32, '2');
  second.file_name = "b.txt";
  MessageData text = first;
  text.id = std::string(32, '3');
  text.is_file = false;
  text.text = "a text after the files";
  d.apply(MessageReceived{first});
  d.apply(MessageReceived{second});
  d.apply(MessageReceived{text});
  const auto* save = find_action<SaveFile>(d.enter("/save"));
  ASSERT_NE(save, nullptr);
  EXPECT_EQ(save->id, second.id);
  EXPECT_EQ(find_action<SaveFile>(d.enter("/save " + first.id))->id, first.id);
  d.apply(FileSaveStarted{"b.txt", "saved", "/home/bob/Downloads/b.txt", "/home/bob/Downloads"});
  EXPECT_THAT(d.model.notice(), HasSubstr("saved b.txt as /home/bob/Downloads/b.txt"));
  d.apply(FileSaveStarted{"big.iso", "downloading", "", "/home/bob/Downloads"});
  EXPECT_THAT(d.model.notice(), HasSubstr("downloading big.iso into /home/bob/Downloads"));
}

TEST(ChatModel, HelpAndQuit) {
  ModelDriver d;
  d.up();
  d.enter("/help");
  EXPECT_THAT(d.conversation_text(), HasSubstr("/fingerprint [PEER]"));
  EXPECT_NE(find_action<Quit>(d.enter("/quit")), nullptr);
  EXPECT_NE(find_action<Quit>(d.press(KeyCode::kQuit)), nullptr);
  EXPECT_NE(find_action<Quit>(d.press(KeyCode::kEndOfInput)), nullptr);
}

TEST(ChatModel, AMessageWithoutAnOpenConversationStaysTyped) {
  ModelDriver d;
  d.up();
  EXPECT_TRUE(d.enter("to whom?").empty());
  EXPECT_EQ(d.model.input().text(), "to whom?");
  EXPECT_THAT(d.model.notice(), HasSubstr("/open PEER"));
}

TEST(ChatModel, PresenceAndRelayState) {
  ModelDriver d;
  d.up();
  d.apply(PresenceLoaded{{{"bob", true}, {"carol", false}}});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("\u25CF bob"));
  EXPECT_THAT(d.sidebar_text(), HasSubstr("\u25CB carol"));
  d.apply(RelayChanged{false, ""});
  EXPECT_THAT(d.screen().status.text, HasSubstr("relay unreachable"));
}

// msgd that has just started is still connecting to the relay: presence is
// asked for again when the relay is back, once, and not while it is away.
TEST(ChatModel, PresenceIsAskedForAgainWhenTheRelayComesBack) {
  ModelDriver d;
  d.apply(DaemonUp{"alice", false, "127.0.0.1:7443", "test"});
  EXPECT_TRUE(d.apply(RelayChanged{false, ""}).empty());
  const auto& back = d.apply(RelayChanged{true, ""});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<LoadPresence>(back.front()));
  EXPECT_TRUE(d.apply(RelayChanged{true, ""}).empty()) << "already connected: nothing new to ask";
}

const std::string kGroup = "#00112233445566778899aabbccddeeff";

MessageData in_group(const std::string& sender, const std::string& id, const std::string& text,
                     const std::string& name = "ops") {
  MessageData m = incoming(kGroup, id, text);
  m.sender = sender;
  m.group_name = name;
  return m;
}

TEST(ChatModel, AGroupIsOneConversationLabelledWithItsName) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(MessageReceived{in_group("bob", "g1", "deploy?")});
  d.apply(MessageReceived{in_group("carol", "g2", "at 5")});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops (2)"));
  EXPECT_THAT(d.sidebar_text(), Not(HasSubstr("00112233")));
  EXPECT_THAT(d.conversation_text(), Not(HasSubstr("deploy?")));  // bob's own conversation is open
  // A rename shows with the next message.
  d.apply(MessageReceived{in_group("bob", "g3", "renamed", "ops team")});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops team (3)"));
}

TEST(ChatModel, AGroupConversationShowsWhoWroteAndSendsToTheGroup) {
  ModelDriver d(with_peer(kGroup));
  d.up();
  const auto* history = find_action<LoadHistory>(d.last);
  ASSERT_NE(history, nullptr);
  EXPECT_EQ(history->peer, kGroup);
  // Until a message names it, the group shows as its id's start.
  EXPECT_THAT(d.conversation_text(), HasSubstr("#00112233"));
  d.apply(HistoryLoaded{kGroup, {in_group("bob", "g1", "deploy?"), in_group("carol", "g2", "at 5")}, false, 200});
  EXPECT_THAT(d.conversation_text(), HasSubstr("#ops"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 bob: deploy?"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:00 carol: at 5"));
  const auto* send = find_action<SendText>(d.enter("ok"));
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->peer, kGroup);
  EXPECT_EQ(send->text, "ok");
  EXPECT_THAT(d.conversation_text(), HasSubstr("alice: ok"));
  d.apply(MessageReceived{in_group("dave", "g3", "me too")});
  EXPECT_THAT(d.conversation_text(), HasSubstr("dave: me too"));
  const auto* read = find_action<MarkRead>(d.last);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->peer, kGroup);
}

TEST(ChatModel, AHostileGroupNameStaysInert) {
  ModelDriver d(with_peer(kGroup));
  d.up();
  d.apply(MessageReceived{in_group("bob", "g1", "x", "o\x1b[2Jps\xe2\x80\xae\n" + std::string(300, 'g'))});
  const Screen s = d.screen();
  expect_rows_fit(s);
  for (const auto& row : s.sidebar) EXPECT_TRUE(is_inert(row.text)) << row.text;
  for (const auto& row : s.conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
}

GroupData group(const std::string& name, std::int64_t epoch, std::vector<std::string> members,
                const std::string& status = "member", const std::string& id = kGroup.substr(1)) {
  return GroupData{id, name, epoch, std::move(members), status};
}

TEST(ChatModel, EveryGroupShowsFromTheStartEvenWithoutMessages) {
  ModelDriver d(with_peer("bob"));
  d.up();
  const std::string old_id(32, 'f');
  d.apply(GroupsLoaded{{group("ops", 1, {"alice", "bob", "carol"}), group("old", 3, {"bob"}, "left", old_id)}});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops"));
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#old (left)"));
  EXPECT_THAT(d.sidebar_text(), Not(HasSubstr("#ops (")));  // nothing unread, still in it
  // /open takes the name as shown, and Tab offers it.
  d.type("/open #o");
  d.press(KeyCode::kTab);
  EXPECT_THAT(d.model.notice(), HasSubstr("#old  #ops"));
  d.type("p");
  d.press(KeyCode::kTab);
  EXPECT_EQ(d.model.input().text(), "/open #ops ");
  const auto* history = find_action<LoadHistory>(d.press(KeyCode::kEnter));
  ASSERT_NE(history, nullptr);
  EXPECT_EQ(history->peer, kGroup);
  EXPECT_EQ(d.model.open_peer(), kGroup);
  d.apply(HistoryLoaded{kGroup, {}, false, 200});
  EXPECT_THAT(d.conversation_text(), HasSubstr("#ops \u00B7 3 members"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("(no messages yet: type one below)"));
  // "@ops" and the id work too; the group one has left is read only.
  d.enter("/open @" + old_id);
  EXPECT_EQ(d.model.open_peer(), "#" + old_id);
  EXPECT_THAT(d.conversation_text(), HasSubstr("#old \u00B7 you left it"));
  EXPECT_EQ(find_action<SendText>(d.enter("anyone here?")), nullptr);
  EXPECT_EQ(d.model.input().text(), "anyone here?");
  EXPECT_TRUE(d.model.notice_is_error());
  EXPECT_THAT(d.model.notice(), HasSubstr("you are no longer in #old"));
}

TEST(ChatModel, OpenSaysWhichGroupNameItCannotTell) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(GroupsLoaded{
      {group("ops", 1, {"alice", "bob"}), group("ops", 1, {"alice", "carol"}, "member", std::string(32, 'e'))}});
  EXPECT_TRUE(d.enter("/open #ops").empty());
  EXPECT_THAT(d.model.notice(), HasSubstr("more than one group is named ops"));
  EXPECT_THAT(d.model.notice(), HasSubstr("#" + std::string(32, 'e')));
  EXPECT_EQ(d.model.open_peer(), "bob");
  EXPECT_TRUE(d.enter("/open #dev").empty());
  EXPECT_THAT(d.model.notice(), HasSubstr("no group named dev"));
}

TEST(ChatModel, GroupChangesShowAsTheyHappen) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(GroupsLoaded{});
  // bob makes a group with alice in it: it appears, and the status line says so.
  d.apply(GroupChanged{group("ops", 1, {"alice", "bob", "carol"}), "bob", kDay1});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops"));
  EXPECT_EQ(d.model.notice(), "bob added you to #ops with carol");
  d.enter("/open #ops");
  d.apply(HistoryLoaded{kGroup, {in_group("bob", "g1", "welcome")}, false, 200});
  d.apply(GroupChanged{group("ops team", 2, {"alice", "bob", "carol"}), "bob", kDay1 + 60'000});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops team"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:01 bob renamed #ops to #ops team"));
  d.apply(GroupChanged{group("ops team", 3, {"alice", "bob"}), "carol", kDay1 + 120'000});
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:02 carol left"));
  d.apply(GroupChanged{group("ops team", 4, {"alice", "bob", "dave", "erin"}), "bob", kDay1 + 180'000});
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:03 bob added dave, erin"));
  d.apply(GroupChanged{group("ops team", 5, {"alice", "bob"}), "bob", kDay1 + 240'000});
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:04 bob removed dave, erin"));
  // The notes come after the messages, in order, and a reload of the history keeps them.
  d.apply(HistoryLoaded{kGroup, {in_group("bob", "g1", "welcome")}, false, 200});
  const std::string shown = d.conversation_text();
  EXPECT_LT(shown.find("bob: welcome"), shown.find("renamed"));
  EXPECT_LT(shown.find("renamed"), shown.find("carol left"));
  EXPECT_LT(shown.find("carol left"), shown.find("removed dave"));
  EXPECT_THAT(shown, Not(HasSubstr("?: ")));  // a note has no sender

  d.apply(GroupChanged{group("ops team", 6, {"bob"}, "removed"), "bob", kDay1 + 300'000});
  d.apply(Resized{140, 24});  // a list wide enough for the whole label
  EXPECT_THAT(d.conversation_text(), HasSubstr("10:05 you were removed from #ops team by bob"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("you were removed: its history stays"));
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops team (removed)"));
  EXPECT_EQ(find_action<SendText>(d.enter("still there?")), nullptr);
  EXPECT_THAT(d.model.notice(), HasSubstr("you are no longer in #ops team"));
}

TEST(ChatModel, ChangesMadeHereAndLeavingSayYou) {
  ModelDriver d(with_peer("bob"));
  d.up();
  d.apply(GroupsLoaded{});
  d.apply(GroupChanged{group("ops", 1, {"alice", "bob", "carol"}), "alice", kDay1});
  EXPECT_EQ(d.model.notice(), "you created #ops with bob, carol");
  d.apply(GroupChanged{group("ops", 2, {"alice", "carol"}), "alice", kDay1});
  EXPECT_EQ(d.model.notice(), "you removed bob");
  d.apply(GroupChanged{group("ops", 3, {"carol"}, "left"), "alice", kDay1});
  EXPECT_EQ(d.model.notice(), "you left #ops");
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops (left)"));
}

TEST(ChatModel, AGroupChangeAlreadyListedAddsNoNote) {
  ModelDriver d(with_peer(kGroup));
  d.up();
  // Before group_list answers, a change updates the group and says nothing:
  // the list may hold it already.
  d.apply(GroupChanged{group("ops", 2, {"alice", "bob"}), "bob", kDay1});
  EXPECT_THAT(d.sidebar_text(), HasSubstr("#ops"));
  d.apply(GroupsLoaded{{group("ops", 2, {"alice", "bob"})}});
  d.apply(GroupChanged{group("ops", 2, {"alice", "bob"}), "bob", kDay1});
  d.apply(GroupChanged{group("ops", 1, {"alice", "bob", "carol"}), "bob", kDay1});
  d.apply(HistoryLoaded{kGroup, {}, false, 200});
  EXPECT_THAT(d.conversation_text(), HasSubstr("(no messages yet"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("#ops \u00B7 2 members"));
  EXPECT_TRUE(d.model.notice().empty());
}

TEST(ChatModel, AHostileNameInAGroupChangeStaysInert) {
  ModelDriver d(with_peer(kGroup));
  d.up();
  d.apply(GroupsLoaded{{group("ops", 1, {"alice", "bob"})}});
  d.apply(GroupChanged{group("x\x1b]2;T\x07\xe2\x80\xae\r" + std::string(300, 'n'), 2, {"alice", "bob"}), "b\x1b[31mob",
                       kDay1});
  const Screen s = d.screen();
  expect_rows_fit(s);
  for (const auto& row : s.sidebar) EXPECT_TRUE(is_inert(row.text)) << row.text;
  for (const auto& row : s.conversation) EXPECT_TRUE(is_inert(row.text)) << row.text;
  EXPECT_THAT(d.conversation_text(), HasSubstr("b\u241B[31mob renamed #ops to"));
  EXPECT_THAT(d.conversation_text(), HasSubstr("#x\u241B]2;T\u2407\uFFFD\u240Dnnn"));
}

}  // namespace
}  // namespace sotto::tui
