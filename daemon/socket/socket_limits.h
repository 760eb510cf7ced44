#pragma once

#include <cstddef>

namespace sotto::msgd {

// What one local client may cost msgd. The defaults are the documented ones
// (docs/local-api.md); tests shrink them.
struct SocketLimits {
  std::size_t max_line = 1024 * 1024;        // a longer request line: InvalidRequest, then the connection closes
  std::size_t max_unsent = 8 * 1024 * 1024;  // a subscriber with more unsent bytes is dropped
  std::size_t max_connections = 256;         // more are answered with an error and closed
  std::size_t max_calls_in_flight = 64;      // per connection; reading pauses at this many
};

}  // namespace sotto::msgd
