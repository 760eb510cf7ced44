#pragma once

#include <string_view>

#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// The body's field name as in relay.proto ("send", "blob_chunk"), for error
// reasons and logs; "unset" for BODY_NOT_SET, "unknown" for anything else.
std::string_view body_name(Frame::BodyCase body);

// Whether a client may send this body. The others (HelloOk, Error, Ok, Token,
// PrekeyStatus, Bundle, SendAck, Deliver, PresenceStatus, BlobStatus,
// BlobData, Pong) only ever travel from the server to the client.
bool is_client_request(Frame::BodyCase body);

}  // namespace sotto::wire
