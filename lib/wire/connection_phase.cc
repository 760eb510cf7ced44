#include "lib/wire/connection_phase.h"

#include <string>

#include "lib/wire/frame_body.h"

namespace sotto::wire {
namespace {

bool allowed(ConnectionPhase phase, Frame::BodyCase body) {
  switch (phase) {
    case ConnectionPhase::kAwaitingHello:
      return body == Frame::kHello;
    case ConnectionPhase::kUnauthenticated:
      return body == Frame::kRegister || body == Frame::kLogin || body == Frame::kResume || body == Frame::kPing;
    case ConnectionPhase::kAuthenticated:
      // One connection is bound to one account: no second Hello, and no
      // Register/Login/Resume to switch accounts midway.
      return is_client_request(body) && body != Frame::kHello && body != Frame::kRegister && body != Frame::kLogin &&
             body != Frame::kResume;
  }
  return false;
}

std::string_view phase_description(ConnectionPhase phase) {
  switch (phase) {
    case ConnectionPhase::kAwaitingHello:
      return "before hello";
    case ConnectionPhase::kUnauthenticated:
      return "before authentication";
    case ConnectionPhase::kAuthenticated:
      return "after authentication";
  }
  return "in this state";
}

}  // namespace

std::optional<ProtocolError> check_request_allowed(ConnectionPhase phase, const Frame& frame) {
  const Frame::BodyCase body = frame.body_case();
  if (allowed(phase, body)) return std::nullopt;
  if (!is_client_request(body)) {
    return ProtocolError{PROTOCOL_VIOLATION, std::string(body_name(body)) + " is never sent by a client"};
  }
  return ProtocolError{PROTOCOL_VIOLATION,
                       std::string(body_name(body)) + " is not allowed " + std::string(phase_description(phase))};
}

}  // namespace sotto::wire
