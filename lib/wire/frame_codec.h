#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/wire/limits.h"
#include "lib/wire/protocol_error.h"
#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// Thrown by encode_frame when a frame cannot be sent: it is larger than the
// peer accepts, or has no body. Both are bugs in the caller, not peer input.
class FrameEncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The frame as it goes on the wire: a 4-byte big-endian length N, then the N
// bytes of the serialized Frame. Throws FrameEncodeError if N exceeds
// max_frame_size or the frame's body is not set.
std::string encode_frame(const Frame& frame, std::uint32_t max_frame_size = kDefaultMaxFrameBytes);

// The same, appended to out (to batch several frames into one write).
void append_frame(const Frame& frame, std::string& out, std::uint32_t max_frame_size = kDefaultMaxFrameBytes);

// Protobuf writes an ERROR line to stderr for every string field with invalid
// UTF-8 that it parses, so a peer could fill the journal with lines of its
// choosing. This silences protobuf's non-fatal log messages for the rest of
// the process (fatal ones still abort); FrameDecoder reports such frames as
// BAD_FRAME itself. Thread-safe and idempotent; every FrameDecoder calls it.
// Call it yourself before parsing peer bytes with protobuf directly.
void silence_protobuf_logging();

// Splits a byte stream into Frames. Feed it bytes as they come off a socket, in
// pieces of any size; it returns every frame completed by each piece, in order.
//
// Errors (the connection should then be closed, see closes_connection):
//   FRAME_TOO_LARGE  a length prefix above the maximum, reported as soon as its
//                    4 bytes arrive; none of the body is waited for or kept.
//   BAD_FRAME        a body that is not a valid Frame, or whose body oneof is
//                    unset or a type this version does not know.
// After an error the decoder stays failed: every later feed returns the same
// error and no frames.
//
// Memory: the decoder keeps at most one incomplete frame (at most the max frame
// size plus the 4-byte prefix), grown only as its bytes arrive, so a peer
// cannot make it allocate by announcing a large length. Frames that lie whole
// inside a piece are parsed in place without copying.
class FrameDecoder {
 public:
  struct FeedResult {
    std::vector<Frame> frames;           // complete frames, in stream order
    std::optional<ProtocolError> error;  // set once the stream is broken; frames before the break are still returned
  };

  // max_frame_size: 1..kMaxMaxFrameBytes, else std::invalid_argument.
  explicit FrameDecoder(std::uint32_t max_frame_size = kDefaultMaxFrameBytes);

  FeedResult feed(std::span<const std::uint8_t> piece);
  FeedResult feed(std::string_view piece);

  // Applies to frames whose length prefix has not been read yet; a client sets
  // the max from HelloOk.max_frame_size. Same range as the constructor.
  void set_max_frame_size(std::uint32_t max_frame_size);
  std::uint32_t max_frame_size() const { return max_frame_size_; }

  bool failed() const { return error_.has_value(); }
  // Bytes of the current incomplete frame held (prefix bytes included).
  std::size_t buffered_bytes() const { return header_filled_ + body_.size(); }
  // Memory held for frame bodies (for tests of the retention rule).
  std::size_t buffer_capacity() const { return body_.capacity(); }

 private:
  // Parses one complete body; on failure records the error and returns false.
  bool parse_body(std::string_view body, std::vector<Frame>& frames);
  void fail(ErrorCode code, std::string reason);

  std::uint32_t max_frame_size_;
  std::uint8_t header_[kLengthPrefixBytes] = {};
  std::size_t header_filled_ = 0;
  bool have_length_ = false;  // header_ is complete and body_length_ is valid
  std::uint32_t body_length_ = 0;
  std::string body_;  // the incomplete body's bytes so far
  std::optional<ProtocolError> error_;
};

}  // namespace sotto::wire
