// msg-notify end to end: alice's msgd sends through a real relayd to bob's
// msgd, which serves bob's private session bus; bob's msg-notify turns what
// msgd reports into popups of a real dunst drawing on a real Xvfb, and the
// tests read back what dunst holds with dunstctl.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lib/version/version.h"
#include "tests/integration/daemon/msgd/msgd_fixture.h"
#include "tests/integration/support/child_process.h"
#include "tests/integration/support/notification_server.h"

namespace sotto::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNotificationsInterface = "org.freedesktop.Notifications";

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// A stand-in notification server, used ONLY where no real one can serve:
// inline reply ("inline-reply" capability, NotificationReplied) exists in no
// server Debian 12 runs headless (dunst 1.9 lacks it), and dunstctl cannot
// pick a popup's non-default action. It is a fault/feature injector: it
// answers GetCapabilities with the capabilities a test asks for, records
// every Notify, and emits the signals a test asks for. Every other test in
// this file runs against the real dunst.
class ScriptedNotificationServer {
 public:
  struct Call {
    std::uint32_t id = 0;
    std::uint32_t replaces_id = 0;
    std::string app_name;
    std::string summary;
    std::string body;
    std::vector<std::string> actions;
  };

  ScriptedNotificationServer(const std::string& bus_address, std::vector<std::string> capabilities)
      : connection_(sdbus::createSessionBusConnectionWithAddress(bus_address)),
        object_(sdbus::createObject(*connection_, "/org/freedesktop/Notifications")) {
    object_->registerMethod("GetCapabilities").onInterface(kNotificationsInterface).implementedAs([capabilities] {
      return capabilities;
    });
    object_->registerMethod("Notify")
        .onInterface(kNotificationsInterface)
        .implementedAs([this](const std::string& app_name, std::uint32_t replaces_id, const std::string&,
                              const std::string& summary, const std::string& body,
                              const std::vector<std::string>& actions, const std::map<std::string, sdbus::Variant>&,
                              std::int32_t) {
          std::lock_guard lock(calls_mutex_);
          const std::uint32_t id = replaces_id != 0 ? replaces_id : next_id_++;
          calls_.push_back(Call{id, replaces_id, app_name, summary, body, actions});
          return id;
        });
    object_->registerMethod("CloseNotification").onInterface(kNotificationsInterface).implementedAs([](std::uint32_t) {
    });
    object_->registerMethod("GetServerInformation").onInterface(kNotificationsInterface).implementedAs([] {
      return std::make_tuple(std::string("scripted"), std::string("sotto tests"), std::string("1"), std::string("1.2"));
    });
    object_->registerSignal("ActionInvoked")
        .onInterface(kNotificationsInterface)
        .withParameters<std::uint32_t, std::string>();
    object_->registerSignal("NotificationClosed")
        .onInterface(kNotificationsInterface)
        .withParameters<std::uint32_t, std::uint32_t>();
    object_->registerSignal("NotificationReplied")
        .onInterface(kNotificationsInterface)
        .withParameters<std::uint32_t, std::string>();
    object_->finishRegistration();
    connection_->requestName("org.freedesktop.Notifications");
    thread_ = std::thread([this] { serve(); });
  }

  ~ScriptedNotificationServer() {
    stop_ = true;
    thread_.join();
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(calls_mutex_);
    return calls_;
  }

  void emit_replied(std::uint32_t id, const std::string& text) {
    on_loop([this, id, text] {
      object_->emitSignal("NotificationReplied").onInterface(kNotificationsInterface).withArguments(id, text);
    });
  }
  void emit_action(std::uint32_t id, const std::string& key) {
    on_loop([this, id, key] {
      object_->emitSignal("ActionInvoked").onInterface(kNotificationsInterface).withArguments(id, key);
    });
  }

 private:
  // sd-bus connections are not thread-safe: everything on the connection
  // happens on this one thread.
  void serve() {
    while (!stop_) {
      while (connection_->processPendingRequest()) {
      }
      std::deque<std::function<void()>> work;
      {
        std::lock_guard lock(work_mutex_);
        work.swap(work_);
      }
      for (auto& fn : work) fn();
      const auto poll_data = connection_->getEventLoopPollData();
      pollfd fd{poll_data.fd, poll_data.events, 0};
      const int timeout = poll_data.getPollTimeout();
      ::poll(&fd, 1, timeout < 0 || timeout > 20 ? 20 : timeout);
    }
  }

  void on_loop(std::function<void()> fn) {
    std::lock_guard lock(work_mutex_);
    work_.push_back(std::move(fn));
  }

  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IObject> object_;
  mutable std::mutex calls_mutex_;
  std::vector<Call> calls_;
  std::uint32_t next_id_ = 1;
  std::mutex work_mutex_;
  std::deque<std::function<void()>> work_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class MsgNotifyTest : public MsgdTest {
 protected:
  void SetUp() override {
    MsgdTest::SetUp();
    start_relayd();
    registered_user("bob", /*with_bus=*/true);
    registered_user("alice");
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- msg-notify ----\n" << notify_.output();
      if (dunst_) std::cerr << dunst_->log();
    }
    notify_.kill9();
    scripted_.reset();
    dunst_.reset();
    MsgdTest::TearDown();
  }

  const std::string& bob_bus() const { return buses_.at("bob")->address(); }

  NotificationServer& start_dunst() {
    if (!dunst_) dunst_ = std::make_unique<NotificationServer>(dir_ / "dunst", bob_bus());
    dunst_->start();
    return *dunst_;
  }

  // Starts bob's msg-notify with this notify.yaml and (unless told not to)
  // waits until it listens to msgd.
  void start_notify(const std::string& yaml = "", bool wait_for_msgd = true) {
    const std::filesystem::path config = dir_ / "notify.yaml";
    std::ofstream(config) << yaml;
    notify_.spawn({SOTTO_MSG_NOTIFY_BINARY, "--config", config.string()},
                  {{"DBUS_SESSION_BUS_ADDRESS", bob_bus()}, {"XDG_CONFIG_HOME", (dir_ / "bob-config").string()}});
    if (wait_for_msgd) {
      ASSERT_TRUE(notify_.wait_for_output("event=msgd_subscribed", std::chrono::seconds(20)));
    }
  }

  // Waits until msg-notify's log holds needle `times` times in this run.
  bool logged(const std::string& needle, std::size_t times = 1,
              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return eventually([&] { return occurrences(notify_.output_this_run(), needle) >= times; }, timeout);
  }

  // Alive, not a zombie: a process that exited has no resident memory.
  bool notify_alive() const { return notify_.rss_kib() > 0; }

  void send(const std::string& from, const std::string& to, const std::string& text) {
    call(from, "send", {{"peer", to}, {"text", text}});
  }

  std::vector<DunstNotification> closed_popups() {
    dunst_->close_all();
    return dunst_->history();
  }

  // Waits until dunst shows exactly one popup, then closes it and returns
  // dunst's history (one entry when all went well; the caller checks).
  std::vector<DunstNotification> the_one_popup() {
    if (!eventually([&] { return dunst_->shown() == 1; })) return {};
    return closed_popups();
  }

  ChildProcess notify_;
  std::unique_ptr<NotificationServer> dunst_;
  std::unique_ptr<ScriptedNotificationServer> scripted_;
};

TEST_F(MsgNotifyTest, PostsTheSenderAsSummaryAndTheTextAsBody) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "lunch at noon?");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("summary"), "alice");
  EXPECT_EQ(popups[0].at("body"), "lunch at noon?");
  EXPECT_EQ(popups[0].at("appname"), "Sotto");
  EXPECT_EQ(popups[0].at("category"), "im.received");
  EXPECT_THAT(notify_.output(), Not(HasSubstr("lunch"))) << "the log never carries message text";
  const std::optional<int> status = notify_.terminate_within(std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value()) << "SIGTERM stops it";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

// A file message: who sent which file and how big, with the caption; the
// name is another user's text and arrives escaped like any body.
TEST_F(MsgNotifyTest, AFileShowsItsNameAndSize) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  const auto path = dir_ / "report<b>.pdf";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(2'100'000, 'x');
  }
  call("alice", "send_file", {{"peer", "bob"}, {"path", path.string()}, {"caption", "for monday"}});
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("summary"), "alice");
  EXPECT_EQ(popups[0].at("body"), "alice sent report&lt;b&gt;.pdf (2.1 MB)\nfor monday");
  EXPECT_THAT(notify_.output(), Not(HasSubstr("report"))) << "the log never carries file names";
}

TEST_F(MsgNotifyTest, PrivacyModeShowsNeitherSenderNorText) {
  start_dunst();
  start_notify("privacy: true\n");
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "the secret plan");
  ASSERT_TRUE(logged("event=notification_posted"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("summary"), "New message");
  EXPECT_EQ(popups[0].at("body"), "");
  EXPECT_THAT(popups[0].dump(), Not(HasSubstr("alice")));
  EXPECT_THAT(popups[0].dump(), Not(HasSubstr("secret")));
}

TEST_F(MsgNotifyTest, MarkupInTheTextArrivesEscaped) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  ASSERT_TRUE(logged("body-markup")) << "dunst reports the capability that makes escaping right";
  send("alice", "bob", "<b>bold</b> & <a href=\"https://evil.example/\">link</a> 'q'");
  ASSERT_TRUE(logged("event=notification_posted"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  // What dunst stores is the body as received; dunst renders it as Pango
  // markup, in which these entities are the literal characters.
  EXPECT_EQ(popups[0].at("body"),
            "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=&quot;https://evil.example/&quot;&gt;link&lt;/a&gt; &#39;q&#39;");
}

TEST_F(MsgNotifyTest, TwoMessagesFromOneSenderShareOnePopup) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "first");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  send("alice", "bob", "second");
  ASSERT_TRUE(logged("event=notification_posted peer=alice", 2));
  ASSERT_TRUE(eventually([&] { return dunst_->shown() >= 1; }));
  EXPECT_EQ(dunst_->shown(), 1) << "replaced, not a second popup";
  const auto popups = closed_popups();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("body"), "second\n(2 new messages)");
  EXPECT_THAT(notify_.output_this_run(), HasSubstr("count=2 replaced=yes"));
}

TEST_F(MsgNotifyTest, MutedPeerGetsNoPopup) {
  start_dunst();
  registered_user("carol");
  start_notify("muted: [alice]\n");
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "buy now");
  ASSERT_TRUE(logged("event=notification_suppressed peer=alice reason=muted"));
  // Someone not muted still pops up: the quiet above is the mute, not a fault.
  send("carol", "bob", "hello from carol");
  ASSERT_TRUE(logged("event=notification_posted peer=carol"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("summary"), "carol");
}

TEST_F(MsgNotifyTest, DoNotDisturbShowsNothingButTheInboxKeepsTheMessage) {
  start_dunst();
  start_notify("do_not_disturb: true\n");
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "while you were out");
  ASSERT_TRUE(logged("event=notification_suppressed peer=alice reason=do_not_disturb"));
  EXPECT_EQ(dunst_->shown(), 0);
  EXPECT_TRUE(dunst_->history().empty());
  const ProgramResult inbox = user("bob").msgctl({"inbox"});
  EXPECT_EQ(inbox.status, 0) << inbox.output;
  EXPECT_THAT(inbox.out, HasSubstr("while you were out"));
}

TEST_F(MsgNotifyTest, DefaultActionMarksTheConversationRead) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "please look");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  ASSERT_TRUE(eventually([&] { return dunst_->shown() == 1; }));
  ASSERT_THAT(user("bob").msgctl({"inbox"}).out, HasSubstr("please look"));
  dunst_->action(0);
  ASSERT_TRUE(logged("event=marked_read peer=alice"));
  EXPECT_TRUE(call("bob", "inbox").empty());
  const ProgramResult inbox = user("bob").msgctl({"inbox"});
  EXPECT_THAT(inbox.out, Not(HasSubstr("please look")));
  EXPECT_THAT(inbox.out, HasSubstr("no unread messages"));
  EXPECT_TRUE(eventually([&] { return dunst_->shown() == 0; })) << "the popup was closed";
}

TEST_F(MsgNotifyTest, RecoversWhenDunstIsKilledAndRestarted) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "one");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));

  dunst_->kill9();
  ASSERT_TRUE(logged("event=notification_server_left"));
  send("alice", "bob", "into the void");
  ASSERT_TRUE(logged("event=notification_skipped peer=alice reason=no_server"));
  ASSERT_TRUE(notify_alive());

  dunst_->start();
  ASSERT_TRUE(logged("event=notification_server_ready", 2));
  send("alice", "bob", "two");
  ASSERT_TRUE(logged("event=notification_posted peer=alice", 2));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("body"), "two") << "a new server: a new popup, counting afresh";
  EXPECT_EQ(occurrences(notify_.output_this_run(), "event=notification_server_left"), 1u) << "one line per outage";
}

TEST_F(MsgNotifyTest, ResubscribesWhenMsgdRestarts) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());
  ASSERT_TRUE(logged("event=msgd_left"));
  user("bob").start();
  ASSERT_TRUE(logged("event=msgd_subscribed", 2));
  send("alice", "bob", "after the restart");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("body"), "after the restart");
}

TEST_F(MsgNotifyTest, WaitsForAnMsgdThatIsNotRunningYet) {
  start_dunst();
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());
  start_notify("", /*wait_for_msgd=*/false);
  ASSERT_TRUE(logged("event=msgd_unavailable"));
  ASSERT_TRUE(notify_alive());
  user("bob").start();
  ASSERT_TRUE(logged("event=msgd_subscribed"));
  send("alice", "bob", "finally");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  ASSERT_TRUE(eventually([&] { return dunst_->shown() == 1; }));
  EXPECT_EQ(occurrences(notify_.output_this_run(), "event=msgd_unavailable"), 1u) << "one line per outage";
}

TEST_F(MsgNotifyTest, StaysUpWithoutAServerAndNotifiesOnceOneAppears) {
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_unavailable"));
  send("alice", "bob", "nobody listens");
  ASSERT_TRUE(logged("event=notification_skipped peer=alice reason=no_server"));
  ASSERT_TRUE(notify_alive());
  EXPECT_THAT(user("bob").msgctl({"inbox"}).out, HasSubstr("nobody listens")) << "msgd's inbox keeps it";

  start_dunst();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "now you see me");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("body"), "now you see me");
  EXPECT_EQ(occurrences(notify_.output_this_run(), "event=notification_server_unavailable"), 1u)
      << "retries do not repeat the line";
}

TEST_F(MsgNotifyTest, InlineReplyReachesTheSender) {
  scripted_ = std::make_unique<ScriptedNotificationServer>(
      bob_bus(), std::vector<std::string>{"actions", "body", "body-markup", "inline-reply"});
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "coming tonight?");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto calls = scripted_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_THAT(calls[0].actions, Contains("inline-reply"));
  EXPECT_THAT(calls[0].actions, Not(Contains("reply")));

  scripted_->emit_replied(calls[0].id, "yes, at 8");
  ASSERT_TRUE(logged("event=reply_sent peer=alice"));
  EXPECT_TRUE(eventually([&] {
    for (const auto& [sender, text] : conversation("alice", "bob")) {
      if (sender == "bob" && text == "yes, at 8") return true;
    }
    return false;
  })) << "bob's reply is in alice's history";
  EXPECT_THAT(notify_.output(), Not(HasSubstr("at 8"))) << "the log never carries the reply";
}

TEST_F(MsgNotifyTest, ReplyActionRunsReplyCommandWhenTheServerHasNoInlineReply) {
  scripted_ = std::make_unique<ScriptedNotificationServer>(bob_bus(), std::vector<std::string>{"actions", "body"});
  const std::filesystem::path marker = dir_ / "reply-peer";
  start_notify("reply_command: [/bin/sh, -c, 'printf %s \"$1\" > " + marker.string() + "', sh, \"{peer}\"]\n");
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "a <b> c");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto calls = scripted_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].body, "a <b> c") << "no body-markup capability: sent as typed";
  EXPECT_EQ(calls[0].actions, (std::vector<std::string>{"default", "Mark as read", "reply", "Reply"}));

  scripted_->emit_action(calls[0].id, "reply");
  ASSERT_TRUE(logged("event=reply_command_started"));
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(marker);
    std::string peer;
    return static_cast<bool>(std::getline(in, peer)) && peer == "alice";
  }));
}

TEST_F(MsgNotifyTest, NoReplyActionWithoutInlineReplyOrReplyCommand) {
  scripted_ = std::make_unique<ScriptedNotificationServer>(bob_bus(), std::vector<std::string>{"actions", "body"});
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  send("alice", "bob", "hi");
  ASSERT_TRUE(logged("event=notification_posted peer=alice"));
  const auto calls = scripted_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].actions, (std::vector<std::string>{"default", "Mark as read"}));
}

// Groups: alice makes "ops" with bob and carol; bob's popups name the group.
class MsgNotifyGroupTest : public MsgNotifyTest {
 protected:
  // alice's group "ops" with bob and carol, once both their msgd know it; its id.
  std::string make_ops() {
    registered_user("carol");
    const json ops = call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
    for (const char* member : {"bob", "carol"}) {
      EXPECT_TRUE(eventually([&] { return call(member, "group_list").size() == 1; })) << member;
    }
    return ops.at("id").get<std::string>();
  }

  bool in_group_history(const std::string& name, const std::string& sender, const std::string& text) {
    return eventually([&] {
      const auto c = conversation(name, "@ops");
      return std::find(c.begin(), c.end(), std::pair<std::string, std::string>{sender, text}) != c.end();
    });
  }
};

TEST_F(MsgNotifyGroupTest, AGroupMessageShowsWhoWroteInWhichGroup) {
  start_dunst();
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  const std::string id = make_ops();  // while msg-notify listens: the change itself pops nothing up
  call("alice", "group_send", {{"group", "ops"}, {"text", "deploy at <five>?"}});
  ASSERT_TRUE(logged("event=notification_posted peer=@" + id));
  const auto popups = the_one_popup();
  ASSERT_EQ(popups.size(), 1u);
  EXPECT_EQ(popups[0].at("summary"), "alice in #ops");
  EXPECT_EQ(popups[0].at("body"), "deploy at &lt;five&gt;?");
  EXPECT_THAT(notify_.output(), Not(HasSubstr("deploy"))) << "the log never carries message text";
  EXPECT_THAT(notify_.output(), Not(HasSubstr("ops"))) << "nor group names";
}

TEST_F(MsgNotifyGroupTest, InlineReplyToAGroupMessageGoesToTheGroup) {
  scripted_ = std::make_unique<ScriptedNotificationServer>(
      bob_bus(), std::vector<std::string>{"actions", "body", "body-markup", "inline-reply"});
  start_notify();
  ASSERT_TRUE(logged("event=notification_server_ready"));
  const std::string id = make_ops();
  call("carol", "group_send", {{"group", "ops"}, {"text", "who takes the night shift?"}});
  ASSERT_TRUE(logged("event=notification_posted peer=@" + id));
  const auto calls = scripted_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].summary, "carol in #ops");
  EXPECT_THAT(calls[0].actions, Contains("inline-reply"));

  scripted_->emit_replied(calls[0].id, "I do");
  ASSERT_TRUE(logged("event=reply_sent peer=@" + id));
  EXPECT_TRUE(in_group_history("alice", "bob", "I do")) << "in the group, from bob";
  EXPECT_TRUE(in_group_history("carol", "bob", "I do"));
  EXPECT_TRUE(conversation("carol", "bob").empty()) << "not a pairwise message to carol";
}

TEST_F(MsgNotifyTest, ExitsWithStatusOneWhenTheSessionBusGoes) {
  start_notify();
  buses_.at("bob")->kill();
  ASSERT_TRUE(eventually([&] { return !notify_alive(); }, std::chrono::seconds(10)));
  const std::optional<int> status = notify_.terminate_within(std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << "so that systemd restarts it on the new bus";
  EXPECT_THAT(notify_.output_this_run(), HasSubstr("event=bus_lost"));
}

// The command line, with no bus needed.
TEST(MsgNotifyCli, PrintsVersionAndHelp) {
  const ProgramResult version = run_program({SOTTO_MSG_NOTIFY_BINARY, "--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, std::string("msg-notify (Sotto) ") + sotto::kVersion + "\n");
  const ProgramResult help = run_program({SOTTO_MSG_NOTIFY_BINARY, "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("--config"));
}

TEST(MsgNotifyCli, BadConfigExitsTwoNamingTheSpot) {
  const std::filesystem::path dir = std::filesystem::path("/tmp") / ("mn-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "notify.yaml") << "privacy: false\nmuted: [alice, \"not ok\"]\n";
  const ProgramResult bad = run_program({SOTTO_MSG_NOTIFY_BINARY, "--config", (dir / "notify.yaml").string()});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.output, HasSubstr((dir / "notify.yaml").string() + ":2:16: muted[1]:"));

  const ProgramResult missing = run_program({SOTTO_MSG_NOTIFY_BINARY, "--config", (dir / "absent.yaml").string()});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.output, HasSubstr("absent.yaml:1:1:"));

  // No --config and no file at the default place: the defaults, so it goes
  // on to the bus (absent here: a clear error, status 1).
  const ProgramResult defaults = run_program(
      {SOTTO_MSG_NOTIFY_BINARY}, "",
      {{"XDG_CONFIG_HOME", dir.string()}, {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.string() + "/nobus"}});
  EXPECT_EQ(defaults.status, 1);
  EXPECT_THAT(defaults.output, HasSubstr("no D-Bus session bus"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sotto::testing
