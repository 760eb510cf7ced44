// Two relayd processes sharing one PostgreSQL store and one Redis bus, as an
// organisation that outgrew one machine runs them (docs/operations.md
// "Several relays"). Both servers are real, started by the test in its own
// folder: PostgreSQL with initdb/pg_ctl, Redis with redis-server.

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "tests/integration/relayd/relayd_fixture.h"
#include "tests/integration/relayd/unix_socket_cutter.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace sotto::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Registrations come from one loopback address; the tests make more users
// than the default limit allows an hour.
constexpr const char* kRoomyRegistration = R"(rate_limits:
  register_per_address: {rate: 1000, per: 1h, burst: 1000}
)";

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    dir_ = std::make_unique<TempDir>();
    database_ = postgres().create_fresh_database();
    redis_ = std::make_unique<RedisServer>();
  }
  void TearDown() override {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (HasFailure() && nodes_[i]) {
        std::cerr << "---- relayd " << i << " log ----\n" << nodes_[i]->log() << "--------------------\n";
      }
    }
    nodes_.clear();
    redis_.reset();
  }

  static PostgresServer& postgres() { return PostgresServer::shared(); }

  std::string yaml(bool with_bus = true, const std::string& bus_url = {}) const {
    std::string text = "store: " + database_ + "\n";
    if (with_bus) text += "bus: " + (bus_url.empty() ? redis_->url() : bus_url) + "\n";
    text +=
        "cluster:\n"
        "  poll_interval: 200ms\n"
        "  presence_ttl: 3s\n";
    return text + kRoomyRegistration;
  }

  // Node i (0 or 1), started, with its own state folder.
  RelaydProcess& start_node(std::size_t i, bool with_bus = true, const std::string& bus_url = {}) {
    if (nodes_.size() <= i) nodes_.resize(i + 1);
    nodes_[i] = std::make_unique<RelaydProcess>(dir_->path() / ("node" + std::to_string(i)), yaml(with_bus, bus_url));
    nodes_[i]->start();
    return *nodes_[i];
  }
  RelaydProcess& node(std::size_t i) { return *nodes_.at(i); }

  std::unique_ptr<RelayTestClient> connect(std::size_t n) {
    auto c = std::make_unique<RelayTestClient>(node(n).port());
    EXPECT_TRUE(c->handshake_ok()) << c->handshake_error();
    c->hello();
    return c;
  }
  std::unique_ptr<RelayTestClient> register_on(std::size_t n, const std::string& user, std::string* token = nullptr) {
    auto c = connect(n);
    const auto reply = c->register_user(user, "correct horse battery", identity_);
    if (reply.body_case() != wire::Frame::kToken) {
      ADD_FAILURE() << "register " << user << " on node " << n << " failed: " << reply.error().reason();
    } else if (token != nullptr) {
      *token = reply.token().token();
    }
    return c;
  }
  std::unique_ptr<RelayTestClient> resume_on(std::size_t n, const std::string& token) {
    auto c = connect(n);
    const auto reply = c->resume(token);
    EXPECT_EQ(reply.body_case(), wire::Frame::kOk) << reply.error().reason();
    return c;
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<PostgresServer>
      own_postgres_;  // a test that kills its server; declared first, so it outlives the relays
  std::string database_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<RelaydProcess>> nodes_;
  RelayTestClient::Identity identity_;
};

wire::Frame expect_deliver(RelayTestClient& c, std::chrono::milliseconds timeout = kWait) {
  auto f = c.next_delivery(timeout);
  if (!f) {
    ADD_FAILURE() << "no Deliver within " << timeout.count() << " ms";
    return {};
  }
  return *f;
}

bool presence_of(RelayTestClient& asker, const std::string& user) {
  wire::Frame f;
  f.mutable_presence()->add_usernames(user);
  const auto reply = asker.request(f);
  return reply.body_case() == wire::Frame::kPresenceStatus && reply.presence_status().entries_size() == 1 &&
         reply.presence_status().entries(0).online();
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

TEST_F(ClusterTest, AMessageSentOnOneRelayIsPushedOnTheOtherAtOnce) {
  start_node(0);
  start_node(1);
  auto bob = register_on(1, "bob");
  auto alice = register_on(0, "alice");
  ASSERT_TRUE(node(0).wait_for_log("event=bus_connected", kWait)) << node(0).log();
  ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", kWait)) << node(1).log();

  // Ten round trips: every one must come through the bus, well before the
  // 200 ms poll would have found it (the test allows a generous second; the
  // figure is measured in bench/run-relay-load, not here).
  for (int i = 0; i < 10; ++i) {
    const std::string text = "over the bus " + std::to_string(i);
    ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, text).body_case(), wire::Frame::kSendAck);
    const auto d = expect_deliver(*bob);
    ASSERT_EQ(d.deliver().envelope(), text);
    EXPECT_EQ(d.deliver().sender(), "alice");
    bob->ack(d.deliver().delivery_id());
  }
  // Who is online is known across relays.
  EXPECT_TRUE(eventually([&] { return presence_of(*alice, "bob"); }));
  EXPECT_TRUE(eventually([&] { return presence_of(*bob, "alice"); }));
  bob.reset();
  EXPECT_TRUE(eventually([&] { return !presence_of(*alice, "bob"); }));
}

TEST_F(ClusterTest, AnOfflineQueueFilledOnOneRelayDrainsInOrderOnTheOther) {
  start_node(0);
  start_node(1);
  std::string bob_token;
  register_on(1, "bob", &bob_token);
  auto alice = register_on(0, "alice");
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, "m" + std::to_string(i)).body_case(),
              wire::Frame::kSendAck);
  }
  auto bob = resume_on(1, bob_token);
  std::int64_t last_id = 0;
  for (int i = 0; i < 50; ++i) {
    const auto d = expect_deliver(*bob);
    ASSERT_EQ(d.deliver().envelope(), "m" + std::to_string(i));
    EXPECT_GT(static_cast<std::int64_t>(d.deliver().delivery_id()), last_id);
    last_id = static_cast<std::int64_t>(d.deliver().delivery_id());
    bob->ack(d.deliver().delivery_id());
  }
  wire::Frame ping;
  ping.mutable_ping();
  ASSERT_EQ(bob->request(ping).body_case(), wire::Frame::kPong);
  bob.reset();
  // The acks were for the shared store: the other relay has nothing left
  // either, once they are committed (they ride in the next batch, so a
  // connection made at once may still be offered one of them again).
  EXPECT_TRUE(eventually([&] {
    auto again = resume_on(0, bob_token);
    return !again->next_delivery(std::chrono::milliseconds(700)).has_value();
  }));
}

// Six senders, three on each relay, write to one recipient at once. Each
// relay's commits interleave in bob's queue; none may be pushed past one
// the other relay committed just before (it would then wait for the 30 s
// safety poll). Every envelope arrives within seconds, in per-sender order.
TEST_F(ClusterTest, SendersOnBothRelaysToOneRecipientInterleaveWithoutAGap) {
  start_node(0);
  start_node(1);
  auto bob = register_on(1, "bob");
  std::vector<std::unique_ptr<RelayTestClient>> senders;
  for (int i = 0; i < 6; ++i)
    senders.push_back(register_on(static_cast<std::size_t>(i % 2), "sender" + std::to_string(i)));
  ASSERT_TRUE(node(0).wait_for_log("event=bus_connected", kWait));
  ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", kWait));
  constexpr int kEach = 320;  // 10 rounds of 32
  // Pipelined, 32 Sends in flight per sender, so that the two relays' commits
  // for bob really interleave.
  auto stream = [](RelayTestClient& client, std::uint64_t base) {
    std::size_t acked = 0;
    for (int i = 0; i < kEach; i += 32) {
      for (int k = i; k < i + 32; ++k) {
        wire::Frame f;
        const std::uint64_t n = base + static_cast<std::uint64_t>(k);
        f.mutable_send()->set_message_id(test_message_id(n));
        f.mutable_send()->add_recipients("bob");
        f.mutable_send()->set_envelope(std::to_string(n));
        f.set_request_id(n + 1);
        client.send(f);
      }
      for (int answers = 0; answers < 32;) {
        auto reply = client.read_frame(std::chrono::seconds(5));
        if (!reply) {
          ADD_FAILURE() << "no answer to a Send within 5 s";
          break;
        }
        if (reply->request_id() == 0) continue;  // a push (PrekeyStatus), not an answer
        ++answers;
        if (reply->body_case() == wire::Frame::kSendAck) ++acked;
      }
    }
    EXPECT_EQ(acked, static_cast<std::size_t>(kEach));
  };
  std::vector<std::thread> streams;
  for (std::size_t i = 0; i < senders.size(); ++i) {
    streams.emplace_back([&, i] { stream(*senders[i], 100000 * i); });
  }
  std::map<std::string, std::vector<std::uint64_t>> by_sender;
  std::size_t received = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  const std::size_t expected = senders.size() * kEach;
  while (received < expected && Clock::now() < deadline) {
    auto d = bob->next_delivery(std::chrono::milliseconds(500));
    if (!d || d->body_case() != wire::Frame::kDeliver) continue;
    by_sender[d->deliver().sender()].push_back(std::stoull(d->deliver().envelope()));
    bob->ack(d->deliver().delivery_id());
    ++received;
  }
  for (auto& t : streams) t.join();
  EXPECT_EQ(received, expected) << "some envelopes were not pushed within 10 s";
  for (const auto& [sender, values] : by_sender) {
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << sender << "'s envelopes out of order";
  }
}

TEST_F(ClusterTest, AUserConnectedToBothRelaysGetsThePushOnBoth) {
  start_node(0);
  start_node(1);
  std::string bob_token;
  auto bob_on_0 = register_on(0, "bob", &bob_token);
  auto bob_on_1 = resume_on(1, bob_token);
  auto alice = register_on(0, "alice");
  ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", kWait));
  ASSERT_EQ(alice->send_envelope(test_message_id(7), {"bob"}, "to both").body_case(), wire::Frame::kSendAck);
  const auto here = expect_deliver(*bob_on_0);
  const auto there = expect_deliver(*bob_on_1);
  EXPECT_EQ(here.deliver().envelope(), "to both");
  EXPECT_EQ(there.deliver().envelope(), "to both");
  EXPECT_EQ(here.deliver().delivery_id(), there.deliver().delivery_id());
}

TEST_F(ClusterTest, OneSendFansOutToRecipientsOnBothRelays) {
  start_node(0);
  start_node(1);
  std::vector<std::unique_ptr<RelayTestClient>> members;
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    names.push_back("member" + std::to_string(i));
    members.push_back(register_on(static_cast<std::size_t>(i % 2), names.back()));
  }
  auto alice = register_on(0, "alice");
  ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", kWait));
  ASSERT_EQ(alice->send_envelope(test_message_id(1), names, "to the group").body_case(), wire::Frame::kSendAck);
  std::set<std::uint64_t> ids;
  for (auto& m : members) {
    const auto d = expect_deliver(*m);
    EXPECT_EQ(d.deliver().envelope(), "to the group");
    ids.insert(d.deliver().delivery_id());
  }
  EXPECT_EQ(ids.size(), members.size());  // one delivery per recipient
}

// Without Redis (bus: none) the relays still deliver, by polling the store.
TEST_F(ClusterTest, WithoutABusRelaysFindNewEnvelopesByPolling) {
  start_node(0, /*with_bus=*/false);
  start_node(1, /*with_bus=*/false);
  auto bob = register_on(1, "bob");
  auto alice = register_on(0, "alice");
  ASSERT_EQ(alice->send_envelope(test_message_id(1), {"bob"}, "polled").body_case(), wire::Frame::kSendAck);
  EXPECT_EQ(expect_deliver(*bob).deliver().envelope(), "polled");
}

// Redis goes away under a stream of sends and comes back: the relays log it,
// poll meanwhile, and every acknowledged envelope arrives exactly once.
TEST_F(ClusterTest, RedisKilledAndRestartedUnderLoadLosesNothing) {
  start_node(0);
  start_node(1);
  auto bob = register_on(1, "bob");
  auto alice = register_on(0, "alice");
  ASSERT_TRUE(node(0).wait_for_log("event=bus_connected", kWait));
  std::map<std::string, int> received;
  std::mutex mutex;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      auto d = bob->next_delivery(std::chrono::milliseconds(200));
      if (!d || d->body_case() != wire::Frame::kDeliver) continue;
      std::lock_guard lock(mutex);
      ++received[d->deliver().message_id()];
      bob->ack(d->deliver().delivery_id());
    }
  });
  std::set<std::string> acked;
  for (int i = 0; i < 300; ++i) {
    if (i == 100) {
      redis_->kill9();
      ASSERT_TRUE(node(0).wait_for_log("event=bus_down", kWait)) << node(0).log();
    }
    if (i == 200) {
      redis_->restart();
      ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", std::chrono::seconds(10))) << node(1).log();
    }
    const std::string id = test_message_id(static_cast<std::uint64_t>(i));
    if (alice->send_envelope(id, {"bob"}, "r" + std::to_string(i)).body_case() == wire::Frame::kSendAck) {
      acked.insert(id);
    }
  }
  EXPECT_EQ(acked.size(), 300u);  // the store is up throughout: every Send is taken
  const bool all = eventually(
      [&] {
        std::lock_guard lock(mutex);
        return std::all_of(acked.begin(), acked.end(), [&](const auto& id) { return received.count(id) != 0; });
      },
      std::chrono::seconds(10));
  done = true;
  reader.join();
  EXPECT_TRUE(all);
  for (const auto& [id, count] : received) EXPECT_EQ(count, 1) << "delivered more than once on one connection";
  EXPECT_NE(node(1).log().find("event=bus_down"), std::string::npos);
}

// Only one relay loses the bus (a partition between its host and Redis):
// the other keeps listening and so does not poll the store. What the cut-off
// relay stores meanwhile must reach the other's users as soon as its link is
// back, not at the other's 30 s safety poll.
TEST_F(ClusterTest, WakesARelayCouldNotPublishGoOutWhenItsLinkToTheBusIsBack) {
  const std::string redis_socket = redis_->url().substr(std::string("redis+unix://").size());
  sotto::testing::UnixSocketCutter link(dir_->path() / "node0-bus.sock", redis_socket);
  start_node(0, true, "redis+unix://" + (dir_->path() / "node0-bus.sock").string());
  start_node(1);
  ASSERT_TRUE(node(0).wait_for_log("event=bus_connected", kWait)) << node(0).log();
  ASSERT_TRUE(node(1).wait_for_log("event=bus_connected", kWait)) << node(1).log();
  auto bob = register_on(1, "bob");
  auto alice = register_on(0, "alice");

  link.cut();
  ASSERT_TRUE(node(0).wait_for_log("event=bus_down", kWait)) << node(0).log();
  std::set<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    const std::string id = test_message_id(static_cast<std::uint64_t>(i));
    if (alice->send_envelope(id, {"bob"}, "cut " + std::to_string(i)).body_case() == wire::Frame::kSendAck) {
      acked.insert(id);
    }
  }
  EXPECT_EQ(acked.size(), 20u);
  link.restore();

  // Well inside the 30 s safety poll: node 1 has been listening throughout.
  std::set<std::string> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received.size() < acked.size() && std::chrono::steady_clock::now() < deadline) {
    auto d = bob->next_delivery(std::chrono::milliseconds(200));
    if (!d || d->body_case() != wire::Frame::kDeliver) continue;
    EXPECT_TRUE(received.insert(d->deliver().message_id()).second) << "delivered twice";
  }
  EXPECT_EQ(received, acked);
  EXPECT_EQ(node(1).log().find("event=bus_down"), std::string::npos) << "node 1 lost the bus too: no proof";
}

// The sender's relay dies (kill -9) in the middle of a stream of pipelined
// Sends; the sender reconnects to the other relay and goes on. Every
// envelope that got a SendAck reaches the recipient exactly once.
TEST_F(ClusterTest, KillNineOfOneRelayUnderLoadLosesNoAcknowledgedEnvelope) {
  start_node(0);
  start_node(1);
  std::string alice_token;
  auto bob = register_on(1, "bob");
  register_on(0, "alice", &alice_token);
  std::set<std::string> acknowledged;
  std::uint64_t next = 0;
  auto stream = [&](std::size_t n, const std::function<bool()>& stop) {
    try {
      auto alice = resume_on(n, alice_token);
      std::map<std::uint64_t, std::string> in_flight;
      while (!stop()) {
        for (int i = 0; i < 32; ++i) {
          wire::Frame f;
          const std::string id = test_message_id(next++);
          f.mutable_send()->set_message_id(id);
          f.mutable_send()->add_recipients("bob");
          f.mutable_send()->set_envelope("payload:" + id);
          f.set_request_id(next);
          in_flight[next] = id;
          alice->send(f);
        }
        while (!in_flight.empty()) {
          auto reply = alice->read_frame(std::chrono::seconds(2));
          if (!reply) break;
          if (reply->body_case() == wire::Frame::kSendAck) {
            acknowledged.insert(reply->send_ack().message_id());
            in_flight.erase(reply->request_id());
          }
        }
      }
    } catch (const std::exception&) {
      // The relay died under us: expected.
    }
  };
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    node(0).kill9();
    killed = true;
  });
  stream(0, [&] { return killed.load(); });
  killer.join();
  const std::size_t before_failover = acknowledged.size();
  const auto until = Clock::now() + std::chrono::milliseconds(500);
  stream(1, [&] { return Clock::now() > until; });
  ASSERT_GT(before_failover, 0u);
  ASSERT_GT(acknowledged.size(), before_failover);

  std::map<std::string, int> delivered;
  auto missing = [&] {
    return std::any_of(acknowledged.begin(), acknowledged.end(), [&](const auto& id) { return !delivered.count(id); });
  };
  while (missing()) {
    auto push = bob->next_delivery(std::chrono::seconds(10));
    if (!push) break;
    if (push->body_case() != wire::Frame::kDeliver) continue;
    ++delivered[push->deliver().message_id()];
    bob->ack(push->deliver().delivery_id());
  }
  for (const auto& id : acknowledged) EXPECT_EQ(delivered[id], 1) << crypto::to_hex(crypto::as_bytes(id));
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
}

// PostgreSQL restarts under the relays: Sends in between get a retryable
// error (never a SendAck for something not stored), the relays reconnect by
// themselves, and everything acknowledged is delivered. A relay that cannot
// read a queue closes that connection with INTERNAL ("reconnect"): bob does
// what msgd does, reconnects until the relay lets him in again.
TEST_F(ClusterTest, PostgresRestartGivesRetryableErrorsAndLosesNothing) {
  // A server of its own: the run's shared one serves other tests meanwhile.
  own_postgres_ = std::make_unique<PostgresServer>();
  database_ = own_postgres_->create_fresh_database();
  start_node(0);
  start_node(1);
  std::string bob_token;
  register_on(1, "bob", &bob_token);
  auto alice = register_on(0, "alice");
  std::set<std::string> acked;
  std::set<std::string> refused;
  for (int i = 0; i < 20; ++i) {
    const std::string id = test_message_id(static_cast<std::uint64_t>(i));
    ASSERT_EQ(alice->send_envelope(id, {"bob"}, "before").body_case(), wire::Frame::kSendAck);
    acked.insert(id);
  }
  own_postgres_->kill9();
  for (int i = 20; i < 25; ++i) {
    const std::string id = test_message_id(static_cast<std::uint64_t>(i));
    const auto reply = alice->send_envelope(id, {"bob"}, "during");
    ASSERT_EQ(reply.body_case(), wire::Frame::kError) << "a SendAck with the database down";
    EXPECT_EQ(reply.error().code(), wire::INTERNAL);
    EXPECT_NE(reply.error().reason().find("retry"), std::string::npos) << reply.error().reason();
    refused.insert(id);
  }
  own_postgres_->start();
  // The client retries what was refused, as msgd's outbox does.
  for (const auto& id : refused) {
    ASSERT_TRUE(
        eventually([&] { return alice->send_envelope(id, {"bob"}, "retried").body_case() == wire::Frame::kSendAck; },
                   std::chrono::seconds(15)))
        << node(0).log();
    acked.insert(id);
  }
  std::set<std::string> delivered;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline &&
         std::any_of(acked.begin(), acked.end(), [&](const auto& id) { return !delivered.count(id); })) {
    try {
      auto bob = std::make_unique<RelayTestClient>(node(1).port());
      bob->hello();
      if (bob->resume(bob_token).body_case() != wire::Frame::kOk) throw std::runtime_error("resume refused");
      std::set<std::uint64_t> seen_here;  // one connection never gets an envelope twice
      while (auto push = bob->next_delivery(std::chrono::seconds(2))) {
        if (push->body_case() != wire::Frame::kDeliver) continue;
        EXPECT_TRUE(seen_here.insert(push->deliver().delivery_id()).second);
        delivered.insert(push->deliver().message_id());
        bob->ack(push->deliver().delivery_id());
      }
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the relay closed us: reconnect
    }
  }
  for (const auto& id : acked) EXPECT_TRUE(delivered.count(id)) << crypto::to_hex(crypto::as_bytes(id));
}

// A relay on SQLite with queued envelopes moves to PostgreSQL: export-store,
// import-store, start on PostgreSQL. The recipient's token still works and
// every queued envelope arrives with its delivery id.
TEST_F(ClusterTest, ASqliteRelayMovesToPostgresWithItsQueue) {
  const std::filesystem::path sqlite_dir = dir_->path() / "sqlite";
  auto single = std::make_unique<RelaydProcess>(sqlite_dir, kRoomyRegistration);
  single->start();
  std::string bob_token;
  {
    auto c = std::make_unique<RelayTestClient>(single->port());
    c->hello();
    const auto reply = c->register_user("bob", "correct horse battery", identity_);
    ASSERT_EQ(reply.body_case(), wire::Frame::kToken);
    bob_token = reply.token().token();
  }
  std::vector<std::uint64_t> ids_before;
  {
    auto alice = std::make_unique<RelayTestClient>(single->port());
    alice->hello();
    ASSERT_EQ(alice->register_user("alice", "correct horse battery", identity_).body_case(), wire::Frame::kToken);
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(alice->send_envelope(test_message_id(i), {"bob"}, "queued " + std::to_string(i)).body_case(),
                wire::Frame::kSendAck);
    }
  }
  EXPECT_EQ(single->terminate(), 0);

  const std::filesystem::path dump = dir_->path() / "relay.dump";
  const auto exported = run_relayd_command(
      {"--config", single->config_path().string(), "--state-dir", sqlite_dir.string(), "export-store", dump.string()});
  ASSERT_EQ(exported.status, 0) << exported.output;
  const std::filesystem::path pg_config = dir_->path() / "pg.yaml";
  std::ofstream(pg_config) << yaml();
  const auto imported = run_relayd_command({"--config", pg_config.string(), "--state-dir",
                                            (dir_->path() / "node0").string(), "import-store", dump.string()});
  ASSERT_EQ(imported.status, 0) << imported.output;
  EXPECT_NE(imported.output.find("deliveries=20"), std::string::npos) << imported.output;
  // Importing twice is refused: the store is no longer empty.
  const auto again = run_relayd_command({"--config", pg_config.string(), "--state-dir",
                                         (dir_->path() / "node0").string(), "import-store", dump.string()});
  EXPECT_NE(again.status, 0) << again.output;

  start_node(0);
  auto bob = resume_on(0, bob_token);
  for (int i = 0; i < 20; ++i) {
    const auto d = expect_deliver(*bob);
    EXPECT_EQ(d.deliver().envelope(), "queued " + std::to_string(i));
    EXPECT_EQ(d.deliver().sender(), "alice");
    bob->ack(d.deliver().delivery_id());
  }
}

}  // namespace
}  // namespace sotto::testing
