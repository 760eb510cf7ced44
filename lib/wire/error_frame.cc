#include "lib/wire/error_frame.h"

namespace sotto::wire {

Frame make_error(std::uint64_t request_id, ErrorCode code, std::string_view reason, std::uint32_t retry_after_ms) {
  Frame frame;
  frame.set_request_id(request_id);
  Error* error = frame.mutable_error();
  error->set_code(code);
  error->set_reason(std::string(reason));
  error->set_retry_after_ms(retry_after_ms);
  return frame;
}

Frame make_error(std::uint64_t request_id, const ProtocolError& error) {
  return make_error(request_id, error.code, error.reason);
}

bool closes_connection(ErrorCode code) {
  switch (code) {
    case BAD_FRAME:            // the stream can no longer be split into frames reliably
    case FRAME_TOO_LARGE:      // the body was not read, so the stream is out of step
    case UNSUPPORTED_VERSION:  // nothing else can be understood
    case PROTOCOL_VIOLATION:   // the peer does not follow the state machine
    case TIMEOUT:              // the connection is being reclaimed
    case SHUTTING_DOWN:        // the server is draining
      return true;
    default:
      return false;
  }
}

std::string_view error_code_name(ErrorCode code) {
  if (!ErrorCode_IsValid(code)) return "UNKNOWN_ERROR_CODE";
  return ErrorCode_Name(code);
}

}  // namespace sotto::wire
