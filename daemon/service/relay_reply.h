#pragma once

#include <string>

#include "lib/api/api_error.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// The relay's Error frame as the local API error a user can act on.
api::ApiError to_api_error(const wire::Error& error);

// Returns the reply if it holds the expected body; throws the mapped ApiError
// for an Error frame and kInternal for anything else.
const wire::Frame& expect_body(const wire::Frame& reply, wire::Frame::BodyCase expected, const char* what);

}  // namespace sotto::msgd
