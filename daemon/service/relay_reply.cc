#include "daemon/service/relay_reply.h"

namespace sotto::msgd {

using api::ApiError;
using api::ErrorName;

ApiError to_api_error(const wire::Error& error) {
  const std::string reason = "relay: " + error.reason();
  switch (error.code()) {
    case wire::BAD_CREDENTIALS:
      return ApiError(ErrorName::kBadCredentials, "wrong username or password");
    case wire::USERNAME_TAKEN:
      return ApiError(ErrorName::kUsernameTaken, reason);
    case wire::REGISTRATION_CLOSED:
      return ApiError(ErrorName::kRegistrationClosed, reason);
    case wire::NOT_FOUND:
      return ApiError(ErrorName::kUnknownPeer, reason);
    case wire::RATE_LIMITED:
      return ApiError(ErrorName::kRateLimited,
                      reason + " (retry in " + std::to_string(error.retry_after_ms()) + " ms)");
    case wire::INVALID_ARGUMENT:
      return ApiError(ErrorName::kInvalidParams, reason);
    case wire::UNAUTHENTICATED:
      return ApiError(ErrorName::kNotLoggedIn, "the relay no longer accepts this session: log in again");
    case wire::SHUTTING_DOWN:
    case wire::TIMEOUT:
      return ApiError(ErrorName::kRelayUnavailable, reason);
    default:
      return ApiError(ErrorName::kInternal, reason);
  }
}

const wire::Frame& expect_body(const wire::Frame& reply, wire::Frame::BodyCase expected, const char* what) {
  if (reply.body_case() == expected) return reply;
  if (reply.has_error()) throw to_api_error(reply.error());
  throw ApiError(ErrorName::kInternal, std::string("relay answered ") + what + " with an unexpected frame");
}

}  // namespace sotto::msgd
