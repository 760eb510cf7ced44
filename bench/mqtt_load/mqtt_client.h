#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/mqtt_load/mosquitto_handle.h"
#include "bench/mqtt_load/mqtt_run_state.h"

struct mosquitto_message;

namespace sotto::mqtt_load {

// One client of a run: one MQTT 3.1.1 connection over TLS 1.3 (the broker
// verified against --cafile) with a persistent session (clean session off, so
// the broker queues for it), subscribed with QoS 1 to its own topic. It
// publishes this client's messages with QoS 1 to random other clients' topics,
// at most --window awaiting their PUBACK (paced when --rate is set), and
// receives and times the messages sent to it.
//
// Not thread-safe: after construction, one poll loop (ClientPollLoop) calls
// every member from its own thread; libmosquitto runs the callbacks inside
// those calls. The accessors at the end are for after that thread has ended.
class MqttClient {
 public:
  using Clock = std::chrono::steady_clock;

  MqttClient(MqttRunState& state, std::uint32_t index);
  // libmosquitto holds `this` as the callbacks' userdata: the client stays put.
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Opens the TCP connection (at once: loopback) and starts TLS and CONNECT,
  // which the poll loop carries on. The outcome is counted in state.ready
  // (subscribed) or state.setup_failed.
  void connect();

  int socket() const;  // -1 while there is no connection
  bool wants_write() const;
  void on_readable();
  void on_writable();
  // Keepalive PINGREQs (mosquitto_loop_misc); about once a second is enough.
  void on_tick();

  // Once state.start_ns is set: publishes every message that is due by now and
  // fits the window. Returns when the next message falls due if that is what
  // it waits for (paced runs); nullopt when it waits for a PUBACK, has not
  // started, or is done.
  std::optional<Clock::time_point> publish_due();

  // Sends DISCONNECT (flushed by the poll loop's following writes); from here
  // on the connection ending is expected, not an error.
  void disconnect();

  // seq -> 1 when the broker answered its PUBLISH with a PUBACK.
  const std::vector<std::uint8_t>& acked() const { return acked_; }
  // Publish -> delivery latencies of the messages this client received.
  std::vector<std::int64_t>& latencies_ns() { return latencies_ns_; }
  // The TLS version the connection negotiated ("TLSv1.3"); empty before that.
  const std::string& tls_version() const { return tls_version_; }

 private:
  enum class Phase { kIdle, kConnecting, kSubscribing, kReady, kGone };

  // libmosquitto's callbacks (C function pointers); `self` is the client.
  static void on_connect(mosquitto* handle, void* self, int rc);
  static void on_subscribe(mosquitto* handle, void* self, int mid, int count, const int* granted);
  static void on_publish(mosquitto* handle, void* self, int mid);
  static void on_message(mosquitto* handle, void* self, const mosquitto_message* message);
  static void on_disconnect(mosquitto* handle, void* self, int rc);

  void connected(int rc);
  void subscribed(int mid, int count, const int* granted);
  void acknowledged(int mid);
  void received(const mosquitto_message& message);
  // The connection failed or ended unasked: counts it once, as a failed
  // set-up or a lost connection, and gives up on the PUBLISHes in flight.
  void fail(const std::string& error_name, const std::string& detail);
  // What a failing connection is called: lost once it was ready, else a failed connect.
  const char* failure_name() const;
  void publish_one(std::uint32_t seq, Clock::time_point due);
  void finish_sending();
  std::uint32_t pick_recipient();

  MqttRunState& state_;
  const std::uint32_t index_;
  MosquittoHandle handle_;
  Phase phase_ = Phase::kIdle;
  bool stopping_ = false;
  bool sending_done_ = false;
  int subscribe_mid_ = 0;
  std::uint32_t next_seq_ = 0;
  std::unordered_map<int, std::uint32_t> in_flight_;  // MQTT packet id -> seq
  std::vector<std::uint8_t> acked_;
  std::vector<std::int64_t> latencies_ns_;
  std::string payload_;
  std::mt19937_64 rng_;
  std::string tls_version_;
};

}  // namespace sotto::mqtt_load
