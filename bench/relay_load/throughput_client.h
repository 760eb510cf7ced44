#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "bench/relay_load/relay_connection.h"
#include "bench/relay_load/throughput_state.h"

namespace sotto::relay_load {

// One user of a throughput run: one connection that sends this client's
// envelopes (pipelined up to --window unacknowledged Sends, paced when --rate
// is set) and receives, times and acknowledges the envelopes sent to it.
//
// Lives on one io_context; start(), start_sending() and stop() may be called
// from any thread (they post to it). The accessors at the end are for after
// the io threads have been joined.
class ThroughputClient : public std::enable_shared_from_this<ThroughputClient> {
 public:
  using Clock = std::chrono::steady_clock;

  ThroughputClient(ThroughputState& state, std::uint32_t index, net::asio::any_io_executor executor);

  // Connects and logs in (counted in state.logged_in or state.login_failed),
  // then reads until stopped or the connection fails.
  void start();
  // Sends this client's envelopes, the first at `start` (every client gets
  // the same start; paced clients are spread evenly over one interval).
  void start_sending(Clock::time_point start);
  void stop();

  // seq -> 1 when the relay acknowledged it as durable.
  const std::vector<std::uint8_t>& acked() const { return acked_; }
  // Send -> Deliver latencies of the envelopes this client received.
  std::vector<std::int64_t>& latencies_ns() { return latencies_ns_; }

 private:
  // self keeps the client alive while these coroutines run.
  net::Awaitable<void> run(std::shared_ptr<ThroughputClient> self);
  net::Awaitable<void> read_loop();
  net::Awaitable<void> send_loop(std::shared_ptr<ThroughputClient> self, Clock::time_point start);
  void on_send_ack(const wire::Frame& frame);
  void on_error(const wire::Frame& frame);
  void on_deliver(const wire::Deliver& deliver);
  void flush_acks();
  // Gives up on the Sends still waiting for an answer (the connection is gone).
  void abandon_in_flight();
  std::uint32_t pick_recipient();

  ThroughputState& state_;
  const std::uint32_t index_;
  net::asio::any_io_executor executor_;
  std::shared_ptr<RelayConnection> connection_;
  std::unordered_map<std::uint64_t, std::uint32_t> in_flight_;  // request id -> seq
  net::asio::steady_timer window_signal_;                       // the sender waits here for a free slot
  net::asio::steady_timer pace_timer_;
  std::vector<std::uint64_t> acks_to_send_;
  std::vector<std::uint8_t> acked_;
  std::vector<std::int64_t> latencies_ns_;
  std::mt19937_64 rng_;
  std::vector<std::string> names_;
  bool stopping_ = false;
};

}  // namespace sotto::relay_load
