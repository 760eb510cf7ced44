// Fuzzes FrameDecoder: the input is a byte stream as a peer might send it.
// It is decoded three ways - in one piece, in pieces whose sizes are taken
// from the input itself, and one byte at a time - and all three must yield
// the same frames and the same error, never buffer more than one frame, and
// never yield a frame without a body. Run with two maxima so both
// FRAME_TOO_LARGE and large bodies are reachable.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/wire/frame_codec.h"
#include "lib/wire/limits.h"

namespace {

using sotto::wire::Frame;
using sotto::wire::FrameDecoder;
using sotto::wire::ProtocolError;

struct Decoded {
  std::vector<std::string> frames;  // each frame re-serialized, for comparison
  std::optional<ProtocolError> error;
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "frame_decoder_fuzz: %s\n", what);
  std::abort();
}

void collect(FrameDecoder& decoder, std::span<const std::uint8_t> piece, Decoded& out) {
  FrameDecoder::FeedResult result = decoder.feed(piece);
  if (out.error && !result.frames.empty()) fail("frames yielded after an error");
  for (const Frame& frame : result.frames) {
    if (frame.body_case() == Frame::BODY_NOT_SET) fail("frame without a body yielded");
    std::string bytes = frame.SerializeAsString();
    // A yielded frame must survive a round trip unchanged.
    Frame again;
    if (!again.ParseFromString(bytes) || again.SerializeAsString() != bytes) fail("frame does not round-trip");
    out.frames.push_back(std::move(bytes));
  }
  if (result.error) {
    if (out.error && !(*out.error == *result.error)) fail("error changed after the decoder failed");
    if (result.error->code != sotto::wire::BAD_FRAME && result.error->code != sotto::wire::FRAME_TOO_LARGE) {
      fail("unexpected error code");
    }
    out.error = result.error;
  } else if (out.error) {
    fail("decoder forgot its error");
  }
  if (decoder.buffered_bytes() > decoder.max_frame_size() + sotto::wire::kLengthPrefixBytes) {
    fail("decoder buffers more than one frame");
  }
}

void check_same(const Decoded& a, const Decoded& b) {
  if (a.frames != b.frames) fail("frames differ between piece sizes");
  if (a.error.has_value() != b.error.has_value()) fail("error presence differs between piece sizes");
  if (a.error && !(*a.error == *b.error)) fail("error differs between piece sizes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (const std::uint32_t max : {std::uint32_t{64}, sotto::wire::kDefaultMaxFrameBytes}) {
    Decoded whole;
    FrameDecoder whole_decoder(max);
    collect(whole_decoder, input, whole);

    Decoded split;
    FrameDecoder split_decoder(max);
    std::size_t pos = 0;
    for (std::size_t k = 0; pos < size; ++k) {
      // Piece sizes read from the input: 1..64 bytes (with an occasional 4 KiB
      // one), scaled up 256 times for inputs above 64 KiB so that a large
      // input is not fed in tens of thousands of pieces.
      const std::uint8_t b = data[k % size];
      std::size_t piece = (b == 0xff) ? 4096 : 1 + b % 64;
      if (size > (64U << 10)) piece *= 256;
      const std::size_t n = piece < size - pos ? piece : size - pos;
      collect(split_decoder, input.subspan(pos, n), split);
      pos += n;
    }
    check_same(whole, split);

    // Byte at a time costs a feed per byte: done once (at the default
    // maximum) and for small inputs only; the split run covers the rest.
    if (max == sotto::wire::kDefaultMaxFrameBytes && size <= 1024) {
      Decoded bytewise;
      FrameDecoder bytewise_decoder(max);
      for (std::size_t i = 0; i < size; ++i) collect(bytewise_decoder, input.subspan(i, 1), bytewise);
      check_same(whole, bytewise);
    }
  }
  return 0;
}
