#include "lib/wire/frame_body.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/unit/lib/wire/sample_frames.h"

namespace sotto::wire {
namespace {

TEST(BodyName, NamesEveryBodyDistinctlyAsInRelayProto) {
  std::set<std::string> names;
  for (const Frame::BodyCase body : samples::all_body_cases()) {
    const std::string name(body_name(body));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(body_name(Frame::kBlobChunk), "blob_chunk");
  EXPECT_EQ(body_name(Frame::kBlobRelease), "blob_release");
  EXPECT_EQ(body_name(Frame::BODY_NOT_SET), "unset");
}

TEST(BodyName, KnowsExactlyTheBodiesOfTheSampleList) {
  // Catches a body added to relay.proto but not to body_name (or the samples):
  // field numbers 1..127 cover every oneof member relay.proto defines (and are
  // all representable in BodyCase, whose largest member is below 128).
  std::set<int> known;
  for (const Frame::BodyCase body : samples::all_body_cases()) known.insert(static_cast<int>(body));
  for (int n = 1; n <= 127; ++n) {
    const bool named = body_name(static_cast<Frame::BodyCase>(n)) != "unknown";
    EXPECT_EQ(named, known.count(n) == 1) << "field number " << n;
  }
}

TEST(IsClientRequest, SplitsBodiesIntoSixteenRequestsAndTwelveServerBodies) {
  int requests = 0;
  for (const Frame::BodyCase body : samples::all_body_cases()) requests += is_client_request(body) ? 1 : 0;
  EXPECT_EQ(requests, 16);
  EXPECT_EQ(samples::all_body_cases().size(), 28u);
  EXPECT_TRUE(is_client_request(Frame::kSend));
  EXPECT_TRUE(is_client_request(Frame::kBlobRelease));
  EXPECT_FALSE(is_client_request(Frame::kDeliver));
  EXPECT_FALSE(is_client_request(Frame::kToken));
  EXPECT_FALSE(is_client_request(Frame::BODY_NOT_SET));
}

}  // namespace
}  // namespace sotto::wire
