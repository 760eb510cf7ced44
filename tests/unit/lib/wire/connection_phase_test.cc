#include "lib/wire/connection_phase.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "lib/wire/frame_body.h"
#include "tests/unit/lib/wire/sample_frames.h"

namespace sotto::wire {
namespace {

using samples::all_body_cases;
using samples::sample_frame;

void expect_allowed_exactly(ConnectionPhase phase, const std::set<Frame::BodyCase>& allowed) {
  for (const Frame::BodyCase body : all_body_cases()) {
    SCOPED_TRACE(std::string(body_name(body)));
    const auto error = check_request_allowed(phase, sample_frame(body));
    if (allowed.count(body) == 1) {
      EXPECT_FALSE(error.has_value()) << error->reason;
    } else {
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->code, PROTOCOL_VIOLATION);
      EXPECT_EQ(error->reason.rfind(std::string(body_name(body)) + " is ", 0), 0U) << error->reason;
    }
  }
}

TEST(ConnectionPhase, AllowsOnlyHelloFirst) {
  expect_allowed_exactly(ConnectionPhase::kAwaitingHello, {Frame::kHello});
  EXPECT_EQ(check_request_allowed(ConnectionPhase::kAwaitingHello, sample_frame(Frame::kLogin))->reason,
            "login is not allowed before hello");
}

TEST(ConnectionPhase, AllowsOnlyAuthenticationAndPingBeforeAuthentication) {
  expect_allowed_exactly(ConnectionPhase::kUnauthenticated,
                         {Frame::kRegister, Frame::kLogin, Frame::kResume, Frame::kPing});
  EXPECT_EQ(check_request_allowed(ConnectionPhase::kUnauthenticated, sample_frame(Frame::kSend))->reason,
            "send is not allowed before authentication");
}

TEST(ConnectionPhase, AllowsAccountRequestsButNoReauthenticationAfterAuthentication) {
  expect_allowed_exactly(
      ConnectionPhase::kAuthenticated,
      {Frame::kLogout, Frame::kPublishPrekeys, Frame::kFetchBundle, Frame::kSend, Frame::kDeliverAck, Frame::kPresence,
       Frame::kBlobBegin, Frame::kBlobChunk, Frame::kBlobEnd, Frame::kBlobGet, Frame::kBlobRelease, Frame::kPing});
  EXPECT_EQ(check_request_allowed(ConnectionPhase::kAuthenticated, sample_frame(Frame::kLogin))->reason,
            "login is not allowed after authentication");
}

TEST(ConnectionPhase, RefusesServerBodiesInEveryPhase) {
  for (const auto phase :
       {ConnectionPhase::kAwaitingHello, ConnectionPhase::kUnauthenticated, ConnectionPhase::kAuthenticated}) {
    const auto error = check_request_allowed(phase, sample_frame(Frame::kDeliver));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->reason, "deliver is never sent by a client");
  }
}

}  // namespace
}  // namespace sotto::wire
