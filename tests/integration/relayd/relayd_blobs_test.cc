// Encrypted file blobs: chunked upload with resume by offset, SHA-256 check
// at the end, ranged download, size cap and quota.

#include "lib/crypto/random.h"
#include "lib/crypto/sha256.h"
#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using BlobsTest = RelaydTest;

std::string sha256_of(const std::string& data) {
  const auto d = crypto::sha256(crypto::as_bytes(data));
  return std::string(d.begin(), d.end());
}

wire::Frame begin(RelayTestClient& c, std::uint64_t size, const std::string& digest, const std::string& resume = {}) {
  wire::Frame f;
  f.mutable_blob_begin()->set_size(size);
  f.mutable_blob_begin()->set_sha256(digest);
  f.mutable_blob_begin()->set_upload_id(resume);
  return c.request(f);
}

wire::Frame chunk(RelayTestClient& c, const std::string& id, std::uint64_t offset, const std::string& data) {
  wire::Frame f;
  f.mutable_blob_chunk()->set_blob_id(id);
  f.mutable_blob_chunk()->set_offset(offset);
  f.mutable_blob_chunk()->set_data(data);
  return c.request(f);
}

wire::Frame end(RelayTestClient& c, const std::string& id) {
  wire::Frame f;
  f.mutable_blob_end()->set_blob_id(id);
  return c.request(f);
}

TEST_F(BlobsTest, UploadResumeAndDownloadRoundTrip) {
  start_relayd();
  std::string token;
  auto alice = connect_as("alice", &token);
  const auto bytes = crypto::random_bytes(600 * 1024);
  const std::string data(bytes.begin(), bytes.end());
  const auto started = begin(*alice, data.size(), sha256_of(data));
  ASSERT_EQ(started.body_case(), wire::Frame::kBlobStatus) << started.error().reason();
  const std::string id = started.blob_status().blob_id();
  ASSERT_EQ(chunk(*alice, id, 0, data.substr(0, 200 * 1024)).body_case(), wire::Frame::kBlobStatus);
  alice.reset();  // the connection drops mid-upload

  auto again = resume_as(token);
  const auto resumed = begin(*again, data.size(), sha256_of(data), id);
  ASSERT_EQ(resumed.body_case(), wire::Frame::kBlobStatus);
  EXPECT_EQ(resumed.blob_status().offset(), 200u * 1024);
  EXPECT_EQ(chunk(*again, id, 0, "wrong offset").error().code(), wire::INVALID_ARGUMENT);
  for (std::uint64_t off = 200 * 1024; off < data.size(); off += 200 * 1024) {
    ASSERT_EQ(chunk(*again, id, off, data.substr(off, 200 * 1024)).body_case(), wire::Frame::kBlobStatus);
  }
  const auto done = end(*again, id);
  ASSERT_EQ(done.body_case(), wire::Frame::kBlobStatus) << done.error().reason();
  EXPECT_TRUE(done.blob_status().complete());

  auto bob = connect_as("bob");
  std::string downloaded;
  for (;;) {
    wire::Frame get;
    get.mutable_blob_get()->set_blob_id(id);
    get.mutable_blob_get()->set_offset(downloaded.size());
    const auto reply = bob->request(get);
    ASSERT_EQ(reply.body_case(), wire::Frame::kBlobData) << reply.error().reason();
    downloaded += reply.blob_data().data();
    if (reply.blob_data().last()) break;
  }
  EXPECT_EQ(downloaded, data);
}

TEST_F(BlobsTest, ShaMismatchIsRefusedAtTheEnd) {
  start_relayd();
  auto alice = connect_as("alice");
  const auto started = begin(*alice, 5, sha256_of("other"));
  const std::string id = started.blob_status().blob_id();
  ASSERT_EQ(chunk(*alice, id, 0, "hello").body_case(), wire::Frame::kBlobStatus);
  const auto done = end(*alice, id);
  ASSERT_EQ(done.body_case(), wire::Frame::kError);
  EXPECT_NE(done.error().reason().find("sha256"), std::string::npos);
}

TEST_F(BlobsTest, SizeCapAndQuotaAreEnforced) {
  start_relayd("blobs:\n  max_size: 1MiB\n  quota_per_user: 2MiB\n");
  auto alice = connect_as("alice");
  EXPECT_EQ(begin(*alice, 2u << 20, sha256_of("x")).error().code(), wire::QUOTA_EXCEEDED);
  EXPECT_EQ(begin(*alice, 1u << 20, sha256_of("x")).body_case(), wire::Frame::kBlobStatus);
  EXPECT_EQ(begin(*alice, 1u << 20, sha256_of("x")).body_case(), wire::Frame::kBlobStatus);
  EXPECT_EQ(begin(*alice, 1u << 20, sha256_of("x")).error().code(), wire::QUOTA_EXCEEDED);
}

TEST_F(BlobsTest, AnotherUsersUploadCannotBeWrittenTo) {
  start_relayd();
  auto alice = connect_as("alice");
  const std::string id = begin(*alice, 5, sha256_of("hello")).blob_status().blob_id();
  auto mallory = connect_as("mallory");
  EXPECT_EQ(chunk(*mallory, id, 0, "hello").error().code(), wire::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace sotto::testing
