#include "lib/wire/frame_codec.h"

#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace sotto::wire {
namespace {

// Buffer capacity kept between frames (bytes). A larger buffer, grown for a
// large frame, is kept only until a small frame completes: a stream of blob
// chunks reuses one buffer instead of allocating, growing and copying it for
// every chunk (which cost a file transfer half its CPU time), while a
// connection that has gone back to small frames, or to pings, does not hold
// on to a quarter of a megabyte.
constexpr std::size_t kRetainedBufferBytes = 64U << 10;

void check_max_frame_size(std::uint32_t max_frame_size) {
  if (max_frame_size == 0 || max_frame_size > kMaxMaxFrameBytes) {
    throw std::invalid_argument("max frame size must be 1.." + std::to_string(kMaxMaxFrameBytes) + " bytes, got " +
                                std::to_string(max_frame_size));
  }
}

}  // namespace

void silence_protobuf_logging() {
  // LogSilencer only counts how many exist (under protobuf's own lock), so
  // one that lives until exit silences everything at no cost per parse.
  static const google::protobuf::LogSilencer kSilencer;
}

void append_frame(const Frame& frame, std::string& out, std::uint32_t max_frame_size) {
  if (frame.body_case() == Frame::BODY_NOT_SET) throw FrameEncodeError("cannot encode a frame without a body");
  const std::size_t length = frame.ByteSizeLong();
  if (length > max_frame_size) {
    throw FrameEncodeError("frame of " + std::to_string(length) + " bytes exceeds the maximum of " +
                           std::to_string(max_frame_size) + " bytes");
  }
  const std::size_t start = out.size();
  out.resize(start + kLengthPrefixBytes + length);
  auto* p = reinterpret_cast<std::uint8_t*>(out.data() + start);
  p[0] = static_cast<std::uint8_t>(length >> 24);
  p[1] = static_cast<std::uint8_t>(length >> 16);
  p[2] = static_cast<std::uint8_t>(length >> 8);
  p[3] = static_cast<std::uint8_t>(length);
  // ByteSizeLong above cached every sub-message's size for this call.
  frame.SerializeWithCachedSizesToArray(p + kLengthPrefixBytes);
}

std::string encode_frame(const Frame& frame, std::uint32_t max_frame_size) {
  std::string out;
  append_frame(frame, out, max_frame_size);
  return out;
}

FrameDecoder::FrameDecoder(std::uint32_t max_frame_size) : max_frame_size_(max_frame_size) {
  check_max_frame_size(max_frame_size);
  silence_protobuf_logging();
}

void FrameDecoder::set_max_frame_size(std::uint32_t max_frame_size) {
  check_max_frame_size(max_frame_size);
  max_frame_size_ = max_frame_size;
}

FrameDecoder::FeedResult FrameDecoder::feed(std::string_view piece) {
  return feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()));
}

FrameDecoder::FeedResult FrameDecoder::feed(std::span<const std::uint8_t> piece) {
  FeedResult result;
  const std::uint8_t* data = piece.data();
  const std::size_t size = piece.size();
  std::size_t pos = 0;
  while (!error_) {
    if (!have_length_) {
      const std::size_t take = std::min(kLengthPrefixBytes - header_filled_, size - pos);
      if (take > 0) std::memcpy(header_ + header_filled_, data + pos, take);
      header_filled_ += take;
      pos += take;
      if (header_filled_ < kLengthPrefixBytes) break;
      body_length_ = (std::uint32_t{header_[0]} << 24) | (std::uint32_t{header_[1]} << 16) |
                     (std::uint32_t{header_[2]} << 8) | std::uint32_t{header_[3]};
      if (body_length_ > max_frame_size_) {
        fail(FRAME_TOO_LARGE, "frame length " + std::to_string(body_length_) + " exceeds the maximum of " +
                                  std::to_string(max_frame_size_) + " bytes");
        break;
      }
      have_length_ = true;
    }

    const std::size_t available = size - pos;
    bool parsed = false;
    if (body_.empty() && available >= body_length_) {
      // The whole body is inside this piece: parse it where it lies.
      parsed = parse_body(std::string_view(reinterpret_cast<const char*>(data + pos), body_length_), result.frames);
      pos += body_length_;
      if (body_length_ <= kRetainedBufferBytes && body_.capacity() > kRetainedBufferBytes) std::string().swap(body_);
    } else {
      const std::size_t take = std::min<std::size_t>(body_length_ - body_.size(), available);
      if (body_.size() + take > body_.capacity()) {
        // Grow geometrically as bytes arrive, but never past the announced
        // length: memory follows what the peer sent, not what it claimed.
        body_.reserve(std::min<std::size_t>(body_length_, std::max(body_.capacity() * 2, body_.size() + take)));
      }
      body_.append(reinterpret_cast<const char*>(data + pos), take);
      pos += take;
      if (body_.size() < body_length_) break;
      parsed = parse_body(body_, result.frames);
      if (body_length_ <= kRetainedBufferBytes && body_.capacity() > kRetainedBufferBytes) {
        std::string().swap(body_);
      } else {
        body_.clear();
      }
    }
    if (!parsed) break;
    header_filled_ = 0;
    have_length_ = false;
  }
  result.error = error_;
  return result;
}

bool FrameDecoder::parse_body(std::string_view body, std::vector<Frame>& frames) {
  Frame frame;
  if (!frame.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    fail(BAD_FRAME, "frame body of " + std::to_string(body.size()) + " bytes is not a valid protobuf Frame");
    return false;
  }
  if (frame.body_case() == Frame::BODY_NOT_SET) {
    fail(BAD_FRAME, body.empty() ? std::string("frame of length 0 has no body")
                                 : std::string("frame has no body, or a body of an unknown type"));
    return false;
  }
  frames.push_back(std::move(frame));
  return true;
}

void FrameDecoder::fail(ErrorCode code, std::string reason) {
  error_ = ProtocolError{code, std::move(reason)};
  header_filled_ = 0;
  have_length_ = false;
  std::string().swap(body_);
}

}  // namespace sotto::wire
