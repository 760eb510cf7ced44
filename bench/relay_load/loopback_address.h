#pragma once

#include <optional>
#include <string_view>

#include "lib/net/asio.h"

namespace sotto::relay_load {

// The load tool only ever talks to this machine: it opens thousands of
// connections and sends as fast as it can, which must never be pointed at
// someone else's server by a typo. Accepts an IP literal in 127.0.0.0/8 or
// ::1 (IPv4-mapped ::ffff:127.x.y.z too); host names are refused because
// their resolution can change under us. nullopt for anything else.
std::optional<net::asio::ip::address> parse_loopback_address(std::string_view host);

}  // namespace sotto::relay_load
