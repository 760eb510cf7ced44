#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sotto::msgd {

// DESIGN.md's default relay port, used when an endpoint names no port.
inline constexpr std::uint16_t kDefaultRelayPort = 7443;

// Where relayd listens: a host name, an IPv4 address or an IPv6 address (kept
// without its brackets), and a port.
struct RelayEndpoint {
  std::string host;
  std::uint16_t port = kDefaultRelayPort;

  // "host:port", with an IPv6 address in brackets ("[::1]:7443"): the form
  // parse_relay_endpoint reads, and the key certificate pins are stored under.
  std::string to_string() const;

  bool operator==(const RelayEndpoint&) const = default;
};

// Reads "host", "host:port", "[ipv6]" or "[ipv6]:port" (as in --relay or
// msgd.yaml). Host names are DNS names (letters, digits, '-' and '.', labels of
// 1-63 characters, 253 at most). An IPv6 address must be in brackets, since
// "fe80::1:7443" could mean two things. Throws std::invalid_argument with a
// message that quotes the input and names what is wrong.
RelayEndpoint parse_relay_endpoint(std::string_view text);

}  // namespace sotto::msgd
