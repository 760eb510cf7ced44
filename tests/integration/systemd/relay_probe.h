#pragma once

#include <chrono>
#include <cstdint>

#include "lib/wire/relay.pb.h"

namespace sotto::testing {

// A TCP port free on every address of both families right now: the kernel
// picks it for a dual-stack socket, which is closed again at once so that a
// socket unit (or systemd-socket-activate) can bind it.
std::uint16_t free_dual_stack_port();

// One TLS 1.3 connection to [::1]:port that sends Hello and returns the
// relay's first frame; throws if there is none within timeout.
// (RelayTestClient speaks IPv4 only.)
wire::Frame hello_over_ipv6(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace sotto::testing
