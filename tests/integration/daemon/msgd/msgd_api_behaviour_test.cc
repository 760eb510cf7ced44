// The local API's behaviour, run once over the Unix socket (JSON-RPC) and once
// over D-Bus: both transports serve the one method table, so both must behave
// the same in every case here.
#include <gtest/gtest.h>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

enum class Transport { kSocket, kDbus };

class MsgdApiBehaviourTest : public MsgdTest, public ::testing::WithParamInterface<Transport> {
 protected:
  void SetUp() override {
    MsgdTest::SetUp();
    start_relayd();
    add_user("alice", /*with_bus=*/true);
    add_user("bob", /*with_bus=*/true);
    alice_ = client("alice");
    bob_ = client("bob");
  }
  void TearDown() override {
    alice_.reset();
    bob_.reset();
    MsgdTest::TearDown();
  }
  std::unique_ptr<api::Client> client(const std::string& name) {
    return GetParam() == Transport::kSocket ? user(name).socket_client() : user(name).dbus_client();
  }
  // D-Bus clients in this process share DBUS_SESSION_BUS_ADDRESS: point it
  // at the user's bus before each use.
  api::Client& as(const std::string& name) {
    if (GetParam() == Transport::kDbus) {
      // A fresh client per switch: each binds to the bus of its user.
      (name == "alice" ? alice_ : bob_) = client(name);
    }
    return name == "alice" ? *alice_ : *bob_;
  }
  void register_both() {
    as("alice").call("register", {{"username", "alice"}, {"password", kPassword}});
    as("bob").call("register", {{"username", "bob"}, {"password", kPassword}});
  }
  api::ErrorName error_of(const std::string& name, const std::string& method, const json& params) {
    try {
      as(name).call(method, params);
    } catch (const api::ApiError& e) {
      return e.name();
    }
    ADD_FAILURE() << method << " succeeded; an error was expected";
    return api::ErrorName::kInternal;
  }

  std::unique_ptr<api::Client> alice_;
  std::unique_ptr<api::Client> bob_;
};

TEST_P(MsgdApiBehaviourTest, RegisterSendReceiveHistoryAndDeliveryState) {
  register_both();
  const json status = as("alice").call("status");
  EXPECT_EQ(status.at("username"), "alice");
  EXPECT_TRUE(status.at("logged_in").get<bool>());
  EXPECT_EQ(status.at("identity_fingerprint").get<std::string>().size() > 0, true);

  const json sent = as("alice").call("send", {{"peer", "bob"}, {"text", "hi"}});
  const std::string id = sent.at("id");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(sent.at("state"), "queued");

  ASSERT_TRUE(eventually([&] { return as("bob").call("history", {{"peer", "alice"}}).size() == 1; }));
  const json received = as("bob").call("history", {{"peer", "alice"}}).at(0);
  EXPECT_EQ(received.at("id"), id) << "the same id on both sides";
  EXPECT_EQ(received.at("text"), "hi");
  EXPECT_EQ(received.at("sender"), "alice");
  EXPECT_EQ(received.at("direction"), "in");
  EXPECT_EQ(received.at("state"), "unread");
  EXPECT_FALSE(received.at("identity_warning").get<bool>());

  // bob's msgd sends a delivery receipt back.
  ASSERT_TRUE(eventually([&] { return as("alice").call("get_message", {{"id", id}}).at("state") == "delivered"; }));
}

TEST_P(MsgdApiBehaviourTest, InboxAndMarkRead) {
  register_both();
  as("alice").call("send", {{"peer", "bob"}, {"text", "one"}});
  as("alice").call("send", {{"peer", "bob"}, {"text", "two"}});
  ASSERT_TRUE(eventually([&] { return as("bob").call("inbox").size() == 2; }));
  const json inbox = as("bob").call("inbox");
  EXPECT_EQ(inbox.at(0).at("text"), "one");
  EXPECT_EQ(inbox.at(1).at("text"), "two");
  EXPECT_EQ(as("bob").call("status").at("unread"), 2);
  EXPECT_EQ(as("bob").call("mark_read", {{"peer", "alice"}}).at("marked"), 2);
  EXPECT_TRUE(as("bob").call("inbox").empty());
  EXPECT_EQ(as("bob").call("mark_read", {{"peer", "alice"}}).at("marked"), 0);
}

TEST_P(MsgdApiBehaviourTest, HistoryPagesWithLimitAndBefore) {
  register_both();
  for (int i = 0; i < 5; ++i) as("alice").call("send", {{"peer", "bob"}, {"text", "m" + std::to_string(i)}});
  const json last_two = as("alice").call("history", {{"peer", "bob"}, {"limit", 2}});
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two.at(0).at("text"), "m3");
  EXPECT_EQ(last_two.at(1).at("text"), "m4");
  const json earlier =
      as("alice").call("history", {{"peer", "bob"}, {"limit", 2}, {"before", last_two.at(0).at("id")}});
  ASSERT_EQ(earlier.size(), 2u);
  EXPECT_EQ(earlier.at(0).at("text"), "m1");
  EXPECT_EQ(earlier.at(1).at("text"), "m2");
}

TEST_P(MsgdApiBehaviourTest, ContactsFingerprintsAndVerify) {
  register_both();
  as("alice").call("send", {{"peer", "bob"}, {"text", "hi"}});
  ASSERT_TRUE(eventually([&] { return as("bob").call("contacts").size() == 1; }));
  const json alice_view = as("alice").call("fingerprint", {{"peer", "bob"}});
  const json bob_view = as("bob").call("fingerprint", {{"peer", "alice"}});
  EXPECT_EQ(alice_view.at("safety_number").get<std::string>().size(), 60u);
  EXPECT_EQ(alice_view.at("safety_number"), bob_view.at("safety_number")) << "both sides compute the same number";
  EXPECT_EQ(as("alice").call("contacts").at(0).at("trust"), "trusted");
  EXPECT_EQ(as("alice").call("verify", {{"peer", "bob"}}).at("trust"), "verified");
  EXPECT_EQ(as("alice").call("contacts").at(0).at("trust"), "verified");
}

TEST_P(MsgdApiBehaviourTest, ExportAsJsonAndText) {
  register_both();
  as("alice").call("send", {{"peer", "bob"}, {"text", "line one\nline two"}});
  const json exported = as("alice").call("export", {{"peer", "bob"}, {"format", "json"}});
  const json parsed = json::parse(exported.at("content").get<std::string>());
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed.at(0).at("text"), "line one\nline two");
  const std::string text = as("alice").call("export", {{"peer", "bob"}, {"format", "txt"}}).at("content");
  EXPECT_NE(text.find("alice: line one\\nline two"), std::string::npos) << text;
  EXPECT_EQ(error_of("alice", "export", {{"peer", "bob"}, {"format", "pdf"}}), api::ErrorName::kInvalidParams);
}

TEST_P(MsgdApiBehaviourTest, EventsArriveForSubscribers) {
  register_both();
  auto events = client("bob");
  events->subscribe();
  as("alice").call("send", {{"peer", "bob"}, {"text", "event me"}});
  std::optional<api::EventMessage> event;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    event = events->next_event(std::chrono::milliseconds(500));
    if (event && event->name == "MessageReceived") break;
  }
  ASSERT_TRUE(event && event->name == "MessageReceived");
  EXPECT_EQ(event->data.at("text"), "event me");
  EXPECT_EQ(event->data.at("sender"), "alice");
}

TEST_P(MsgdApiBehaviourTest, ErrorsAreNamedTheSameOnBothTransports) {
  EXPECT_EQ(error_of("alice", "send", {{"peer", "bob"}, {"text", "x"}}), api::ErrorName::kNotLoggedIn);
  register_both();
  EXPECT_EQ(error_of("alice", "register", {{"username", "alice2"}, {"password", kPassword}}),
            api::ErrorName::kAlreadyRegistered);
  EXPECT_EQ(error_of("alice", "send", {{"peer", "Not A Name!"}, {"text", "x"}}), api::ErrorName::kInvalidParams);
  EXPECT_EQ(error_of("alice", "send", {{"peer", "bob"}, {"text", ""}}), api::ErrorName::kInvalidParams);
  EXPECT_EQ(error_of("alice", "send", {{"peer", "bob"}}), api::ErrorName::kInvalidParams);
  EXPECT_EQ(error_of("alice", "get_message", {{"id", "00112233445566778899aabbccddeeff"}}), api::ErrorName::kNotFound);
  EXPECT_EQ(error_of("alice", "fingerprint", {{"peer", "carol"}}), api::ErrorName::kNotFound);
  EXPECT_EQ(error_of("alice", "history", {{"peer", "bob"}, {"limit", 5000}}), api::ErrorName::kInvalidParams);
  EXPECT_EQ(error_of("alice", "no_such_method", json::object()), api::ErrorName::kUnknownMethod);
  // The daemon is still there and answers.
  EXPECT_EQ(as("alice").call("status").at("username"), "alice");
}

TEST_P(MsgdApiBehaviourTest, SendingToAnUnknownUserFails) {
  register_both();
  const std::string id = as("alice").call("send", {{"peer", "nobody_here"}, {"text", "hello?"}}).at("id");
  ASSERT_TRUE(eventually([&] { return as("alice").call("get_message", {{"id", id}}).at("state") == "failed"; }));
  EXPECT_EQ(as("alice").call("status").at("outbox"), 0);
}

TEST_P(MsgdApiBehaviourTest, OnlineShowsPresence) {
  register_both();
  ASSERT_TRUE(eventually([&] { return as("alice").call("status").at("connected").get<bool>(); }));
  ASSERT_TRUE(eventually([&] { return as("bob").call("status").at("connected").get<bool>(); }));
  const json online = as("alice").call("online", {{"peers", json::array({"bob"})}});
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(online.at(0).at("username"), "bob");
  EXPECT_TRUE(online.at(0).at("online").get<bool>());
}

INSTANTIATE_TEST_SUITE_P(BothTransports, MsgdApiBehaviourTest, ::testing::Values(Transport::kSocket, Transport::kDbus),
                         [](const auto& info) { return info.param == Transport::kSocket ? "Socket" : "Dbus"; });

}  // namespace
}  // namespace sotto::testing
