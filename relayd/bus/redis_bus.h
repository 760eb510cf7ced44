#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "relayd/bus/bus_url.h"
#include "relayd/bus/delivery_bus.h"

// hiredis stays out of this header: only redis_bus.cc includes it.
struct redisContext;
struct redisReply;

namespace sotto::relayd {

// DeliveryBus on one Redis server (hiredis 0.14), with two connections:
//
// - The subscriber, owned by the bus's thread: SUBSCRIBE "<prefix>:wake",
//   decodes every message with decode_bus_message (bus_message.h), drops
//   this node's own and hands the rest to on_wake. A refused message is
//   logged in one line and skipped. While idle the thread PINGs every
//   second, so a silent network loss is noticed within about a second plus
//   the timeout rather than at the next TCP keep-alive.
// - The command connection, shared by every caller under a mutex: PUBLISH
//   and the presence commands, each round trip bounded by the timeout (a
//   socket timeout on every read and write; hiredis has no whole-request
//   deadline, so a reply that trickles in byte by byte could take longer).
//
// connected() is true while both are up. Losing either (an error, a
// timeout, a closed socket) makes it false at once, so that calls return
// false without a round trip; the thread then reports on_connection(false)
// and reconnects both with backoff (100 ms doubling to 2 s, with jitter) until
// it reports on_connection(true). Calls never connect by themselves.
//
// Presence: one sorted set per user, "<prefix>:presence:<user>", member =
// node id, score = when that node's claim expires, in milliseconds since
// the epoch by the Redis server's clock. set_online and refresh_presence
// (re)write this node's claim as server-now + presence_ttl, drop claims
// already expired, and set the key to expire with its latest claim (so a
// user whose every node died leaves no key behind); set_offline removes
// this node's member; online_elsewhere asks whether any other node's claim
// is still in the future. Each is one Lua script or command on one key, so
// it is atomic and works unchanged on Redis Cluster. Every time is read
// from the Redis server (TIME inside the script), never from a node's
// clock, so node clocks may disagree; only a jump of the Redis server's own
// clock shifts every expiry by that much.
//
// The process ignores SIGPIPE from the first RedisBus on: hiredis writes
// with write(2), and a write to a Redis server that has just died must fail
// with EPIPE, not kill relayd.
class RedisBus final : public DeliveryBus {
 public:
  // The bus's own warnings (a refused message, a lost connection): an event
  // name and "key=value ..." fields, values quoted. relayd passes its
  // log_warning (relayd/server/log.h); the bus library does not depend on
  // the server's. Left empty, lines go to stderr in the same format.
  using LogSink = std::function<void(std::string_view event, std::string_view fields)>;

  struct Options {
    BusUrl url;
    // This node's name on the bus (bus_message.h grammar: 1..64 of a-z 0-9
    // '-' '_' '.'); unique among the nodes sharing the Redis server.
    std::string node_id;
    // Bounds every connect and every read or write of a round trip.
    std::chrono::milliseconds timeout{500};
    std::chrono::milliseconds presence_ttl{30000};
    // Keys and the channel start with "<prefix>:", so several deployments
    // can share one Redis server: 1..64 of A-Z a-z 0-9 '-' '_' '.' ':'.
    std::string prefix = "sotto";
    LogSink log_warning;
  };

  // Throws std::invalid_argument for an invalid node id or prefix, or a
  // timeout or TTL that is not positive. Connects only in start().
  explicit RedisBus(Options options);
  ~RedisBus() override;

  // Once per object; throws std::logic_error on a second call.
  void start(Handlers handlers) override;
  // Returns within about the timeout (at once unless a connect or a round
  // trip of the thread is under way). Must not be called from a handler:
  // throws std::logic_error there rather than deadlock.
  void stop() override;
  bool connected() const override;

  // Splits more than kMaxWakesPerBusMessage wakes into several messages,
  // sent in one pipeline in order. Publishes nothing and returns false if
  // any wake has a non-canonical recipient or a delivery id below 1 (a bug in
  // the caller, logged). An empty span publishes nothing and returns
  // connected().
  bool publish(std::span<const Wake> wakes) override;

  // A user that is not a canonical username is never written to a key:
  // false (nullopt for online_elsewhere), and refresh_presence still
  // refreshes the valid ones.
  bool set_online(std::string_view user) override;
  bool set_offline(std::string_view user) override;
  bool refresh_presence(std::span<const std::string> users) override;
  std::optional<bool> online_elsewhere(std::string_view user) override;

  struct ContextFree {
    void operator()(redisContext* context) const;
  };
  struct ReplyFree {
    void operator()(redisReply* reply) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
  using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;
  using Command = std::vector<std::string>;

 private:
  // An eventfd that stop() and a failing command signal, so that the bus's
  // thread leaves poll() at once.
  class Wakeup {
   public:
    Wakeup();
    ~Wakeup();
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;
    void signal();
    void drain();
    int fd() const { return fd_; }

   private:
    int fd_ = -1;
  };

  void run();
  // Each nullptr with *error set when the connection cannot be made.
  ContextPtr connect_subscriber(std::string* error);
  ContextPtr connect_commands(std::string* error);
  // Returns when the subscriber connection is lost, stop() is called or a
  // command failed; why, for the log.
  std::string listen(redisContext* subscriber);
  void handle(const redisReply& reply);
  void report(bool connected);
  // Sleeps for wait unless stop() is called first; false once stopping.
  bool sleep_unless_stopped(std::chrono::milliseconds wait);
  void warn(std::string_view event, std::string_view fields) const;

  // The replies to commands sent in one pipeline on the command connection,
  // or nullopt when the bus is down or the round trip failed (the connection
  // is then dropped and the thread told to reconnect).
  std::optional<std::vector<ReplyPtr>> round_trip(const std::vector<Command>& commands);
  void drop_commands_locked(std::string_view why);
  std::string presence_key(std::string_view user) const;

  const Options options_;
  const std::string channel_;
  Handlers handlers_;
  std::thread thread_;
  Wakeup wakeup_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::optional<bool> reported_;  // the bus's thread only

  mutable std::mutex command_mutex_;
  ContextPtr commands_;                 // guarded by command_mutex_
  std::atomic<bool> connected_{false};  // written under command_mutex_
  std::atomic<bool> reconnect_{false};  // written under command_mutex_
};

}  // namespace sotto::relayd
