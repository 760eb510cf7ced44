#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "relayd/bus/delivery_bus.h"

namespace sotto::relayd {

// Wakes this relay could not publish, kept until its bus is back.
//
// Why: the other relays poll the store only while *their* bus is down. When
// only this relay's link to the bus fails (Redis restarted and this relay
// reconnects last, or a partition between this host and Redis), the others
// are listening and not polling, so an envelope committed here would wait
// for their safety poll. Wakes only say "read the queue up to this id", so
// one per recipient, with the highest id, says all that the lost ones did.
//
// Thread-safety: every method may be called from any thread.
class OwedWakes {
 public:
  // At most this many recipients are remembered; past it, further wakes are
  // dropped (and counted): the others' safety poll still finds them.
  explicit OwedWakes(std::size_t max_recipients = 1'000'000);

  void owe(std::span<const Wake> wakes);
  // Everything owed, one wake per recipient, and forgets it; put back with
  // owe() whatever could not be published.
  std::vector<Wake> take();
  bool empty() const;
  std::uint64_t dropped() const;

 private:
  const std::size_t max_recipients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> highest_;  // recipient -> highest delivery id owed
  std::uint64_t dropped_ = 0;
};

}  // namespace sotto::relayd
