// Nothing acknowledged is lost: relayd is killed with SIGKILL at random
// moments in the middle of a stream of sends; after a restart every envelope
// that got a SendAck is delivered.

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using CrashTest = RelaydTest;

std::uint64_t seed_from_env() {
  const char* s = std::getenv("SOTTO_TEST_SEED");
  return s != nullptr ? std::stoull(s) : 20261124;
}

TEST_F(CrashTest, EveryAcknowledgedEnvelopeSurvivesKillNine) {
  const std::uint64_t seed = seed_from_env();
  SCOPED_TRACE("SOTTO_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  start_relayd();
  std::string alice_token, bob_token;
  connect_as("bob", &bob_token);
  connect_as("alice", &alice_token);

  std::set<std::string> acknowledged;
  std::uint64_t next = 0;
  for (int round = 0; round < 4; ++round) {
    std::atomic<bool> killed{false};
    // The killer fires after a random 20..300 ms while sends are streaming.
    std::thread killer([&, delay = 20 + rng() % 280] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      relayd().kill9();
      killed = true;
    });
    {
      // Pipelined: many Sends in flight, so the kill lands between a commit
      // and its acks as well as mid-transaction.
      std::map<std::uint64_t, std::string> in_flight;
      try {
        auto alice = std::make_unique<RelayTestClient>(relayd().port());
        alice->hello();
        if (alice->resume(alice_token).body_case() != wire::Frame::kOk) throw std::runtime_error("resume failed");
        while (!killed) {
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
    }
    killer.join();
    relayd().start();
  }
  ASSERT_GT(acknowledged.size(), 0u);

  std::set<std::string> delivered;
  auto bob = resume_as(bob_token);
  // Envelopes that were stored but whose SendAck the kill swallowed arrive
  // too; only the acknowledged ones are owed, so wait until each of them came.
  auto missing = [&] {
    return std::any_of(acknowledged.begin(), acknowledged.end(), [&](const auto& id) { return !delivered.count(id); });
  };
  while (missing()) {
    auto push = bob->next_delivery(std::chrono::seconds(10));
    if (!push) break;
    if (push->body_case() != wire::Frame::kDeliver) continue;
    delivered.insert(push->deliver().message_id());
    bob->ack(push->deliver().delivery_id());
  }
  for (const auto& id : acknowledged) {
    EXPECT_TRUE(delivered.count(id)) << "acknowledged envelope lost: " << crypto::to_hex(crypto::as_bytes(id));
  }
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
}

}  // namespace
}  // namespace sotto::testing
