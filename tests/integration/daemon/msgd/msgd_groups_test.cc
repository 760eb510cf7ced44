// Groups with real processes: a relayd and one msgd per member. Messages go
// out once under the sender's sender key and the relay fans them out; changes
// of membership reach every member; a removed member reads nothing sent after.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "daemon/service/e2e_content.h"
#include "daemon/service/group_state.h"
#include "daemon/service/wire_keys.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/initial_message.h"
#include "lib/crypto/padding.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/x3dh.h"
#include "tests/integration/daemon/msgd/msgd_fixture.h"
#include "tests/integration/support/relay_test_client.h"

namespace sotto::testing {
namespace {

// Every test user registers from 127.0.0.1: the default limit (5 an hour
// from one address) is for the open internet, not for fifty test users.
constexpr const char* kManyUsersRelay =
    "rate_limits:\n  register_per_address:\n    rate: 1000\n    per: 1h\n    burst: 1000\n";

class MsgdGroupsTest : public MsgdTest {
 protected:
  // The group's messages as bob sees them: (sender, text), oldest first.
  std::vector<std::pair<std::string, std::string>> group_history(const std::string& name, const std::string& group) {
    return conversation(name, "@" + group);
  }

  json group_of(const std::string& name, const std::string& group_name) {
    for (const auto& g : call(name, "group_list")) {
      if (g.at("name") == group_name) return g;
    }
    return json();
  }

  // Waits until the member's msgd knows the group at this epoch.
  bool knows_group(const std::string& name, const std::string& group_name, std::int64_t epoch) {
    return eventually([&] {
      const json g = group_of(name, group_name);
      return !g.is_null() && g.at("epoch").get<std::int64_t>() >= epoch;
    });
  }

  static std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Everything msgd keeps on disk for the user: the database and its WAL.
  std::string state_bytes(const std::string& name) {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / name)) {
      if (entry.is_regular_file()) all += file_bytes(entry.path());
    }
    return all;
  }
};

TEST_F(MsgdGroupsTest, ThreeMembersEachSeeEveryMessageWithItsSenderInOrder) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  registered_user("carol");
  const json created = call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  EXPECT_EQ(created.at("members"), json({"alice", "bob", "carol"}));
  EXPECT_EQ(created.at("admins"), json({"alice"}));
  EXPECT_EQ(created.at("epoch"), 1);
  EXPECT_TRUE(created.at("admin").get<bool>());
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  EXPECT_EQ(group_of("bob", "ops").at("id"), created.at("id"));
  EXPECT_FALSE(group_of("bob", "ops").at("admin").get<bool>());

  call("alice", "group_send", {{"group", "ops"}, {"text", "alice 1"}});
  call("alice", "send", {{"peer", "@ops"}, {"text", "alice 2"}});  // send takes "@GROUP" too
  ASSERT_TRUE(eventually([&] { return group_history("bob", "ops").size() == 2; }));
  call("bob", "group_send", {{"group", "@ops"}, {"text", "bob 1"}});
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() == 3; }));
  call("carol", "group_send", {{"group", created.at("id")}, {"text", "carol 1"}});

  const std::vector<std::pair<std::string, std::string>> expected{
      {"alice", "alice 1"}, {"alice", "alice 2"}, {"bob", "bob 1"}, {"carol", "carol 1"}};
  for (const char* member : {"alice", "bob", "carol"}) {
    ASSERT_TRUE(eventually([&] { return group_history(member, "ops").size() >= 4; })) << member;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a duplicate would have landed by now
  for (const char* member : {"alice", "bob", "carol"}) EXPECT_EQ(group_history(member, "ops"), expected) << member;

  // A received group message names its group; the inbox shows it.
  const json inbox = call("bob", "inbox");
  const auto from_carol =
      std::find_if(inbox.begin(), inbox.end(), [](const json& m) { return m.at("text") == "carol 1"; });
  ASSERT_NE(from_carol, inbox.end());
  EXPECT_EQ(from_carol->at("group").at("name"), "ops");
  EXPECT_EQ(from_carol->at("sender"), "carol");
  EXPECT_EQ(from_carol->at("peer"), "#" + created.at("id").get<std::string>());
  // Sent means the relay holds it for every member.
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : call("alice", "history", {{"peer", "@ops"}})) {
      if (m.at("sender") == "alice" && m.at("state") != "sent") return false;
    }
    return true;
  }));
  EXPECT_EQ(call("bob", "mark_read", {{"peer", "@ops"}}).at("marked"), 3);
  // Nothing was refused along the way.
  for (const char* member : {"alice", "bob", "carol"}) {
    EXPECT_EQ(user(member).process().output().find("refused"), std::string::npos) << member;
  }
}

TEST_F(MsgdGroupsTest, AddedMemberReadsWhatFollowsAndARemovedOneNothingAfter) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol", "dave"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  call("alice", "group_send", {{"group", "ops"}, {"text", "before dave"}});
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() == 1; }));

  // Only an admin changes the group.
  EXPECT_THROW(call("bob", "group_add", {{"group", "ops"}, {"members", {"dave"}}}), std::exception);

  const json added = call("alice", "group_add", {{"group", "ops"}, {"members", {"dave"}}});
  EXPECT_EQ(added.at("epoch"), 2);
  ASSERT_TRUE(knows_group("dave", "ops", 2));
  ASSERT_TRUE(knows_group("bob", "ops", 2));
  call("bob", "group_send", {{"group", "ops"}, {"text", "hello dave"}});
  ASSERT_TRUE(eventually([&] { return group_history("dave", "ops").size() == 1; }));
  EXPECT_EQ(group_history("dave", "ops").front(), (std::pair<std::string, std::string>{"bob", "hello dave"}));

  const json removed = call("alice", "group_remove", {{"group", "ops"}, {"members", {"carol"}}});
  EXPECT_EQ(removed.at("members"), json({"alice", "bob", "dave"}));
  ASSERT_TRUE(eventually([&] { return group_of("carol", "ops").value("status", "") == "removed"; }));
  ASSERT_TRUE(knows_group("bob", "ops", 3));
  ASSERT_TRUE(knows_group("dave", "ops", 3));
  const std::string secret = "after carol left: the launch code is 7431";
  call("bob", "group_send", {{"group", "ops"}, {"text", secret}});
  call("alice", "group_send", {{"group", "ops"}, {"text", "alice after carol"}});
  ASSERT_TRUE(eventually([&] { return group_history("dave", "ops").size() == 3; }));
  ASSERT_TRUE(eventually([&] { return group_history("alice", "ops").size() == 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // carol's history ends where she was removed, and nothing she stores holds
  // the later plaintext (she never had the key: the relay did not even send
  // it to her, and had it done so, her msgd forgot every key of the group).
  EXPECT_EQ(group_history("carol", "ops").size(), 2u);
  EXPECT_EQ(state_bytes("carol").find("launch code"), std::string::npos);
  EXPECT_NE(state_bytes("bob").find("launch code"), std::string::npos);  // the check can see plaintext
  EXPECT_THROW(call("carol", "group_send", {{"group", "ops"}, {"text", "am I still here?"}}), std::exception);

  // bob leaves: the others see it; what follows does not reach him.
  EXPECT_EQ(call("bob", "group_leave", {{"group", "ops"}}).at("status"), "left");
  ASSERT_TRUE(eventually([&] { return group_of("alice", "ops").at("members") == json({"alice", "dave"}); }));
  ASSERT_TRUE(eventually([&] { return group_of("dave", "ops").at("members") == json({"alice", "dave"}); }));
  call("dave", "group_send", {{"group", "ops"}, {"text", "just us"}});
  ASSERT_TRUE(eventually([&] { return group_history("alice", "ops").size() == 5; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto bobs = group_history("bob", "ops");
  EXPECT_EQ(std::count_if(bobs.begin(), bobs.end(), [](const auto& m) { return m.second == "just us"; }), 0);

  // Renaming reaches everyone still in it.
  call("alice", "group_rename", {{"group", "ops"}, {"name", "launch team"}});
  ASSERT_TRUE(eventually([&] { return !group_of("dave", "launch team").is_null(); }));
}

TEST_F(MsgdGroupsTest, AnOfflineMemberCatchesUpOnEveryMessageInOrderOnce) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());

  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 5; ++i) {
    for (const char* sender : {"alice", "bob"}) {
      const std::string text = std::string(sender) + " " + std::to_string(i);
      call(sender, "group_send", {{"group", "ops"}, {"text", text}});
      expected.emplace_back(sender, text);
    }
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }));
  ASSERT_TRUE(eventually([&] { return call("bob", "status").at("outbox") == 0; }));
  user("carol").start();
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() >= expected.size(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto got = group_history("carol", "ops");
  ASSERT_EQ(got.size(), expected.size());
  // In order per sender (the two senders' messages may interleave either way).
  for (const char* sender : {"alice", "bob"}) {
    std::vector<std::string> want, have;
    for (const auto& [s, t] : expected) {
      if (s == sender) want.push_back(t);
    }
    for (const auto& [s, t] : got) {
      if (s == sender) have.push_back(t);
    }
    EXPECT_EQ(have, want) << sender;
  }
}

// alice is killed with SIGKILL at random moments while she streams messages to
// the group: every message whose group_send returned reaches each member
// exactly once.
TEST_F(MsgdGroupsTest, KillNineOfTheSenderMidFanOutDeliversEachMessageOnce) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  std::mt19937 random(static_cast<unsigned>(::testing::UnitTest::GetInstance()->random_seed()));
  std::set<std::string> accepted;
  int next = 0;
  for (int round = 0; round < 3; ++round) {
    auto client = user("alice").socket_client();
    std::thread killer([&, delay = random() % 40] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      user("alice").process().kill9();
    });
    for (int i = 0; i < 30; ++i) {
      const std::string text = "stream " + std::to_string(next++);
      try {
        client->call("group_send", {{"group", "ops"}, {"text", text}});
        accepted.insert(text);
      } catch (const std::exception&) {
        break;
      }
    }
    killer.join();
    client.reset();
    user("alice").start();
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "status").at("outbox") == 0; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (const char* member : {"bob", "carol"}) {
    std::multiset<std::string> received;
    for (const auto& [sender, text] : group_history(member, "ops")) received.insert(text);
    for (const auto& text : accepted) EXPECT_EQ(received.count(text), 1u) << member << ": " << text;
    for (const auto& text : received) EXPECT_EQ(received.count(text), 1u) << member << " duplicate: " << text;
  }
}

TEST_F(MsgdGroupsTest, TheRelaysDatabaseHoldsNoGroupPlaintext) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "secret-project-name"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "secret-project-name", 1));
  // carol is away: the relay queues her copy.
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());
  call("alice", "group_send", {{"group", "secret-project-name"}, {"text", "the plaintext marker 5f2c"}});
  ASSERT_TRUE(eventually([&] { return group_history("bob", "secret-project-name").size() == 1; }));
  std::string relay_files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "relay")) {
    if (entry.is_regular_file()) relay_files += file_bytes(entry.path());
  }
  EXPECT_GT(relay_files.size(), 0u);
  EXPECT_EQ(relay_files.find("plaintext marker"), std::string::npos);
  EXPECT_EQ(relay_files.find("secret-project-name"), std::string::npos);
}

std::string as_string(crypto::ByteView bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A hostile user at the wire level: a real account on the relay and a real
// pairwise session (X3DH and the Double Ratchet from lib/crypto) with one
// victim, through which it sends whatever content it likes.
class HostilePeer {
 public:
  HostilePeer(std::uint16_t port, const std::string& name, const std::string& victim)
      : client_(port), name_(name), identity_(crypto::IdentityKeyPair::generate()) {
    client_.hello();
    wire::Frame reg;
    reg.mutable_register_()->set_username(name);
    reg.mutable_register_()->set_password(kPassword);
    *reg.mutable_register_()->mutable_identity() = msgd::to_wire(identity_.public_key());
    reg.mutable_register_()->set_device_name("hostile");
    const wire::Frame token = client_.request(reg);
    if (!token.has_token()) throw std::runtime_error("hostile peer: register failed");
    wire::Frame fetch;
    fetch.mutable_fetch_bundle()->set_username(victim);
    const crypto::PrekeyBundle bundle = msgd::verified_bundle(client_.request(fetch).bundle());
    x3dh_ = crypto::x3dh_initiate(identity_, name, bundle);
    session_.emplace(crypto::RatchetSession::initiate(x3dh_->shared_secret, x3dh_->associated_data,
                                                      bundle.signed_prekey.public_key));
    victim_ = victim;
  }

  // Sends content over the pairwise session (with the X3DH header, as a
  // sender does until it hears back).
  void send_pairwise(msgd::Content content) {
    content.id = msgd::new_message_id();
    crypto::InitialMessage initial;
    initial.initiator_identity = identity_.public_key();
    initial.ephemeral_public = x3dh_->ephemeral_public;
    initial.signed_prekey_id = x3dh_->signed_prekey_id;
    initial.one_time_prekey_id = x3dh_->one_time_prekey_id;
    initial.ratchet_message = session_->encrypt(crypto::pad(msgd::encode_content(content)));
    send_envelope(content.id,
                  msgd::encode_envelope(msgd::EnvelopeType::kInitial, crypto::encode_initial_message(initial)));
  }

  void send_envelope(const msgd::MessageId& id, crypto::ByteView envelope) {
    const wire::Frame ack = client_.send_envelope(as_string(id), {victim_}, as_string(envelope));
    if (!ack.has_send_ack()) throw std::runtime_error("hostile peer: the relay refused a send");
  }

  // A group message under a chain of its own making.
  void send_group_message(const crypto::GroupId& group, std::uint64_t epoch, const std::array<std::uint8_t, 32>& hash,
                          crypto::SenderKeyChain& chain, const std::string& text) {
    msgd::Content content;
    content.id = msgd::new_message_id();
    content.text = text;
    const crypto::Bytes message =
        chain.encrypt(crypto::pad(msgd::encode_content(content)), msgd::group_message_context(name_, epoch, hash));
    msgd::GroupEnvelope envelope;
    envelope.group_id = group;
    envelope.epoch = epoch;
    envelope.state_hash = hash;
    envelope.message = message;
    send_envelope(content.id, msgd::encode_group_envelope(envelope));
  }

 private:
  RelayTestClient client_;
  std::string name_;
  std::string victim_;
  crypto::IdentityKeyPair identity_;
  std::optional<crypto::X3dhInitiation> x3dh_;
  std::optional<crypto::RatchetSession> session_;
};

msgd::GroupState state_from_json(const json& g) {
  msgd::GroupState state;
  state.id = *msgd::group_id_from_hex(g.at("id").get<std::string>());
  state.epoch = g.at("epoch").get<std::uint64_t>();
  state.name = g.at("name").get<std::string>();
  state.members = g.at("members").get<std::vector<std::string>>();
  state.admins = g.at("admins").get<std::vector<std::string>>();
  return state;
}

// Everything a hostile user or relay can throw at a member: a membership
// change from a non-admin, a sender key and a message from a non-member, a
// message for a group nobody made, and a real member's message replayed, in
// its epoch and after the group moved on. Each is refused and logged, nothing
// reaches history, and msgd stays up.
TEST_F(MsgdGroupsTest, HostileGroupTrafficIsRefusedLoggedAndStoresNothing) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  const json created = call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  const msgd::GroupState real = state_from_json(created);
  const crypto::Sha256Digest real_hash = msgd::group_state_hash(real);
  auto refusals = [&] { return occurrences(user("bob").process().output(), "_refused"); };

  HostilePeer mallory(relayd().port(), "mallory", "bob");
  // 1. A membership change from someone who is not an admin (nor a member).
  msgd::GroupState forged = real;
  forged.epoch = 2;
  forged.members = {"alice", "bob", "carol", "mallory"};
  forged.admins = {"alice", "mallory"};
  msgd::Content update;
  update.kind = msgd::ContentKind::kGroupUpdate;
  update.group_state = msgd::encode_group_state(forged);
  mallory.send_pairwise(update);
  ASSERT_TRUE(eventually([&] { return refusals() >= 1; }));
  EXPECT_NE(user("bob").process().output().find("membership change from a member who is not an admin"),
            std::string::npos);
  EXPECT_EQ(group_of("bob", "ops").at("epoch"), 1);
  EXPECT_EQ(group_of("bob", "ops").at("members"), json({"alice", "bob", "carol"}));

  // 2. A sender key and a message from a non-member, with the right hash.
  crypto::SenderKeyChain chain = crypto::SenderKeyChain::generate(real.id);
  msgd::Content key;
  key.kind = msgd::ContentKind::kSenderKey;
  key.group_epoch = 1;
  key.sender_key = crypto::encode_sender_key_distribution(chain.distribution());
  mallory.send_pairwise(key);
  ASSERT_TRUE(eventually([&] { return refusals() >= 2; }));
  mallory.send_group_message(real.id, 1, real_hash, chain, "from a non-member");
  ASSERT_TRUE(eventually([&] { return refusals() >= 3; }));
  EXPECT_NE(user("bob").process().output().find("the sender is not a member"), std::string::npos);

  // 3. A group nobody made.
  crypto::GroupId unknown{};
  crypto::random_fill(unknown);
  crypto::SenderKeyChain unknown_chain = crypto::SenderKeyChain::generate(unknown);
  mallory.send_group_message(unknown, 1, real_hash, unknown_chain, "for an unknown group");
  ASSERT_TRUE(eventually([&] { return refusals() >= 4; }));
  EXPECT_NE(user("bob").process().output().find("an unknown group"), std::string::npos);

  // 4. A real message of alice's, captured on its way to carol (she is away;
  //    a second login of hers takes the relay's copy), then sent again under
  //    alice's own account with a new id: in its epoch, and after two changes.
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());
  call("alice", "group_send", {{"group", "ops"}, {"text", "the real one"}});
  ASSERT_TRUE(eventually([&] { return group_history("bob", "ops").size() == 1; }));
  RelayTestClient carol_wire(relayd().port());
  carol_wire.hello();
  ASSERT_TRUE(carol_wire.login("carol", kPassword).has_token());
  std::optional<wire::Frame> captured;
  for (int i = 0; i < 10 && !captured; ++i) {
    auto delivery = carol_wire.next_delivery(std::chrono::seconds(2));
    if (delivery && delivery->deliver().sender() == "alice" && !delivery->deliver().envelope().empty() &&
        static_cast<std::uint8_t>(delivery->deliver().envelope()[0]) == 3) {
      captured = delivery;
    }
  }
  ASSERT_TRUE(captured.has_value()) << "carol's copy of alice's group message never came";
  RelayTestClient alice_wire(relayd().port());
  alice_wire.hello();
  ASSERT_TRUE(alice_wire.login("alice", kPassword).has_token());
  const std::string replayed = captured->deliver().envelope();
  ASSERT_TRUE(alice_wire.send_envelope(as_string(msgd::new_message_id()), {"bob"}, replayed).has_send_ack());
  ASSERT_TRUE(eventually([&] { return refusals() >= 5; }));
  call("alice", "group_add", {{"group", "ops"}, {"members", {"mallory"}}});
  call("alice", "group_remove", {{"group", "ops"}, {"members", {"mallory"}}});
  ASSERT_TRUE(knows_group("bob", "ops", 3));
  ASSERT_TRUE(alice_wire.send_envelope(as_string(msgd::new_message_id()), {"bob"}, replayed).has_send_ack());
  ASSERT_TRUE(eventually([&] { return refusals() >= 6; }));
  EXPECT_NE(user("bob").process().output().find("a message from an old epoch"), std::string::npos);

  // Nothing of it reached bob's history; bob's msgd is up and still reads the group.
  EXPECT_EQ(group_history("bob", "ops"), (std::vector<std::pair<std::string, std::string>>{{"alice", "the real one"}}));
  EXPECT_EQ(call("bob", "inbox").size(), 1u);
  call("alice", "group_send", {{"group", "ops"}, {"text", "still fine"}});
  ASSERT_TRUE(eventually([&] { return group_history("bob", "ops").size() == 2; }));
}

// Fifty members, each a real msgd: one message from the creator and from five
// others reaches all fifty histories once, in per-sender order; a member
// removed then gets nothing more.
TEST_F(MsgdGroupsTest, FiftyMembersAllReceiveEveryMessageAndARemovedOneNoMore) {
  start_relayd("relay", kManyUsersRelay);
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "member%02d", i);
    names.emplace_back(name);
    registered_user(names.back());
  }
  const std::vector<std::string> others(names.begin() + 1, names.end());
  const json created = call(names[0], "group_create", {{"name", "all-hands"}, {"members", others}});
  ASSERT_EQ(created.at("members").size(), 50u);
  for (const auto& name : names) ASSERT_TRUE(knows_group(name, "all-hands", 1)) << name;

  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 6; ++i) {
    const std::string& sender = names[static_cast<std::size_t>(i * 7)];
    const std::string text = "hello from " + sender;
    call(sender, "group_send", {{"group", "all-hands"}, {"text", text}});
    expected.emplace_back(sender, text);
  }
  for (const auto& name : names) {
    ASSERT_TRUE(eventually([&] { return group_history(name, "all-hands").size() >= expected.size(); })) << name;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const auto& name : names) {
    auto got = group_history(name, "all-hands");
    // Different senders' messages may interleave; each arrives once.
    std::sort(got.begin(), got.end());
    auto want = expected;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << name;
  }

  call(names[0], "group_remove", {{"group", "all-hands"}, {"members", {names[49]}}});
  ASSERT_TRUE(eventually([&] { return group_of(names[49], "all-hands").value("status", "") == "removed"; }));
  for (const auto& name : names) {
    if (name != names[49]) {
      ASSERT_TRUE(knows_group(name, "all-hands", 2)) << name;
    }
  }
  call(names[1], "group_send", {{"group", "all-hands"}, {"text", "after the removal"}});
  for (std::size_t i = 0; i < 49; ++i) {
    ASSERT_TRUE(eventually([&] { return group_history(names[i], "all-hands").size() == expected.size() + 1; }))
        << names[i];
  }
  EXPECT_EQ(group_history(names[49], "all-hands").size(), expected.size());
}

// A member's identity key changes: nothing goes to the group until the user
// trusts the new key, and the refusal names the member.
TEST_F(MsgdGroupsTest, AMembersChangedIdentityBlocksSendingToTheGroupUntilTrusted) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  call("alice", "group_send", {{"group", "ops"}, {"text", "first"}});
  ASSERT_TRUE(eventually([&] { return group_history("carol", "ops").size() == 1; }));

  // carol's account is deleted and someone registers "carol" again with new keys.
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());
  const auto removed = run_relayd_command({"user", "remove", "carol", "--config", relayd().config_path().string(),
                                           "--state-dir", relayd().state_dir().string()});
  ASSERT_EQ(removed.status, 0) << removed.output;
  add_user("carol2");
  call("carol2", "register", {{"username", "carol"}, {"password", kPassword}});
  call("carol2", "send", {{"peer", "alice"}, {"text", "new keys, same name"}});
  ASSERT_TRUE(eventually([&] {
    for (const auto& c : call("alice", "contacts")) {
      if (c.at("username") == "carol") return c.at("trust") == "untrusted";
    }
    return false;
  }));
  std::string error;
  try {
    call("alice", "group_send", {{"group", "ops"}, {"text", "blocked"}});
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("carol"), std::string::npos) << error;
  EXPECT_NE(error.find("msgctl trust carol"), std::string::npos) << error;
  EXPECT_EQ(group_history("alice", "ops").size(), 1u);

  call("alice", "verify", {{"peer", "carol"}});
  call("alice", "group_send", {{"group", "ops"}, {"text", "after trust"}});
  ASSERT_TRUE(eventually([&] { return group_history("bob", "ops").size() == 2; }));
  // The new carol never had the group (a new device is added again by an
  // admin), so the message is refused there and stored nowhere.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(group_of("carol2", "ops").is_null());
}

// broadcast: one text to twenty contacts, each copy a pairwise message of its own.
TEST_F(MsgdGroupsTest, BroadcastReachesTwentyContactsEachEncryptedForItsContact) {
  start_relayd("relay", kManyUsersRelay);
  registered_user("alice");
  std::vector<std::string> contacts;
  for (int i = 0; i < 20; ++i) {
    contacts.push_back("friend" + std::to_string(i));
    registered_user(contacts.back());
    call(contacts.back(), "send", {{"peer", "alice"}, {"text", "hi alice"}});  // alice learns the contact
  }
  ASSERT_TRUE(eventually([&] { return call("alice", "contacts").size() == 20; }));
  // Two of them go offline: --online leaves them out, the plain broadcast does not.
  for (const char* away : {"friend18", "friend19"}) {
    ASSERT_TRUE(user(away).terminate_within(std::chrono::seconds(10)).has_value());
  }
  const json online_only = call("alice", "broadcast", {{"text", "online ones"}, {"online_only", true}});
  EXPECT_EQ(online_only.at("count"), 18);
  const json all = call("alice", "broadcast", {{"text", "everyone"}});
  EXPECT_EQ(all.at("count"), 20);
  std::set<std::string> ids;
  for (const auto& m : all.at("messages")) ids.insert(m.at("id").get<std::string>());
  EXPECT_EQ(ids.size(), 20u);  // each copy has its own id
  for (const char* away : {"friend18", "friend19"}) user(away).start();
  for (const auto& name : contacts) {
    ASSERT_TRUE(eventually([&] {
      const auto c = conversation(name, "alice");
      return std::count_if(c.begin(), c.end(), [](const auto& m) { return m.second == "everyone"; }) == 1;
    })) << name;
    const auto c = conversation(name, "alice");
    const bool online_copy =
        std::count_if(c.begin(), c.end(), [](const auto& m) { return m.second == "online ones"; }) == 1;
    EXPECT_EQ(online_copy, name != "friend18" && name != "friend19") << name;
  }
}

// A file to the group: one upload every member may fetch, one group message
// with its key; each member downloads it byte for byte.
TEST_F(MsgdGroupsTest, AFileSentToTheGroupReachesEveryMemberIdentical) {
  start_relayd();
  for (const char* name : {"alice", "bob", "carol"}) registered_user(name);
  call("alice", "group_create", {{"name", "ops"}, {"members", {"bob", "carol"}}});
  ASSERT_TRUE(knows_group("bob", "ops", 1));
  ASSERT_TRUE(knows_group("carol", "ops", 1));
  std::string data(300 * 1024 + 17, '\0');
  std::mt19937 random(7);
  for (auto& c : data) c = static_cast<char>(random());
  const std::filesystem::path source = dir_ / "report.bin";
  std::ofstream(source, std::ios::binary) << data;
  const json sent =
      call("alice", "send_file", {{"peer", "@ops"}, {"path", source.string()}, {"caption", "the numbers"}});
  for (const char* member : {"bob", "carol"}) {
    std::string path;
    ASSERT_TRUE(eventually([&] {
      for (const auto& f : call(member, "list_files", {{"peer", "@ops"}})) {
        if (f.at("id") == sent.at("id") && f.at("state") == "downloaded") path = f.at("path").get<std::string>();
      }
      return !path.empty();
    })) << member;
    EXPECT_EQ(file_bytes(path), data) << member;
    const auto history = call(member, "history", {{"peer", "@ops"}});
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history.at(0).at("kind"), "file");
    EXPECT_EQ(history.at(0).at("text"), "the numbers");
    EXPECT_EQ(history.at(0).at("sender"), "alice");
  }
  ASSERT_TRUE(eventually([&] { return message_state("alice", sent.at("id").get<std::string>()) == "sent"; }));
}

// Every group method and the GroupChanged event, over D-Bus and over the
// socket, on the same msgd: the same results (D-Bus carries them as a{sv}).
TEST_F(MsgdGroupsTest, GroupMethodsAndEventsAreAlikeOverDbusAndTheSocket) {
  start_relayd();
  registered_user("alice", /*with_bus=*/true);
  registered_user("bob");
  registered_user("carol");
  auto bus = user("alice").dbus_client();
  auto socket = user("alice").socket_client();
  bus->subscribe();
  socket->subscribe();

  const json created = bus->call("group_create", {{"name", "ops"}, {"members", {"bob"}}});
  EXPECT_EQ(created.at("members"), json({"alice", "bob"}));
  const json added = socket->call("group_add", {{"group", "ops"}, {"members", {"carol"}}});
  EXPECT_EQ(added.at("epoch"), 2);
  // Compared once msgd is done with the network: a member's trust reads
  // "unknown" until its key is fetched, a message's state moves on once sent.
  auto settled = [&] {
    return eventually([&] { return socket->call("status").at("outbox") == 0 && socket->call("contacts").size() == 2; });
  };
  ASSERT_TRUE(settled());
  EXPECT_EQ(bus->call("group_list"), socket->call("group_list"));
  EXPECT_EQ(bus->call("group_members", {{"group", "ops"}}), socket->call("group_members", {{"group", "ops"}}));
  const json renamed = bus->call("group_rename", {{"group", "ops"}, {"name", "ops team"}});
  EXPECT_EQ(renamed.at("name"), "ops team");
  EXPECT_EQ(bus->call("group_remove", {{"group", "ops team"}, {"members", {"carol"}}}).at("members"),
            json({"alice", "bob"}));
  const json via_bus = bus->call("group_send", {{"group", "ops team"}, {"text", "over the bus"}});
  const json via_socket = socket->call("group_send", {{"group", "@ops team"}, {"text", "over the socket"}});
  EXPECT_EQ(via_bus.at("group"), via_socket.at("group"));
  ASSERT_TRUE(settled());
  EXPECT_EQ(bus->call("history", {{"peer", "@ops team"}}), socket->call("history", {{"peer", "@ops team"}}));
  // Contacts (bob and carol, whose keys msgd holds) each get their copy.
  EXPECT_EQ(bus->call("broadcast", {{"text", "to all"}, {"online_only", false}}).at("count"), 2);
  const json left = socket->call("group_leave", {{"group", "ops team"}});
  EXPECT_EQ(left.at("status"), "left");
  EXPECT_FALSE(left.at("admin").get<bool>());
  // The same errors by name.
  std::string bus_error, socket_error;
  try {
    bus->call("group_send", {{"group", "nosuch"}, {"text", "x"}});
  } catch (const std::exception& e) {
    bus_error = e.what();
  }
  try {
    socket->call("group_send", {{"group", "nosuch"}, {"text", "x"}});
  } catch (const std::exception& e) {
    socket_error = e.what();
  }
  EXPECT_NE(bus_error.find("no group named"), std::string::npos) << bus_error;
  EXPECT_NE(socket_error.find("no group named"), std::string::npos) << socket_error;

  // Each change was one GroupChanged on both transports, in order.
  auto epochs = [](api::Client& client) {
    std::vector<std::int64_t> out;
    while (auto event = client.next_event(std::chrono::milliseconds(500))) {
      if (event->name == "GroupChanged") out.push_back(event->data.at("epoch").get<std::int64_t>());
    }
    return out;
  };
  const std::vector<std::int64_t> expected{1, 2, 3, 4, 5};
  EXPECT_EQ(epochs(*bus), expected);
  EXPECT_EQ(epochs(*socket), expected);
}

TEST_F(MsgdGroupsTest, BadRequestsAreRefusedClearlyAndChangeNothing) {
  start_relayd();
  registered_user("alice");
  registered_user("bob");
  auto refused = [&](const std::string& method, const json& params) {
    try {
      call("alice", method, params);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(refused("group_create", {{"name", ""}}).find("empty"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", std::string(65, 'x')}}).find("64 bytes"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "a\x1b[2Jb"}}).find("control"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "@ops"}}).find("'@'"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "ops"}, {"members", {"not a name"}}}).find("members"), std::string::npos);
  EXPECT_NE(refused("group_create", {{"name", "ops"}, {"members", {"alice"}}}).find("you are in"), std::string::npos);
  EXPECT_NE(refused("group_send", {{"group", "nosuch"}, {"text", "x"}}).find("no group named"), std::string::npos);
  EXPECT_EQ(call("alice", "group_list").size(), 0u);

  const json with_bob = call("alice", "group_create", {{"name", "twin"}, {"members", {"bob"}}});
  call("alice", "group_create", {{"name", "twin"}});
  EXPECT_NE(refused("group_send", {{"group", "twin"}, {"text", "x"}}).find("several groups"), std::string::npos);
  EXPECT_NE(refused("group_add", {{"group", with_bob.at("id")}, {"members", {"bob"}}}).find("already"),
            std::string::npos);
  EXPECT_EQ(call("alice", "group_list").size(), 2u);
  ASSERT_TRUE(knows_group("bob", "twin", 1));
  EXPECT_EQ(call("bob", "group_list").size(), 1u);
}

}  // namespace
}  // namespace sotto::testing
