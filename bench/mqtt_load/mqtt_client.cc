#include "bench/mqtt_load/mqtt_client.h"

#include <mosquitto.h>
#include <openssl/ssl.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string_view>

#include "bench/mqtt_load/mqtt_names.h"
#include "bench/relay_load/throughput_state.h"

namespace sotto::mqtt_load {

namespace {

using relay_load::atomic_max;
using relay_load::atomic_min;
using relay_load::steady_now_ns;

// Seconds between PINGREQs on an idle connection. The load keeps every
// connection busy; this only matters while the run waits, and is far longer
// than any wait of a bounded run's phases.
constexpr int kKeepaliveSeconds = 60;
constexpr int kQos = 1;

std::int64_t to_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Throws for a set-up call that can only fail on bad arguments or no memory:
// a bug in this tool or a broken library, not something a run can measure.
void check(int rc, const char* call) {
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string(call) + ": " + mosquitto_error_text(rc));
}

}  // namespace

MqttClient::MqttClient(MqttRunState& state, std::uint32_t index)
    : state_(state),
      index_(index),
      handle_(make_mosquitto(client_id(state.label, index), /*clean_session=*/false, this)),
      acked_(state.options.messages, 0),
      payload_(state.options.size, '\0'),
      rng_(std::random_device{}()) {
  latencies_ns_.reserve(state.options.messages);  // about what one client receives
  payload_.replace(relay_load::kEnvelopeStampBytes, state.filler.size(), state.filler);

  mosquitto* h = handle_.get();
  check(mosquitto_int_option(h, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311), "MOSQ_OPT_PROTOCOL_VERSION");
  // relayd and relay_load both set TCP_NODELAY; so do the broker (the
  // script's set_tcp_nodelay) and this client, or Nagle's algorithm would
  // hold small PUBLISHes back for the previous segment's ACK.
  check(mosquitto_int_option(h, MOSQ_OPT_TCP_NODELAY, 1), "MOSQ_OPT_TCP_NODELAY");
  // libmosquitto holds QoS 1 PUBLISHes back past 20 unacknowledged ones by
  // default; 0 lifts that (65535, the packet id space), so --window alone
  // decides how many are in flight.
  check(mosquitto_int_option(h, MOSQ_OPT_SEND_MAXIMUM, 0), "MOSQ_OPT_SEND_MAXIMUM");
  // Verify the broker's certificate against the bench CA, host name (the IP
  // literal) included, and accept nothing older than TLS 1.3.
  check(mosquitto_tls_set(h, state.options.cafile.c_str(), nullptr, nullptr, nullptr, nullptr), "mosquitto_tls_set");
  check(mosquitto_tls_opts_set(h, SSL_VERIFY_PEER, "tlsv1.3", nullptr), "mosquitto_tls_opts_set");
  check(mosquitto_tls_insecure_set(h, false), "mosquitto_tls_insecure_set");

  mosquitto_connect_callback_set(h, &MqttClient::on_connect);
  mosquitto_subscribe_callback_set(h, &MqttClient::on_subscribe);
  mosquitto_publish_callback_set(h, &MqttClient::on_publish);
  mosquitto_message_callback_set(h, &MqttClient::on_message);
  mosquitto_disconnect_callback_set(h, &MqttClient::on_disconnect);
}

void MqttClient::connect() {
  phase_ = Phase::kConnecting;
  const auto& o = state_.options;
  const int rc = mosquitto_connect(handle_.get(), o.host.c_str(), o.port, kKeepaliveSeconds);
  if (rc != MOSQ_ERR_SUCCESS) fail("connect_failed", mosquitto_error_text(rc));
}

int MqttClient::socket() const { return mosquitto_socket(handle_.get()); }

bool MqttClient::wants_write() const { return mosquitto_want_write(handle_.get()); }

void MqttClient::on_readable() {
  // Reads every packet that has arrived (libmosquitto loops while OpenSSL has
  // decrypted bytes buffered); callbacks run inside. A failure after CONNACK
  // comes back through on_disconnect as well; one during the TLS handshake
  // only here, so fail() is idempotent.
  const int rc = mosquitto_loop_read(handle_.get(), 1);
  if (rc != MOSQ_ERR_SUCCESS && !stopping_) fail(failure_name(), "read: " + mosquitto_error_text(rc));
}

void MqttClient::on_writable() {
  const int rc = mosquitto_loop_write(handle_.get(), 1);
  if (rc != MOSQ_ERR_SUCCESS && !stopping_) fail(failure_name(), "write: " + mosquitto_error_text(rc));
}

void MqttClient::on_tick() {
  if (phase_ == Phase::kGone || socket() < 0) return;
  mosquitto_loop_misc(handle_.get());
}

void MqttClient::disconnect() {
  stopping_ = true;
  if (socket() >= 0) mosquitto_disconnect(handle_.get());
}

void MqttClient::on_connect(mosquitto*, void* self, int rc) { static_cast<MqttClient*>(self)->connected(rc); }

void MqttClient::on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted) {
  static_cast<MqttClient*>(self)->subscribed(mid, count, granted);
}

void MqttClient::on_publish(mosquitto*, void* self, int mid) { static_cast<MqttClient*>(self)->acknowledged(mid); }

void MqttClient::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  static_cast<MqttClient*>(self)->received(*message);
}

void MqttClient::on_disconnect(mosquitto*, void* self, int rc) {
  auto* client = static_cast<MqttClient*>(self);
  if (!client->stopping_) client->fail(client->failure_name(), "disconnected: " + mosquitto_error_text(rc));
}

void MqttClient::connected(int rc) {
  if (rc != 0) {
    // CONNACK return codes (MQTT 3.1.1 section 3.2.2.3).
    fail("connack_refused", mosquitto_connack_string(rc));
    return;
  }
  // Prove the claim in the report: this connection really is TLS 1.3.
  const auto* ssl = static_cast<const SSL*>(mosquitto_ssl_get(handle_.get()));
  tls_version_ = ssl ? SSL_get_version(ssl) : "none";
  if (!ssl || SSL_version(ssl) != TLS1_3_VERSION) {
    fail("not_tls_1_3", "the connection negotiated " + tls_version_);
    return;
  }
  phase_ = Phase::kSubscribing;
  const int sub = mosquitto_subscribe(handle_.get(), &subscribe_mid_, state_.topics[index_].c_str(), kQos);
  if (sub != MOSQ_ERR_SUCCESS) fail("subscribe_failed", mosquitto_error_text(sub));
}

void MqttClient::subscribed(int mid, int count, const int* granted) {
  if (phase_ != Phase::kSubscribing || mid != subscribe_mid_) {
    state_.errors.add("unexpected_suback");
    return;
  }
  // SUBACK grants a QoS per topic, or 0x80 for a refusal (section 3.9.3).
  if (count != 1 || granted[0] != kQos) {
    fail("subscribe_refused", "SUBACK granted " + std::to_string(count == 1 ? granted[0] : -1));
    return;
  }
  phase_ = Phase::kReady;
  state_.ready.fetch_add(1, std::memory_order_relaxed);
}

void MqttClient::acknowledged(int mid) {
  const auto it = in_flight_.find(mid);
  if (it == in_flight_.end()) {
    state_.errors.add("unmatched_puback");
    return;
  }
  acked_[it->second] = 1;
  in_flight_.erase(it);
  state_.acked.fetch_add(1, std::memory_order_relaxed);
  state_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  atomic_max(state_.last_ack_ns, steady_now_ns());
}

void MqttClient::received(const mosquitto_message& message) {
  const std::int64_t now = steady_now_ns();
  const auto& o = state_.options;
  if (message.topic == nullptr || state_.topics[index_] != message.topic) {
    state_.errors.add("unexpected_topic");
    return;
  }
  const std::string_view payload(static_cast<const char*>(message.payload),
                                 message.payload ? static_cast<std::size_t>(message.payloadlen) : 0);
  const auto stamp = relay_load::read_envelope_stamp(payload);
  if (!stamp || payload.size() != o.size || stamp->key.sender >= o.clients || stamp->key.seq >= o.messages ||
      payload.substr(relay_load::kEnvelopeStampBytes) != state_.filler || message.qos != kQos) {
    state_.errors.add("corrupt_delivery");
    return;
  }
  if (state_.delivered[state_.delivered_index(stamp->key)].exchange(1, std::memory_order_relaxed) != 0) {
    // QoS 1 is at least once: a repeat is allowed and not timed again.
    state_.duplicates.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  latencies_ns_.push_back(now - stamp->send_time_ns);
  state_.delivered_count.fetch_add(1, std::memory_order_relaxed);
  atomic_max(state_.last_deliver_ns, now);
}

void MqttClient::fail(const std::string& error_name, const std::string& detail) {
  if (phase_ == Phase::kGone) return;
  if (phase_ == Phase::kReady) {
    state_.connections_lost.fetch_add(1, std::memory_order_relaxed);
  } else {
    state_.setup_failed.fetch_add(1, std::memory_order_relaxed);
  }
  phase_ = Phase::kGone;
  state_.errors.add(error_name);
  std::cerr << "mqtt_load: client " << index_ << ": " << error_name << ": " << detail << '\n';
  // Nothing more will be answered on this connection (there is no reconnect).
  state_.unanswered.fetch_add(in_flight_.size(), std::memory_order_relaxed);
  state_.in_flight.fetch_sub(static_cast<std::int64_t>(in_flight_.size()), std::memory_order_relaxed);
  in_flight_.clear();
  if (state_.start_ns.load(std::memory_order_relaxed) != 0) finish_sending();
}

const char* MqttClient::failure_name() const { return phase_ == Phase::kReady ? "connection_lost" : "connect_failed"; }

void MqttClient::finish_sending() {
  if (sending_done_) return;
  sending_done_ = true;
  state_.senders_done.fetch_add(1, std::memory_order_relaxed);
}

std::uint32_t MqttClient::pick_recipient() {
  // Uniform over the other clients.
  std::uniform_int_distribution<std::uint32_t> pick(0, state_.options.clients - 2);
  const std::uint32_t r = pick(rng_);
  return r >= index_ ? r + 1 : r;
}

std::optional<MqttClient::Clock::time_point> MqttClient::publish_due() {
  const std::int64_t start_ns = state_.start_ns.load(std::memory_order_relaxed);
  if (start_ns == 0 || sending_done_) return std::nullopt;
  const auto& o = state_.options;
  const Clock::time_point start{std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(start_ns))};
  const bool paced = o.rate > 0;
  // Open loop, as relay_load: message seq of this client is due at start +
  // (index/N + seq) * interval whatever happened to earlier ones.
  const double interval_ns = paced ? 1e9 * o.clients / o.rate : 0.0;
  while (next_seq_ < o.messages) {
    if (phase_ != Phase::kReady || stopping_) {
      finish_sending();
      return std::nullopt;
    }
    Clock::time_point due = start;
    if (paced) {
      const double offset = (static_cast<double>(index_) / o.clients + next_seq_) * interval_ns;
      due = start + std::chrono::nanoseconds(std::llround(offset));
    }
    if (Clock::now() < due) return due;
    if (in_flight_.size() >= o.window) return std::nullopt;  // a PUBACK read by on_readable makes room
    publish_one(next_seq_++, due);
  }
  finish_sending();
  return std::nullopt;
}

void MqttClient::publish_one(std::uint32_t seq, Clock::time_point due) {
  const bool paced = state_.options.rate > 0;
  const std::int64_t now = steady_now_ns();
  // Paced runs time from when the message was due, so a stall that delays
  // publishing counts against the broker instead of hiding (no coordinated omission).
  const std::int64_t due_ns = paced ? to_ns(due) : now;
  if (paced) atomic_max(state_.max_schedule_lag_ns, now - due_ns);
  relay_load::write_envelope_stamp(payload_, relay_load::EnvelopeStamp{due_ns, relay_load::MessageKey{index_, seq}});

  int mid = 0;
  // Outside a callback libmosquitto writes the packet to the socket at once
  // (what it cannot write now, mosquitto_want_write reports for the poll loop).
  const int rc = mosquitto_publish(handle_.get(), &mid, state_.topics[pick_recipient()].c_str(),
                                   static_cast<int>(payload_.size()), payload_.data(), kQos, /*retain=*/false);
  if (rc != MOSQ_ERR_SUCCESS) {
    fail("publish_failed", mosquitto_error_text(rc));
    return;
  }
  in_flight_.emplace(mid, seq);
  state_.in_flight.fetch_add(1, std::memory_order_relaxed);
  state_.sent.fetch_add(1, std::memory_order_relaxed);
  atomic_min(state_.first_send_ns, now);
}

}  // namespace sotto::mqtt_load
