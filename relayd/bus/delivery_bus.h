#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::relayd {

// "Something was stored for `recipient`, up to `delivery_id`": what one node
// tells the others after a commit, so that the node holding the recipient's
// connection reads the store now instead of at its next poll. It carries no
// envelope: bodies stay in the shared store, and the bus sees only names and
// numbers.
struct Wake {
  std::string recipient;
  std::int64_t delivery_id = 0;
  friend bool operator==(const Wake&, const Wake&) = default;
};

// The channel between relayd nodes that share one store (docs/architecture.md
// "Several relays"). A single relay on SQLite has none. Losing it loses
// nothing: every envelope is in the store before it is announced, and nodes
// poll the store while the bus is down.
//
// Thread-safety: every method may be called from any thread.
class DeliveryBus {
 public:
  struct Handlers {
    // Wakes published by other nodes (never this node's own), on the bus's
    // thread, in the order they were published by each node.
    std::function<void(std::vector<Wake>)> on_wake;
    // Every change of connected(), on the bus's thread; the first call says
    // how start() found the bus. While false the relay polls its store.
    std::function<void(bool connected)> on_connection;
  };

  virtual ~DeliveryBus();
  DeliveryBus() = default;
  DeliveryBus(const DeliveryBus&) = delete;
  DeliveryBus& operator=(const DeliveryBus&) = delete;

  // Connects in the background and keeps reconnecting until stop().
  virtual void start(Handlers handlers) = 0;
  // Joins the bus's thread; no handler runs once it returns.
  virtual void stop() = 0;
  virtual bool connected() const = 0;

  // After the commit that stored them is durable. Waits at most the bus's
  // timeout; false if the bus is down (the other nodes' polling finds them).
  virtual bool publish(std::span<const Wake> wakes) = 0;

  // Presence across nodes. set_online when a user's first session on this
  // node authenticates, set_offline when the last one ends;
  // refresh_presence(every user online here) at least every ttl/3, so that
  // a node that dies stops counting after the TTL. Best effort: false when
  // the bus is down.
  virtual bool set_online(std::string_view user) = 0;
  virtual bool set_offline(std::string_view user) = 0;
  virtual bool refresh_presence(std::span<const std::string> users) = 0;
  // Whether another node holds a session of the user; nullopt if the bus is
  // down (the caller answers from what it knows locally).
  virtual std::optional<bool> online_elsewhere(std::string_view user) = 0;
};

}  // namespace sotto::relayd
