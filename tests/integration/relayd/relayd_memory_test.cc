// relayd gives memory back after a burst (relayd/server/memory_return.h):
// a real relayd, real TLS clients, RSS read from /proc.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using MemoryTest = RelaydTest;
using namespace std::chrono_literals;

constexpr int kPairs = 4;            // sender/recipient pairs, each on its own threads
constexpr int kRounds = 40;          // per pair
constexpr int kPipelined = 256;      // Sends written before their answers are read
constexpr std::size_t kSize = 4096;  // bytes per envelope

// One sender pipelines kRounds x kPipelined Sends to one recipient, who
// reads and acknowledges every delivery: a burst of 40,960 envelopes of
// 4 KiB (160 MiB) through the relay on four connections at once.
void burst(RelaydTest::RelayTestClientPtr sender, RelaydTest::RelayTestClientPtr recipient, int pair,
           std::atomic<int>& failures) {
  std::thread reader([&] {
    for (int i = 0; i < kRounds * kPipelined; ++i) {
      const auto d = recipient->next_delivery(20s);
      if (!d) {
        ++failures;
        return;
      }
      recipient->ack(d->deliver().delivery_id());
    }
  });
  const std::string envelope(kSize, static_cast<char>('a' + pair));
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPipelined; ++i) {
      wire::Frame frame;
      auto* send = frame.mutable_send();
      send->set_message_id(test_message_id(static_cast<std::uint64_t>(pair) << 32 | (round * kPipelined + i)));
      send->add_recipients("recipient" + std::to_string(pair));
      send->set_envelope(envelope);
      sender->send(frame);
    }
    for (int i = 0; i < kPipelined; ++i) {
      auto answer = sender->read_frame(20s);
      // A new account is told at once that it has no prekeys: a push, not an answer.
      while (answer && answer->body_case() == wire::Frame::kPrekeyStatus) answer = sender->read_frame(20s);
      if (!answer || answer->body_case() != wire::Frame::kSendAck) ++failures;
    }
  }
  reader.join();
}

TEST_F(MemoryTest, ResidentMemoryFallsBackAfterLoginsAndABurst) {
  // Eight accounts from one address: above the default registration limit.
  start_relayd("rate_limits:\n  register_per_address:\n    rate: 100\n    per: 1h\n    burst: 100\n");
  const long before = relayd().rss_kib();

  // Registrations run Argon2id (19 MiB each, on the blocking pool's threads),
  // then the burst.
  std::vector<RelayTestClientPtr> senders;
  std::vector<RelayTestClientPtr> recipients;
  for (int p = 0; p < kPairs; ++p) {
    senders.push_back(connect_as("sender" + std::to_string(p)));
    recipients.push_back(connect_as("recipient" + std::to_string(p)));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> pairs;
  for (int p = 0; p < kPairs; ++p) {
    pairs.emplace_back(burst, senders[static_cast<std::size_t>(p)], recipients[static_cast<std::size_t>(p)], p,
                       std::ref(failures));
  }
  for (auto& t : pairs) t.join();
  ASSERT_EQ(failures.load(), 0) << "the burst itself failed";
  const long peak = relayd().peak_rss_kib();
  // The work must have made relayd grow, or this test shows nothing.
  ASSERT_GT(peak - before, 16 * 1024) << "before " << before << " KiB, peak " << peak << " KiB";

  // The clients stay connected, as users would: the relay goes quiet, and
  // within a few of its 2 s checks gives the memory back. What may stay:
  // SQLite's page caches, filled now (2 MiB for each of the store's three
  // connections), and the eight connections' own state. Without giving back,
  // relayd stayed at its peak (69 MiB here, from 14).
  constexpr long kMayStayKib = 16 * 1024;
  long now = relayd().rss_kib();
  for (int i = 0; i < 100 && now > before + kMayStayKib; ++i) {
    std::this_thread::sleep_for(100ms);
    now = relayd().rss_kib();
  }
  EXPECT_LE(now, before + kMayStayKib) << "before " << before << " KiB, peak " << peak << " KiB, 10 s later " << now
                                       << " KiB";
}

}  // namespace
}  // namespace sotto::testing
