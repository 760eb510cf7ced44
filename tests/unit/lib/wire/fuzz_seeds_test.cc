// The fuzz seeds (tests/fuzz/make_wire_seeds.sh, written with protoc rather
// than our codec) must stay what their names say: every valid_* seed decodes
// and validates, so mutations start from real traffic.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "lib/wire/frame_codec.h"
#include "lib/wire/request_validator.h"

namespace sotto::wire {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_valid_seed(const fs::path& path) { return path.filename().string().rfind("valid_", 0) == 0; }

TEST(FuzzSeeds, EveryValidRequestSeedParsesAndValidates) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SOTTO_FUZZ_CORPUS_DIR) / "request_validator_fuzz")) {
    if (!is_valid_seed(entry.path())) continue;
    SCOPED_TRACE(entry.path().filename().string());
    Frame frame;
    ASSERT_TRUE(frame.ParseFromString(read_file(entry.path())));
    const auto error = validate_request(frame);
    EXPECT_FALSE(error.has_value()) << error->reason;
    ++checked;
  }
  EXPECT_EQ(checked, 17);  // one per client request type, and a BlobEnd with readers
}

TEST(FuzzSeeds, EveryValidStreamSeedDecodesCompletely) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SOTTO_FUZZ_CORPUS_DIR) / "frame_decoder_fuzz")) {
    if (!is_valid_seed(entry.path())) continue;
    SCOPED_TRACE(entry.path().filename().string());
    FrameDecoder decoder;
    const auto result = decoder.feed(read_file(entry.path()));
    EXPECT_FALSE(result.error.has_value()) << result.error->reason;
    EXPECT_FALSE(result.frames.empty());
    EXPECT_EQ(decoder.buffered_bytes(), 0U);
    for (const Frame& frame : result.frames) {
      const auto error = validate_request(frame);
      EXPECT_FALSE(error.has_value()) << error->reason;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace sotto::wire
