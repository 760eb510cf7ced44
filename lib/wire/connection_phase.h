#pragma once

#include <optional>

#include "lib/wire/protocol_error.h"
#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// Where a connection is in the protocol's state machine (docs/protocol.md,
// "Connection states"). The server moves kAwaitingHello -> kUnauthenticated
// on a successful Hello, and kUnauthenticated -> kAuthenticated on Token (from
// Register or Login) or Ok (from Resume). Logout ends the connection.
enum class ConnectionPhase {
  kAwaitingHello,    // only Hello
  kUnauthenticated,  // Register, Login, Resume, Ping
  kAuthenticated,    // everything for a signed-in account (messages, prekeys, every blob request), and Ping
};

// Whether the client may send this frame's body in this phase. A request out
// of order is PROTOCOL_VIOLATION (the connection closes): a correct client
// never sends one, so the peer is broken or probing. Server-only bodies are
// refused in every phase.
std::optional<ProtocolError> check_request_allowed(ConnectionPhase phase, const Frame& frame);

}  // namespace sotto::wire
