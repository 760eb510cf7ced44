#include "lib/wire/error_frame.h"

#include <gtest/gtest.h>

#include <set>

namespace sotto::wire {
namespace {

TEST(MakeError, BuildsAnErrorFrameAnsweringTheRequest) {
  const Frame f = make_error(42, RATE_LIMITED, "too many login attempts", 1500);
  EXPECT_EQ(f.request_id(), 42U);
  ASSERT_EQ(f.body_case(), Frame::kError);
  EXPECT_EQ(f.error().code(), RATE_LIMITED);
  EXPECT_EQ(f.error().reason(), "too many login attempts");
  EXPECT_EQ(f.error().retry_after_ms(), 1500U);
}

TEST(MakeError, BuildsTheFrameFromAProtocolError) {
  const Frame f = make_error(0, ProtocolError{BAD_FRAME, "frame of length 0 has no body"});
  EXPECT_EQ(f.request_id(), 0U);
  EXPECT_EQ(f.error().code(), BAD_FRAME);
  EXPECT_EQ(f.error().reason(), "frame of length 0 has no body");
  EXPECT_EQ(f.error().retry_after_ms(), 0U);
}

TEST(ClosesConnection, ClosesExactlyOnStreamStateAndShutdownErrors) {
  const std::set<ErrorCode> closing = {BAD_FRAME,          FRAME_TOO_LARGE, UNSUPPORTED_VERSION,
                                       PROTOCOL_VIOLATION, TIMEOUT,         SHUTTING_DOWN};
  for (int value = ErrorCode_MIN; value <= ErrorCode_MAX; ++value) {
    ASSERT_TRUE(ErrorCode_IsValid(value));
    const auto code = static_cast<ErrorCode>(value);
    EXPECT_EQ(closes_connection(code), closing.count(code) == 1) << ErrorCode_Name(code);
  }
}

TEST(ErrorCodeName, NamesEveryCodeAsInRelayProto) {
  EXPECT_EQ(error_code_name(FRAME_TOO_LARGE), "FRAME_TOO_LARGE");
  EXPECT_EQ(error_code_name(SHUTTING_DOWN), "SHUTTING_DOWN");
  EXPECT_EQ(error_code_name(static_cast<ErrorCode>(999)), "UNKNOWN_ERROR_CODE");
}

}  // namespace
}  // namespace sotto::wire
