#include "bench/relay_load/error_tally.h"

#include "lib/wire/error_frame.h"

namespace sotto::relay_load {

void ErrorTally::add(const std::string& name, std::uint64_t count) {
  std::lock_guard lock(mutex_);
  counts_[name] += count;
}

void ErrorTally::add(wire::ErrorCode code) { add(std::string(wire::error_code_name(code))); }

std::map<std::string, std::uint64_t> ErrorTally::snapshot() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::uint64_t ErrorTally::total() const {
  std::lock_guard lock(mutex_);
  std::uint64_t sum = 0;
  for (const auto& [name, count] : counts_) sum += count;
  return sum;
}

}  // namespace sotto::relay_load
