#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "relayd/bus/parse_result.h"

namespace sotto::relayd {

// Where the Redis server of the delivery bus listens, as the configuration
// writes it, one of:
//
//   redis://HOST[:PORT][/DB]     HOST an IPv4 address, an IPv6 address in
//                                brackets or a DNS name; PORT 1-65535, 6379
//                                when left out; DB a decimal database number
//                                (0 when left out).
//   redis+unix:///ABSOLUTE/PATH  a Unix socket (database 0).
//   unix:///ABSOLUTE/PATH        the same.
//
// Credentials are refused: "redis://:secret@host" would put a password in a
// world-readable configuration file and, through any error message that
// quotes the value, in the journal. Protect the bus with a Unix socket that
// only relayd's group may open, or with a network that only relay nodes
// reach. TLS is not supported either:
// Debian's hiredis 0.14 has no TLS.
//
// Everything else is refused rather than guessed at: upper-case schemes,
// query strings ("?db=1"), fragments, percent-escapes, spaces and control
// bytes, a '/' without a database number, relative socket paths.
struct BusUrl {
  enum class Kind { tcp, unix_socket };

  Kind kind = Kind::tcp;
  // tcp: the host as hiredis takes it (IPv6 without brackets, names in lower case).
  std::string host;
  std::uint16_t port = 0;
  // unix_socket: the absolute socket path.
  std::string path;
  int database = 0;

  friend bool operator==(const BusUrl&, const BusUrl&) = default;
};

inline constexpr std::uint16_t kDefaultRedisPort = 6379;
// Longer than any sensible URL, short enough that a value pasted by mistake
// (a key, a whole file) is refused without being scanned or quoted.
inline constexpr std::size_t kMaxBusUrlBytes = 1024;
// sockaddr_un.sun_path is 108 bytes on Linux (unix(7)), one of them the
// terminating NUL.
inline constexpr std::size_t kMaxUnixSocketPathBytes = 107;
// Redis's own ceiling for SELECT is the `databases` setting (16 by default);
// a larger number still parses here and Redis refuses it at connection time.
inline constexpr int kMaxRedisDatabase = 1'000'000;

using BusUrlResult = ParseResult<BusUrl>;

BusUrlResult parse_bus_url(std::string_view text);

// The URL in its canonical form ("redis://[::1]:6379/2",
// "redis+unix:///run/redis/redis.sock"), for logs; it holds no secret.
std::string to_string(const BusUrl& url);

}  // namespace sotto::relayd
