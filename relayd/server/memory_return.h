#pragma once

#include <cstdint>

namespace sotto::relayd {

// Giving memory back to the system after a burst.
//
// Why: glibc's malloc gives each thread that allocates its own arena, grows
// an arena's heap in a burst and keeps the free space at its top unless that
// exceeds M_TRIM_THRESHOLD, a threshold it raises by itself each time a large
// mmap()ed block is freed (up to 64 MiB). Measured on relayd (docs/
// performance.md): after a burst of 64,000 envelopes four arenas held 19 MiB
// each with under 64 KiB of it in use, and RSS stayed at 95 MiB instead of
// 14; malloc_trim() alone released 3 MiB of it, because it does not shrink
// the top of a thread's arena.

// Fixes the thresholds, which also stops glibc from raising them: a block of
// 1 MiB or more gets its own mapping (returned by free()), and an arena whose
// top holds more than 1 MiB free shrinks on free(). malloc_trim() never
// shrinks a thread arena's top, so the trim threshold is what each arena may
// keep after a burst: at 4 MiB, relayd stayed 11-17 MiB above its start after
// the memory test's burst, at 1 MiB 5-9 MiB, with no loss in file upload
// speed (docs/performance.md). Call once, before the threads start.
void tune_allocator();

// Decides when the relay has gone quiet after being busy, and then returns
// the free pages inside the arenas as well (malloc_trim). Not thread-safe:
// one caller, on a timer.
class MemoryReturn {
 public:
  // activity: a counter that grows with work done (envelopes committed plus
  // connections accepted). Returns true when it trimmed: the counter moved
  // since the last trim, but not since the previous tick.
  bool tick(std::uint64_t activity);

 private:
  std::uint64_t last_seen_ = 0;
  std::uint64_t last_trimmed_ = 0;
};

}  // namespace sotto::relayd
