#include "lib/config/host_port.h"

#include <arpa/inet.h>

#include <array>

#include "lib/config/config_error.h"
#include "lib/config/decimal.h"

namespace sotto::config {

namespace {

constexpr std::size_t kMaxNameLength = 253;  // RFC 1035 §2.3.4 (255 on the wire, less length bytes)
constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

bool is_letter_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!is_letter_or_digit(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::uint16_t parse_port(std::string_view port, const std::string& shown) {
  if (port.empty()) throw ValueSyntaxError(shown + " has no port after the ':'");
  const DecimalResult parsed = parse_decimal(port);
  if (parsed.status != DecimalStatus::ok || parsed.value < 1 || parsed.value > 65535) {
    throw ValueSyntaxError("the port in " + shown + " must be a number from 1 to 65535");
  }
  return static_cast<std::uint16_t>(parsed.value);
}

std::string canonical_ipv6(std::string_view text) {
  const std::string copy(text);
  std::array<unsigned char, 16> binary{};
  if (inet_pton(AF_INET6, copy.c_str(), binary.data()) != 1) return {};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_ntop(AF_INET6, binary.data(), out.data(), out.size()) == nullptr) return {};
  return std::string(out.data());
}

bool is_ipv4(std::string_view text) {
  const std::string copy(text);
  std::array<unsigned char, 4> binary{};
  // glibc's inet_pton takes exactly four decimal parts and refuses leading
  // zeros, hex and short forms ("127.1") that inet_aton would accept.
  return inet_pton(AF_INET, copy.c_str(), binary.data()) == 1;
}

}  // namespace

bool HostPort::is_loopback() const {
  if (kind == HostKind::ipv4) return host.rfind("127.", 0) == 0;
  if (kind != HostKind::ipv6) return false;
  std::array<unsigned char, 16> binary{};
  if (inet_pton(AF_INET6, host.c_str(), binary.data()) != 1) return false;
  constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (binary == kLoopback) return true;
  // IPv4-mapped (RFC 4291 §2.5.5.2): ten zero bytes, two 0xff, then 127.x.x.x.
  for (std::size_t i = 0; i < 10; ++i) {
    if (binary[i] != 0) return false;
  }
  return binary[10] == 0xff && binary[11] == 0xff && binary[12] == 127;
}

std::string to_string(const HostPort& address) {
  const std::string port = std::to_string(address.port);
  if (address.kind == HostKind::ipv6) return "[" + address.host + "]:" + port;
  return address.host + ":" + port;
}

HostPort parse_host_port(std::string_view text, bool allow_names) {
  const std::string shown = quote_for_message(text);
  const std::string_view expected =
      allow_names ? "expected HOST:PORT such as 127.0.0.1:7443, [::1]:7443 or relay.example.org:7443"
                  : "expected ADDRESS:PORT such as 0.0.0.0:7443, 127.0.0.1:7443 or [::1]:7443";
  if (text.empty()) throw ValueSyntaxError(std::string(expected) + ", got ''");

  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) throw ValueSyntaxError(shown + " has a '[' without a matching ']'");
    const std::string_view inside = text.substr(1, close - 1);
    if (inside.find('%') != std::string_view::npos) {
      throw ValueSyntaxError(shown + " has an IPv6 zone index ('%'), which is not supported");
    }
    const std::string canonical = canonical_ipv6(inside);
    if (canonical.empty()) throw ValueSyntaxError(quote_for_message(inside) + " is not an IPv6 address");
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') throw ValueSyntaxError(std::string(expected) + ", got " + shown);
    return HostPort{canonical, parse_port(rest.substr(1), shown), HostKind::ipv6};
  }

  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) throw ValueSyntaxError(std::string(expected) + ", got " + shown + " (no port)");
  const std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    throw ValueSyntaxError(shown + ": put an IPv6 address in brackets, as in [::1]:7443");
  }
  if (host.empty()) throw ValueSyntaxError(std::string(expected) + ", got " + shown + " (no host)");
  const std::uint16_t port = parse_port(text.substr(colon + 1), shown);

  const bool looks_numeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
  if (looks_numeric) {
    if (!is_ipv4(host)) throw ValueSyntaxError(quote_for_message(host) + " is not an IPv4 address");
    return HostPort{std::string(host), port, HostKind::ipv4};
  }
  if (!allow_names) {
    throw ValueSyntaxError(std::string(expected) + ", got " + shown + " (a name, but an IP address is needed here)");
  }
  if (!is_valid_name(host)) throw ValueSyntaxError(quote_for_message(host) + " is not a valid host name");
  std::string lower(host);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return HostPort{lower, port, HostKind::name};
}

}  // namespace sotto::config
