#pragma once

#include <cstdint>

namespace sotto::relay_load {

struct FdLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit (an unprivileged
// process may do that, setrlimit(2)) and returns the limits now in force.
// Each connection is one descriptor, so idle mode with K connections needs K
// plus a few for the process itself.
FdLimit raise_fd_limit();

}  // namespace sotto::relay_load
