#pragma once

#include <cstdint>

namespace sotto::testing {

// A TCP port free on every address of both families right now: the kernel
// picks it for a dual-stack socket, which is closed again at once so that a
// socket unit (or systemd-socket-activate) can bind it.
std::uint16_t free_dual_stack_port();

}  // namespace sotto::testing
