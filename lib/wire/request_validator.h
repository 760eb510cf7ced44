#pragma once

#include <optional>

#include "lib/wire/protocol_error.h"
#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// Checks every field of a client request against lib/wire/limits.h before the
// server acts on it, so that handlers can trust sizes and formats:
//   - request_id is non-zero, the body is set and is one a client may send
//     (server-only bodies such as Token or Deliver are PROTOCOL_VIOLATION);
//   - Hello speaks kProtocolVersion (else UNSUPPORTED_VERSION);
//   - keys are 32 bytes, signatures 64, tokens 32, message ids 16, digests 32;
//   - usernames canonicalise (canonical_username), passwords, device names,
//     client strings and invite codes are within their sizes and character sets;
//   - counts (recipients, presence names, one-time prekeys, delivery ids, blob
//     readers) are within bounds, with no duplicate recipients, readers or
//     prekey ids;
//   - blob ids have the server's format, chunks are 1..kMaxBlobChunkBytes.
// Returns nullopt for a valid request, else INVALID_ARGUMENT (or the codes
// above) with a reason that names the field ("send.recipients[2] is not a
// valid username: ..."). Whether the request is allowed in the connection's
// current state is a separate check (connection_phase.h), as are checks that
// need server state or configuration (quotas, the server's own lower caps).
// Usernames are accepted in any ASCII case; the server compares canonical forms.
std::optional<ProtocolError> validate_request(const Frame& frame);

}  // namespace sotto::wire
