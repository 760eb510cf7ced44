#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/wire/protocol_error.h"
#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// An Error frame answering request_id (0 when the error answers no request,
// e.g. a frame that could not be parsed). retry_after_ms is meaningful with
// RATE_LIMITED and SHUTTING_DOWN only.
Frame make_error(std::uint64_t request_id, ErrorCode code, std::string_view reason, std::uint32_t retry_after_ms = 0);
Frame make_error(std::uint64_t request_id, const ProtocolError& error);

// Whether the server closes the connection after sending this code: errors
// that mean the byte stream or the session can no longer be trusted, or that
// the server is leaving. Every other code refuses one request and the
// connection carries on. docs/protocol.md ("Error codes") has the table.
bool closes_connection(ErrorCode code);

// The code's name as in relay.proto ("FRAME_TOO_LARGE"), or "UNKNOWN_ERROR_CODE".
std::string_view error_code_name(ErrorCode code);

}  // namespace sotto::wire
