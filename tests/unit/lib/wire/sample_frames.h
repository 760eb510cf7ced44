#pragma once

// Valid example frames of every body type, shared by the wire tests.

#include <cstdint>
#include <string>
#include <vector>

#include "lib/wire/relay.pb.h"

namespace sotto::wire::samples {

// Every body case relay.proto defines, client requests and server bodies.
std::vector<Frame::BodyCase> all_body_cases();

// A valid frame with this body and request_id 7 (0 for the server pushes
// Deliver and PrekeyStatus), every field set to a realistic value.
Frame sample_frame(Frame::BodyCase body);

// n bytes of a recognisable pattern (not random: failures should reproduce).
std::string pattern_bytes(std::size_t n, std::uint8_t seed = 1);

}  // namespace sotto::wire::samples
