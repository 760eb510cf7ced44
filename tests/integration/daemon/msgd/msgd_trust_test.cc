// Trust: a peer's changed identity key never passes silently, and a changed
// relay certificate is refused until the user forgets the pin.
#include <gtest/gtest.h>

#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdTrustTest : public MsgdTest {};

api::ErrorName error_of(api::Client& client, const std::string& method, const json& params) {
  try {
    client.call(method, params);
  } catch (const api::ApiError& e) {
    return e.name();
  }
  ADD_FAILURE() << method << " succeeded; an error was expected";
  return api::ErrorName::kInternal;
}

TEST_F(MsgdTrustTest, ChangedIdentityWarnsAndBlocksSendingUntilTrusted) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  call("alice", "send", {{"peer", "bob"}, {"text", "hello old bob"}});
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 1; }));
  const std::string old_number = call("alice", "fingerprint", {{"peer", "bob"}}).at("safety_number");

  // bob's account is deleted and someone registers "bob" again with new keys.
  ASSERT_TRUE(user("bob").terminate_within(std::chrono::seconds(10)).has_value());
  const auto removed = run_relayd_command({"user", "remove", "bob", "--config", relayd().config_path().string(),
                                           "--state-dir", relayd().state_dir().string()});
  ASSERT_EQ(removed.status, 0) << removed.output;
  auto& new_bob = add_user("bob2");
  call("bob2", "register", {{"username", "bob"}, {"password", kPassword}});

  auto alice_events = user("alice").socket_client();
  alice_events->subscribe();
  call("bob2", "send", {{"peer", "alice"}, {"text", "it is me, new keys"}});

  bool identity_changed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!identity_changed && std::chrono::steady_clock::now() < deadline) {
    if (auto event = alice_events->next_event(std::chrono::milliseconds(200))) {
      identity_changed = event->name == "IdentityChanged" && event->data.at("peer") == "bob";
    }
  }
  EXPECT_TRUE(identity_changed);
  ASSERT_TRUE(eventually([&] { return conversation("alice", "bob").size() == 2; }));
  const json history = call("alice", "history", {{"peer", "bob"}});
  EXPECT_FALSE(history.at(0).at("identity_warning").get<bool>());
  EXPECT_TRUE(history.at(1).at("identity_warning").get<bool>()) << "from the new, unverified key";
  const json contact = call("alice", "contacts").at(0);
  EXPECT_EQ(contact.at("trust"), "untrusted");
  EXPECT_TRUE(contact.at("identity_changed").get<bool>());
  EXPECT_NE(call("alice", "fingerprint", {{"peer", "bob"}}).at("safety_number"), old_number);

  auto alice = user("alice").socket_client();
  EXPECT_EQ(error_of(*alice, "send", {{"peer", "bob"}, {"text", "refused"}}), api::ErrorName::kIdentityUntrusted);

  // After comparing safety numbers, alice trusts the new key; sending works.
  EXPECT_EQ(alice->call("verify", {{"peer", "bob"}}).at("trust"), "verified");
  alice->call("send", {{"peer", "bob"}, {"text", "welcome back"}});
  ASSERT_TRUE(eventually([&] { return conversation("bob2", "alice").size() == 2; }));
  EXPECT_EQ(conversation("bob2", "alice").at(1).second, "welcome back");
  (void)new_bob;
}

TEST_F(MsgdTrustTest, ChangedRelayCertificateIsRefusedUntilForgotten) {
  start_relayd("relay-a");
  registered_user("alice");
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("connected").get<bool>(); }));
  const std::string pinned = call("alice", "status").at("relay_fingerprint");
  ASSERT_EQ(pinned.rfind("sha256:", 0), 0u);

  // Another relay (another certificate) on the same address.
  relayd().kill9();
  start_relayd("relay-b");
  // The refusal's message tells the user what to do.
  ASSERT_TRUE(user("alice").process().wait_for_output("relay forget", std::chrono::seconds(45)));
  const std::string log = user("alice").process().output();
  EXPECT_NE(log.find(pinned), std::string::npos) << "the log names the pinned fingerprint";
  EXPECT_FALSE(call("alice", "status").at("connected").get<bool>());
  EXPECT_EQ(call("alice", "status").at("relay_fingerprint"), pinned);

  const json forgotten = call("alice", "relay_forget");
  EXPECT_EQ(forgotten.at("forgotten"), pinned);
  // The next connection pins relay-b's certificate.
  ASSERT_TRUE(eventually(
      [&] {
        const std::string now = call("alice", "status").at("relay_fingerprint");
        return !now.empty() && now != pinned;
      },
      std::chrono::seconds(45)));
}

TEST_F(MsgdTrustTest, ConfiguredFingerprintMustMatch) {
  start_relayd();
  add_user("alice", false, {"--relay-fingerprint", "sha256:" + std::string(64, 'a')});
  auto alice = user("alice").socket_client();
  EXPECT_EQ(error_of(*alice, "register", {{"username", "alice"}, {"password", kPassword}}),
            api::ErrorName::kRelayPinMismatch);
  EXPECT_EQ(alice->call("status").at("username"), "") << "nothing was registered";
}

}  // namespace
}  // namespace sotto::testing
