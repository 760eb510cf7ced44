#include "daemon/relay/relay_endpoint.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace sotto::msgd {

namespace {

// RFC 1035 section 2.3.4: a name is at most 255 octets on the wire, which is
// 253 characters in dotted text; a label is at most 63.
constexpr std::size_t kMaxHostNameChars = 253;
constexpr std::size_t kMaxLabelChars = 63;
// An IPv6 literal with a zone ("fe80::1%enp0s31f6") fits easily; anything
// longer is not an address.
constexpr std::size_t kMaxIpv6Chars = 64;
// How much of a bad input an error message repeats: enough to recognise it,
// not enough for a hostile config value to flood a log line.
constexpr std::size_t kMaxQuotedChars = 80;

// The input as a printable, bounded quotation for error messages.
std::string quote(std::string_view text) {
  std::string out = "\"";
  const std::size_t shown = std::min(text.size(), kMaxQuotedChars);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (shown < text.size()) out += "...";
  out += '"';
  return out;
}

[[noreturn]] void fail(std::string_view text, const std::string& problem) {
  throw std::invalid_argument("relay address " + quote(text) + ": " + problem);
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

void check_host_name(std::string_view text, std::string_view host) {
  if (host.empty()) fail(text, "the host is empty");
  if (host.size() > kMaxHostNameChars) {
    fail(text, "the host name is longer than " + std::to_string(kMaxHostNameChars) + " characters");
  }
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i < host.size() && host[i] != '.') {
      const char c = host[i];
      if (!is_alnum(c) && c != '-') {
        fail(text, "the host may contain only letters, digits, '-' and '.' (IPv6 addresses go in brackets)");
      }
      continue;
    }
    const std::string_view label = host.substr(label_start, i - label_start);
    // A trailing dot (the absolute form "relay.example.org.") is fine.
    const bool trailing_dot = i == host.size() && label.empty() && label_start > 0;
    if (!trailing_dot) {
      if (label.empty()) fail(text, "the host name has an empty label");
      if (label.size() > kMaxLabelChars) {
        fail(text, "a label of the host name is longer than " + std::to_string(kMaxLabelChars) + " characters");
      }
      if (label.front() == '-' || label.back() == '-') fail(text, "a label of the host name begins or ends with '-'");
    }
    label_start = i + 1;
  }
}

void check_ipv6(std::string_view text, std::string_view address) {
  if (address.empty()) fail(text, "the brackets hold no IPv6 address");
  if (address.size() > kMaxIpv6Chars) fail(text, "the bracketed IPv6 address is too long");
  // inet_pton does not take a zone ("%eth0"); check the address part only.
  const std::size_t percent = address.find('%');
  const std::string plain(address.substr(0, percent));
  if (percent != std::string_view::npos) {
    const std::string_view zone = address.substr(percent + 1);
    if (zone.empty()) fail(text, "the IPv6 zone after '%' is empty");
    for (const char c : zone) {
      if (!is_alnum(c) && c != '-' && c != '_' && c != '.') fail(text, "the IPv6 zone has a character not allowed");
    }
  }
  // inet_pton reads a C string: a NUL inside would hide whatever follows it.
  const bool plain_chars = std::all_of(plain.begin(), plain.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
  });
  in6_addr parsed{};
  if (!plain_chars || ::inet_pton(AF_INET6, plain.c_str(), &parsed) != 1) {
    fail(text, "the bracketed text is not an IPv6 address");
  }
}

std::uint16_t parse_port(std::string_view text, std::string_view port) {
  if (port.empty()) fail(text, "the port after ':' is empty");
  for (const char c : port) {
    if (c < '0' || c > '9') fail(text, "the port must be a number from 1 to 65535");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    fail(text, "the port must be a number from 1 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string RelayEndpoint::to_string() const {
  const std::string port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port_text;
  return host + ":" + port_text;
}

RelayEndpoint parse_relay_endpoint(std::string_view text) {
  if (text.empty()) fail(text, "it is empty; expected HOST or HOST:PORT");
  RelayEndpoint endpoint;
  std::string_view rest;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) fail(text, "'[' without a closing ']'");
    const std::string_view address = text.substr(1, close - 1);
    check_ipv6(text, address);
    endpoint.host = std::string(address);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') fail(text, "expected ':PORT' or nothing after ']'");
  } else {
    const std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      fail(text, "an IPv6 address must be written in brackets, e.g. [::1]:7443");
    }
    const std::string_view host = text.substr(0, colon);
    check_host_name(text, host);
    endpoint.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) endpoint.port = parse_port(text, rest.substr(1));
  return endpoint;
}

}  // namespace sotto::msgd
