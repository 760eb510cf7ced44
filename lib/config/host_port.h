#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sotto::config {

enum class HostKind { ipv4, ipv6, name };

// A host and a TCP port, as written in "127.0.0.1:7443", "[::1]:7443" or
// "relay.example.org:7443".
struct HostPort {
  // Canonical text: IPv4 dotted quad, IPv6 in RFC 5952 form without brackets,
  // or a DNS name in lower case. Equal addresses compare equal.
  std::string host;
  std::uint16_t port = 0;
  HostKind kind = HostKind::ipv4;

  // 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. A name never counts, not even
  // "localhost": what it resolves to is up to /etc/hosts.
  bool is_loopback() const;

  bool operator==(const HostPort&) const = default;
};

// "127.0.0.1:7443", "[::1]:7443", "relay.example.org:7443".
std::string to_string(const HostPort& address);

// Parses HOST:PORT. The port is required and must be 1..65535 (0 would mean
// "any free port", which no configuration wants). IPv6 addresses go in
// brackets; zone indices ("%eth0") are refused. DNS names (RFC 1123 letters,
// digits and hyphens; labels of 1..63 bytes, 253 in all) are accepted only
// when allow_names is set, e.g. for a relay's address but not for an address to
// bind. Throws ValueSyntaxError with the reason.
HostPort parse_host_port(std::string_view text, bool allow_names);

}  // namespace sotto::config
