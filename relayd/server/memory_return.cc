#include "relayd/server/memory_return.h"

#include <malloc.h>

namespace sotto::relayd {

namespace {
constexpr int kMmapThreshold = 1024 * 1024;  // bytes
constexpr int kTrimThreshold = 1024 * 1024;  // bytes
}  // namespace

void tune_allocator() {
  ::mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  ::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

bool MemoryReturn::tick(std::uint64_t activity) {
  const bool quiet = activity == last_seen_;
  last_seen_ = activity;
  if (!quiet || activity == last_trimmed_) return false;
  last_trimmed_ = activity;
  ::malloc_trim(0);
  return true;
}

}  // namespace sotto::relayd
