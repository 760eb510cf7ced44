#include "bench/relay_load/throughput_client.h"

#include <cmath>
#include <iostream>

#include "bench/relay_load/relay_handshake.h"
#include "lib/crypto/random.h"
#include "lib/wire/limits.h"

namespace sotto::relay_load {

namespace asio = net::asio;

namespace {

// Delivery ids per DeliverAck: every delivery of one socket read is
// acknowledged together, and at most this many at once; well under the
// protocol's kMaxDeliveryIdsPerAck.
constexpr std::size_t kAckBatch = 256;
static_assert(kAckBatch <= wire::kMaxDeliveryIdsPerAck);

std::uint64_t seed_from_os() {
  std::uint64_t seed = 0;
  crypto::random_fill(std::span(reinterpret_cast<std::uint8_t*>(&seed), sizeof seed));
  return seed;
}

// Counts a sender as done however its loop ends.
struct SenderDone {
  std::atomic<std::uint32_t>& counter;
  ~SenderDone() { counter.fetch_add(1, std::memory_order_relaxed); }
};

}  // namespace

ThroughputClient::ThroughputClient(ThroughputState& state, std::uint32_t index, asio::any_io_executor executor)
    : state_(state),
      index_(index),
      executor_(executor),
      window_signal_(executor),
      pace_timer_(executor),
      acked_(state.options.messages, 0),
      rng_(seed_from_os()) {
  latencies_ns_.reserve(state.options.messages);  // about what one client receives
  names_.reserve(state.options.clients);
  for (std::uint32_t i = 0; i < state.options.clients; ++i) names_.push_back(user_name(state.options, i));
}

void ThroughputClient::start() { asio::co_spawn(executor_, run(shared_from_this()), asio::detached); }

void ThroughputClient::start_sending(Clock::time_point start) {
  asio::post(executor_, [self = shared_from_this(), start] {
    if (self->stopping_ || !self->connection_ || !self->connection_->is_open()) {
      self->state_.senders_done.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    asio::co_spawn(self->executor_, self->send_loop(self, start), asio::detached);
  });
}

void ThroughputClient::stop() {
  asio::post(executor_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->connection_) self->connection_->close_gracefully();
    self->window_signal_.cancel();
    self->pace_timer_.cancel();
  });
}

net::Awaitable<void> ThroughputClient::run([[maybe_unused]] std::shared_ptr<ThroughputClient> self) {
  connection_ = std::make_shared<RelayConnection>(executor_, state_.tls.get());
  // The run's hard stop applies to every step, the log-in included.
  connection_->set_deadline(state_.deadline);
  try {
    const bool second = state_.options.second_port && index_ % 2 == 1;
    co_await connection_->open(
        second ? net::tcp::endpoint(state_.server.address(), *state_.options.second_port) : state_.server,
        std::nullopt);
    co_await say_hello(*connection_);
    AuthNotes notes;
    const auto token = co_await log_in(*connection_, names_[index_], state_.options.password,
                                       state_.options.register_users, state_.deadline, notes);
    state_.rate_limited_retries.fetch_add(notes.rate_limited_retries, std::memory_order_relaxed);
    if (notes.already_registered) state_.already_registered.fetch_add(1, std::memory_order_relaxed);
  } catch (const RefusedError& e) {
    state_.errors.add(e.code() == wire::ERROR_UNSPECIFIED ? std::string("unexpected_answer")
                                                          : std::string(wire::ErrorCode_Name(e.code())));
    std::cerr << "relay_load: " << names_[index_] << ": " << e.what() << '\n';
    state_.login_failed.fetch_add(1, std::memory_order_relaxed);
    connection_->close();
    co_return;
  } catch (const std::exception& e) {
    state_.errors.add("connect_failed");
    std::cerr << "relay_load: " << names_[index_] << ": " << e.what() << '\n';
    state_.login_failed.fetch_add(1, std::memory_order_relaxed);
    connection_->close();
    co_return;
  }
  state_.logged_in.fetch_add(1, std::memory_order_relaxed);
  co_await read_loop();
}

net::Awaitable<void> ThroughputClient::read_loop() {
  try {
    for (;;) {
      const wire::Frame frame = co_await connection_->next_frame();
      switch (frame.body_case()) {
        case wire::Frame::kSendAck:
          on_send_ack(frame);
          break;
        case wire::Frame::kDeliver:
          on_deliver(frame.deliver());
          break;
        case wire::Frame::kError:
          on_error(frame);
          break;
        case wire::Frame::kOk:  // answers a DeliverAck
        case wire::Frame::kPong:
        case wire::Frame::kPrekeyStatus:
          break;
        default:
          state_.errors.add("unexpected_frame");
          break;
      }
      if (!acks_to_send_.empty() && (acks_to_send_.size() >= kAckBatch || !connection_->has_buffered_frames())) {
        flush_acks();
      }
    }
  } catch (const std::exception& e) {
    if (!stopping_) {
      state_.errors.add("connection_lost");
      state_.connections_lost.fetch_add(1, std::memory_order_relaxed);
      std::cerr << "relay_load: " << names_[index_] << ": " << e.what() << '\n';
    }
  }
  abandon_in_flight();
}

void ThroughputClient::abandon_in_flight() {
  state_.unanswered.fetch_add(in_flight_.size(), std::memory_order_relaxed);
  state_.in_flight.fetch_sub(static_cast<std::int64_t>(in_flight_.size()), std::memory_order_relaxed);
  in_flight_.clear();
  window_signal_.cancel();
  pace_timer_.cancel();
}

void ThroughputClient::on_send_ack(const wire::Frame& frame) {
  const auto it = in_flight_.find(frame.request_id());
  if (it == in_flight_.end()) {
    state_.errors.add("unmatched_send_ack");
    return;
  }
  const std::uint32_t seq = it->second;
  in_flight_.erase(it);
  const auto key = decode_message_id(frame.send_ack().message_id(), state_.run, state_.started_unix_ms);
  if (!key || key->sender != index_ || key->seq != seq) state_.errors.add("mismatched_send_ack");
  acked_[seq] = 1;
  state_.acked.fetch_add(1, std::memory_order_relaxed);
  state_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  atomic_max(state_.last_ack_ns, steady_now_ns());
  window_signal_.cancel();
}

void ThroughputClient::on_error(const wire::Frame& frame) {
  state_.errors.add(frame.error().code());
  const auto it = in_flight_.find(frame.request_id());
  if (frame.request_id() == 0 || it == in_flight_.end()) {
    // A connection-level error (the relay closes next) or one answering a DeliverAck.
    std::cerr << "relay_load: " << names_[index_] << ": relay error " << wire::ErrorCode_Name(frame.error().code())
              << ": " << frame.error().reason() << '\n';
    return;
  }
  in_flight_.erase(it);
  state_.refused.fetch_add(1, std::memory_order_relaxed);
  state_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  window_signal_.cancel();
}

void ThroughputClient::on_deliver(const wire::Deliver& deliver) {
  const std::int64_t now = steady_now_ns();
  acks_to_send_.push_back(deliver.delivery_id());
  const auto key = decode_message_id(deliver.message_id(), state_.run, state_.started_unix_ms);
  if (!key) {
    // Left in this account's queue by an earlier run: acknowledged, not counted.
    state_.stale.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto stamp = read_envelope_stamp(deliver.envelope());
  if (key->sender >= state_.options.clients || key->seq >= state_.options.messages || !stamp || stamp->key != *key ||
      deliver.envelope().size() != state_.options.size || deliver.sender() != names_[key->sender]) {
    state_.errors.add("corrupt_delivery");
    return;
  }
  if (state_.delivered[state_.delivered_index(*key)].exchange(1, std::memory_order_relaxed) != 0) {
    // At-least-once delivery: a repeat is allowed and not timed again.
    state_.duplicates.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  latencies_ns_.push_back(now - stamp->send_time_ns);
  state_.delivered_count.fetch_add(1, std::memory_order_relaxed);
  atomic_max(state_.last_deliver_ns, now);
}

void ThroughputClient::flush_acks() {
  wire::Frame frame;
  auto* ack = frame.mutable_deliver_ack();
  for (const auto id : acks_to_send_) ack->add_delivery_ids(id);
  acks_to_send_.clear();
  connection_->queue(frame);
}

std::uint32_t ThroughputClient::pick_recipient() {
  // Uniform over the other clients.
  std::uniform_int_distribution<std::uint32_t> pick(0, state_.options.clients - 2);
  const std::uint32_t r = pick(rng_);
  return r >= index_ ? r + 1 : r;
}

net::Awaitable<void> ThroughputClient::send_loop([[maybe_unused]] std::shared_ptr<ThroughputClient> self,
                                                 Clock::time_point start) {
  SenderDone done{state_.senders_done};
  const auto& o = state_.options;
  const bool paced = o.rate > 0;
  // Open loop: message seq of this client is due at start + (index/N + seq) *
  // interval, whatever happened to earlier ones, so the offered load is the
  // target rate however the relay responds.
  const double interval_ns = paced ? 1e9 * o.clients / o.rate : 0.0;
  std::string envelope(o.size, '\0');
  envelope.replace(kEnvelopeStampBytes, state_.filler.size(), state_.filler);
  try {
    for (std::uint32_t seq = 0; seq < o.messages; ++seq) {
      if (stopping_ || !connection_->is_open()) break;
      Clock::time_point due = start;
      if (paced) {
        const double offset = (static_cast<double>(index_) / o.clients + seq) * interval_ns;
        due = start + std::chrono::nanoseconds(std::llround(offset));
        if (Clock::now() < due) {
          pace_timer_.expires_at(due);
          boost::system::error_code ec;
          co_await pace_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (stopping_ || !connection_->is_open()) break;
        }
      }
      while (in_flight_.size() >= o.window && connection_->is_open() && !stopping_) {
        window_signal_.expires_at(Clock::time_point::max());
        boost::system::error_code ec;
        co_await window_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (stopping_ || !connection_->is_open()) break;

      const std::int64_t now = steady_now_ns();
      // Paced runs time from when the message was due, so a stall that delays
      // sending counts against the relay instead of hiding (no coordinated omission).
      const std::int64_t due_ns =
          paced ? std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count() : now;
      if (paced) atomic_max(state_.max_schedule_lag_ns, now - due_ns);
      const MessageKey key{index_, seq};
      write_envelope_stamp(envelope, EnvelopeStamp{due_ns, key});

      wire::Frame frame;
      auto* send = frame.mutable_send();
      send->set_message_id(encode_message_id(state_.run, key, unix_now_ms()));
      send->add_recipients(names_[pick_recipient()]);
      send->set_envelope(envelope);
      connection_->queue(frame);
      in_flight_.emplace(frame.request_id(), seq);
      state_.in_flight.fetch_add(1, std::memory_order_relaxed);
      state_.sent.fetch_add(1, std::memory_order_relaxed);
      atomic_min(state_.first_send_ns, now);
    }
  } catch (const std::exception& e) {
    state_.errors.add("send_failed");
    std::cerr << "relay_load: " << names_[index_] << ": " << e.what() << '\n';
  }
}

}  // namespace sotto::relay_load
