#include "relayd/bus/bus_url.h"

#include <utility>

#include "lib/config/config_error.h"
#include "lib/config/decimal.h"
#include "lib/config/host_port.h"

namespace sotto::relayd {

namespace {

constexpr std::string_view kExpected = "expected redis://HOST[:PORT][/DB], redis+unix:///PATH or unix:///PATH";

BusUrlResult refuse(std::string reason) { return BusUrlResult::rejected("bus URL: " + std::move(reason)); }

// Whether an authority ("host", "host:port", "[v6]", "[v6]:port") names a port.
bool has_port(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    return close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':';
  }
  return authority.find(':') != std::string_view::npos;
}

BusUrlResult parse_unix(std::string_view rest) {
  // "unix://host/path" has an authority, which a socket cannot have; three
  // slashes in all ("unix:///run/redis.sock") mean an empty one.
  if (rest.empty() || rest.front() != '/') {
    return refuse("a Unix socket URL takes no host: write redis+unix:///ABSOLUTE/PATH, with three slashes");
  }
  if (rest.size() == 1 || rest.back() == '/') return refuse("the Unix socket path names a directory, not a socket");
  if (rest.size() > kMaxUnixSocketPathBytes) {
    return refuse("the Unix socket path is longer than " + std::to_string(kMaxUnixSocketPathBytes) +
                  " bytes, the most a socket address holds");
  }
  BusUrl url;
  url.kind = BusUrl::Kind::unix_socket;
  url.path = std::string(rest);
  return BusUrlResult::accepted(std::move(url));
}

BusUrlResult parse_tcp(std::string_view rest) {
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return refuse("no host after redis://; " + std::string(kExpected));

  std::string host_port(authority);
  if (!has_port(authority)) host_port += ":" + std::to_string(kDefaultRedisPort);
  BusUrl url;
  try {
    const config::HostPort parsed = config::parse_host_port(host_port, /*allow_names=*/true);
    url.host = parsed.host;
    url.port = parsed.port;
  } catch (const config::ValueSyntaxError& e) {
    return refuse(e.what());
  }

  if (slash != std::string_view::npos) {
    const std::string_view database = rest.substr(slash + 1);
    if (database.empty()) return refuse("a '/' after the host must be followed by a database number");
    const config::DecimalResult number = config::parse_decimal(database);
    if (number.status != config::DecimalStatus::ok || number.value > static_cast<std::uint64_t>(kMaxRedisDatabase)) {
      return refuse("the database after the '/' must be a number from 0 to " + std::to_string(kMaxRedisDatabase));
    }
    url.database = static_cast<int>(number.value);
  }
  return BusUrlResult::accepted(std::move(url));
}

}  // namespace

BusUrlResult parse_bus_url(std::string_view text) {
  // The length first, so a huge value is refused without a scan.
  if (text.size() > kMaxBusUrlBytes) {
    return refuse("longer than " + std::to_string(kMaxBusUrlBytes) + " bytes (" + std::to_string(text.size()) +
                  " bytes)");
  }
  if (text.empty()) return refuse("empty; " + std::string(kExpected));
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return refuse("a space, control character or non-ASCII byte at position " + std::to_string(i + 1));
    }
  }
  // Before anything that quotes a part of the value: what precedes an '@' is
  // most likely a password.
  if (text.find('@') != std::string_view::npos) {
    return refuse(
        "credentials ('@') are not supported in the URL; use a Unix socket that only relayd may open, or a "
        "network that only relay nodes reach");
  }
  if (text.find('?') != std::string_view::npos) return refuse("query strings ('?') are not supported");
  if (text.find('#') != std::string_view::npos) return refuse("fragments ('#') are not supported");
  if (text.find('%') != std::string_view::npos) return refuse("percent-escapes ('%') are not supported");

  const std::size_t separator = text.find("://");
  if (separator == std::string_view::npos)
    return refuse(std::string(kExpected) + ", got " + config::quote_for_message(text));
  const std::string_view scheme = text.substr(0, separator);
  const std::string_view rest = text.substr(separator + 3);
  if (scheme == "redis") return parse_tcp(rest);
  if (scheme == "redis+unix" || scheme == "unix") return parse_unix(rest);
  return refuse("unsupported scheme " + config::quote_for_message(scheme) + " (" + std::string(kExpected) + ")");
}

std::string to_string(const BusUrl& url) {
  if (url.kind == BusUrl::Kind::unix_socket) return "redis+unix://" + url.path;
  const config::HostKind kind =
      url.host.find(':') != std::string::npos ? config::HostKind::ipv6 : config::HostKind::ipv4;
  std::string text = "redis://" + config::to_string(config::HostPort{url.host, url.port, kind});
  if (url.database != 0) text += "/" + std::to_string(url.database);
  return text;
}

}  // namespace sotto::relayd
