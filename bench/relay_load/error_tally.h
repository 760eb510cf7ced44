#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "lib/wire/relay.pb.h"

namespace sotto::relay_load {

// Counts of what went wrong during a run, by name: relay ErrorCodes by their
// relay.proto name ("QUEUE_FULL"), and transport failures by a short name of
// our own ("connect_failed", "connection_lost"). Thread-safe: clients on
// different io threads report into one tally.
class ErrorTally {
 public:
  void add(const std::string& name, std::uint64_t count = 1);
  void add(wire::ErrorCode code);
  std::map<std::string, std::uint64_t> snapshot() const;
  std::uint64_t total() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace sotto::relay_load
