// Encrypted file blobs: chunked upload with resume by offset, SHA-256 check
// at the end, ranged download, size cap and quota; readers and BlobRelease;
// the upload window; resuming after relayd was killed mid-upload.

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

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

wire::Frame end(RelayTestClient& c, const std::string& id, const std::vector<std::string>& readers = {}) {
  wire::Frame f;
  f.mutable_blob_end()->set_blob_id(id);
  for (const auto& r : readers) f.mutable_blob_end()->add_readers(r);
  return c.request(f);
}

wire::Frame get(RelayTestClient& c, const std::string& id, std::uint64_t offset = 0) {
  wire::Frame f;
  f.mutable_blob_get()->set_blob_id(id);
  f.mutable_blob_get()->set_offset(offset);
  return c.request(f);
}

wire::Frame release(RelayTestClient& c, const std::string& id) {
  wire::Frame f;
  f.mutable_blob_release()->set_blob_id(id);
  return c.request(f);
}

std::string random_data(std::size_t n) {
  const auto bytes = crypto::random_bytes(n);
  return std::string(bytes.begin(), bytes.end());
}

constexpr std::size_t kChunk = 256 * 1024;

// Uploads data in one go and finishes it with these readers; the blob id.
std::string upload(RelayTestClient& c, const std::string& data, const std::vector<std::string>& readers = {}) {
  const auto started = begin(c, data.size(), sha256_of(data));
  EXPECT_EQ(started.body_case(), wire::Frame::kBlobStatus) << started.error().reason();
  const std::string id = started.blob_status().blob_id();
  for (std::uint64_t off = 0; off < data.size(); off += kChunk) {
    const auto reply = chunk(c, id, off, data.substr(off, kChunk));
    EXPECT_EQ(reply.body_case(), wire::Frame::kBlobStatus) << reply.error().reason();
  }
  const auto done = end(c, id, readers);
  EXPECT_EQ(done.body_case(), wire::Frame::kBlobStatus) << done.error().reason();
  EXPECT_TRUE(done.blob_status().complete());
  return id;
}

// The whole blob as this client may fetch it, or the Error that refused it.
wire::Frame download(RelayTestClient& c, const std::string& id, std::string* out) {
  out->clear();
  for (;;) {
    auto reply = get(c, id, out->size());
    if (reply.body_case() != wire::Frame::kBlobData) return reply;
    *out += reply.blob_data().data();
    if (reply.blob_data().last()) return reply;
  }
}

bool fetches(RelayTestClient& c, const std::string& id, const std::string& expected) {
  std::string data;
  const auto reply = download(c, id, &data);
  return reply.body_case() == wire::Frame::kBlobData && data == expected;
}

// The answer a made-up id gets: a refused request must look exactly like it.
void expect_like_a_missing_blob(const wire::Frame& reply, const wire::Frame& missing) {
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  ASSERT_EQ(missing.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::NOT_FOUND);
  EXPECT_EQ(reply.error().code(), missing.error().code());
  EXPECT_EQ(reply.error().reason(), missing.error().reason());
}

constexpr const char* kMadeUpId = "00000000000000000000000000000000";

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

std::filesystem::path blob_file(RelaydProcess& relayd, const std::string& id) {
  return relayd.state_dir() / "blobs" / id;
}

TEST_F(BlobsTest, ReadersAndTheOwnerMayFetchAStrangerSeesNoFile) {
  start_relayd();
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  auto carol = connect_as("carol");
  auto dave = connect_as("dave");
  const std::string data = random_data(300 * 1024);
  const std::string id = upload(*alice, data, {"Bob", "carol"});  // any ASCII case names the account

  EXPECT_TRUE(fetches(*bob, id, data));
  EXPECT_TRUE(fetches(*carol, id, data));
  EXPECT_TRUE(fetches(*alice, id, data)) << "the owner may always fetch";
  expect_like_a_missing_blob(get(*dave, id), get(*dave, kMadeUpId));
  expect_like_a_missing_blob(get(*dave, id, 5), get(*dave, kMadeUpId, 5));

  // Without readers, anyone who knows the id may fetch, as before.
  const std::string open_id = upload(*alice, data);
  EXPECT_TRUE(fetches(*dave, open_id, data));
}

TEST_F(BlobsTest, ReleaseByEveryReaderDeletesTheBlobAndFreesTheQuota) {
  // Room for one 700 KiB file, not two.
  start_relayd("blobs:\n  max_size: 1MiB\n  quota_per_user: 1MiB\n");
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  auto carol = connect_as("carol");
  const std::string data = random_data(700 * 1024);
  const std::string id = upload(*alice, data, {"bob", "carol"});
  ASSERT_TRUE(std::filesystem::exists(blob_file(relayd(), id)));
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data)).error().code(), wire::QUOTA_EXCEEDED);

  const auto first = release(*bob, id);
  ASSERT_EQ(first.body_case(), wire::Frame::kOk) << first.error().reason();
  expect_like_a_missing_blob(get(*bob, id), get(*bob, kMadeUpId));
  EXPECT_EQ(release(*bob, id).error().code(), wire::NOT_FOUND) << "a claim is released once";
  EXPECT_TRUE(fetches(*carol, id, data)) << "the other reader's claim went too";
  EXPECT_TRUE(std::filesystem::exists(blob_file(relayd(), id)));

  ASSERT_EQ(release(*carol, id).body_case(), wire::Frame::kOk);
  EXPECT_FALSE(std::filesystem::exists(blob_file(relayd(), id))) << "the file outlived the last claim";
  EXPECT_EQ(get(*carol, id).error().code(), wire::NOT_FOUND);
  EXPECT_EQ(get(*alice, id).error().code(), wire::NOT_FOUND) << "the owner's copy is gone too";
  const std::string second = random_data(700 * 1024);
  const std::string second_id = upload(*alice, second, {"bob"});
  EXPECT_TRUE(fetches(*bob, second_id, second)) << "the quota was not freed";
}

TEST_F(BlobsTest, ReleaseAnswersOkWithTheRequestId) {
  start_relayd();
  auto alice = connect_as("alice");
  const std::string id = upload(*alice, "hello", {});
  wire::Frame f;
  f.set_request_id(4242);
  f.mutable_blob_release()->set_blob_id(id);
  const auto reply = alice->request(f);
  EXPECT_EQ(reply.body_case(), wire::Frame::kOk);
  EXPECT_EQ(reply.request_id(), 4242u);
}

TEST_F(BlobsTest, TheOwnerReleasesAPartialOrACompleteUploadAtOnce) {
  start_relayd("blobs:\n  max_size: 1MiB\n  quota_per_user: 1MiB\n");
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  const std::string data = random_data(700 * 1024);

  const std::string partial = begin(*alice, data.size(), sha256_of(data)).blob_status().blob_id();
  ASSERT_EQ(chunk(*alice, partial, 0, data.substr(0, kChunk)).body_case(), wire::Frame::kBlobStatus);
  ASSERT_EQ(release(*alice, partial).body_case(), wire::Frame::kOk);
  EXPECT_FALSE(std::filesystem::exists(blob_file(relayd(), partial)));
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data), partial).error().code(), wire::NOT_FOUND);
  EXPECT_EQ(chunk(*alice, partial, kChunk, data.substr(kChunk, kChunk)).error().code(), wire::INVALID_ARGUMENT);

  const std::string complete = upload(*alice, data, {"bob"});  // fits: the partial upload's space is free
  ASSERT_EQ(release(*alice, complete).body_case(), wire::Frame::kOk);
  EXPECT_FALSE(std::filesystem::exists(blob_file(relayd(), complete)));
  EXPECT_EQ(get(*bob, complete).error().code(), wire::NOT_FOUND);
  EXPECT_EQ(release(*bob, complete).error().code(), wire::NOT_FOUND) << "the claim went with the blob";
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data)).body_case(), wire::Frame::kBlobStatus);
}

TEST_F(BlobsTest, ReleaseByAStrangerIsNotFoundAndChangesNothing) {
  start_relayd();
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  auto dave = connect_as("dave");
  const std::string data = random_data(1000);
  const std::string shared = upload(*alice, data, {"bob"});
  const std::string open = upload(*alice, data);

  expect_like_a_missing_blob(release(*dave, shared), release(*dave, kMadeUpId));
  expect_like_a_missing_blob(release(*bob, open), release(*bob, kMadeUpId));
  EXPECT_TRUE(fetches(*bob, shared, data));
  EXPECT_TRUE(fetches(*dave, open, data));
  EXPECT_TRUE(std::filesystem::exists(blob_file(relayd(), shared)));
  EXPECT_TRUE(std::filesystem::exists(blob_file(relayd(), open)));
}

TEST_F(BlobsTest, BlobEndWithBadReadersIsRefusedAndChangesNothing) {
  start_relayd("queue:\n  max_recipients: 2\n");
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  auto carol = connect_as("carol");
  const std::string data = random_data(1000);
  const std::string id = begin(*alice, data.size(), sha256_of(data)).blob_status().blob_id();
  ASSERT_EQ(chunk(*alice, id, 0, data).body_case(), wire::Frame::kBlobStatus);

  const auto refused = [&](const std::vector<std::string>& readers, wire::ErrorCode code, const std::string& word) {
    SCOPED_TRACE(word);
    const auto reply = end(*alice, id, readers);
    ASSERT_EQ(reply.body_case(), wire::Frame::kError);
    EXPECT_EQ(reply.error().code(), code);
    EXPECT_NE(reply.error().reason().find(word), std::string::npos) << reply.error().reason();
    // Nothing changed: still an unfinished upload that nobody else can fetch.
    const auto status = begin(*alice, data.size(), sha256_of(data), id);
    ASSERT_EQ(status.body_case(), wire::Frame::kBlobStatus);
    EXPECT_FALSE(status.blob_status().complete());
    EXPECT_EQ(status.blob_status().offset(), data.size());
    EXPECT_EQ(get(*bob, id).error().code(), wire::NOT_FOUND);
  };
  refused({"bob", "bad name"}, wire::INVALID_ARGUMENT, "blob_end.readers[1] is not a valid username");
  refused({"bob", "Bob"}, wire::INVALID_ARGUMENT, "blob_end.readers[1] repeats an earlier reader");
  refused({"bob", "carol", "dave"}, wire::INVALID_ARGUMENT, "more than this relay's maximum of 2");
  std::vector<std::string> too_many;
  for (int i = 0; i < 1001; ++i) too_many.push_back("user" + std::to_string(i));
  refused(too_many, wire::INVALID_ARGUMENT, "more than the maximum of 1000");
  refused({"alice"}, wire::INVALID_ARGUMENT, "blob_end.readers[0] is the owner");
  refused({"bob", "nobody"}, wire::NOT_FOUND, "blob_end.readers[1] names no account");

  const auto done = end(*alice, id, {"bob"});
  ASSERT_EQ(done.body_case(), wire::Frame::kBlobStatus) << done.error().reason();
  EXPECT_TRUE(done.blob_status().complete());
  // A repeated BlobEnd answers the same status and changes nothing, readers included.
  const auto again = end(*alice, id, {"carol"});
  ASSERT_EQ(again.body_case(), wire::Frame::kBlobStatus) << again.error().reason();
  EXPECT_TRUE(again.blob_status().complete());
  EXPECT_EQ(again.blob_status().expires_at_ms(), done.blob_status().expires_at_ms());
  EXPECT_EQ(end(*alice, id).blob_status().expires_at_ms(), done.blob_status().expires_at_ms());
  EXPECT_TRUE(fetches(*bob, id, data));
  EXPECT_EQ(get(*carol, id).error().code(), wire::NOT_FOUND);
}

TEST_F(BlobsTest, BlobReleaseBeforeAuthenticationIsAProtocolViolation) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame f;
  f.set_request_id(9);
  f.mutable_blob_release()->set_blob_id(kMadeUpId);
  const auto reply = c->request(f);
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::PROTOCOL_VIOLATION);
  EXPECT_TRUE(c->wait_closed(kWait));
}

TEST_F(BlobsTest, AHostileBlobIdInBlobReleaseIsRefusedAndTheConnectionStaysUsable) {
  start_relayd();
  auto alice = connect_as("alice");
  for (const std::string& hostile : {std::string("../relay.db"), std::string(), std::string(65, 'a')}) {
    const auto reply = release(*alice, hostile);
    ASSERT_EQ(reply.body_case(), wire::Frame::kError);
    EXPECT_EQ(reply.error().code(), wire::INVALID_ARGUMENT);
  }
  const std::string id = upload(*alice, "still works");
  EXPECT_EQ(release(*alice, id).body_case(), wire::Frame::kOk);
}

TEST_F(BlobsTest, AnAbandonedUploadIsSweptAfterTheUploadWindowAFinishedOneIsNot) {
  // The sweep runs every upload window when that is under a minute.
  start_relayd("blobs:\n  max_size: 1MiB\n  quota_per_user: 1MiB\n  upload_window: 3s\n");
  auto alice = connect_as("alice");
  auto bob = connect_as("bob");
  const std::string small = random_data(1000);
  const std::string finished = upload(*alice, small, {"bob"});

  const std::string data = random_data(700 * 1024);
  const auto started = begin(*alice, data.size(), sha256_of(data));
  ASSERT_EQ(started.body_case(), wire::Frame::kBlobStatus);
  const std::string id = started.blob_status().blob_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Each chunk moves the window: the upload outlives its first 3 s.
  const auto first = chunk(*alice, id, 0, data.substr(0, kChunk));
  ASSERT_EQ(first.body_case(), wire::Frame::kBlobStatus);
  EXPECT_GE(first.blob_status().expires_at_ms(), started.blob_status().expires_at_ms() + 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto resumed = begin(*alice, data.size(), sha256_of(data), id);
  ASSERT_EQ(resumed.body_case(), wire::Frame::kBlobStatus) << "expired while still being uploaded";
  EXPECT_EQ(resumed.blob_status().offset(), kChunk);
  EXPECT_GE(resumed.blob_status().expires_at_ms(), first.blob_status().expires_at_ms() + 1000);
  ASSERT_TRUE(std::filesystem::exists(blob_file(relayd(), id)));

  // Then the client goes away. Within the window plus one sweep, the row and
  // the file are gone and the quota is free.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::filesystem::exists(blob_file(relayd(), id)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(std::filesystem::exists(blob_file(relayd(), id))) << "the abandoned upload's file is still there";
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data), id).error().code(), wire::NOT_FOUND);
  EXPECT_EQ(chunk(*alice, id, kChunk, data.substr(kChunk, kChunk)).error().code(), wire::INVALID_ARGUMENT);
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data)).body_case(), wire::Frame::kBlobStatus)
      << "the abandoned upload still holds quota";
  EXPECT_TRUE(fetches(*bob, finished, small)) << "a finished blob lives for the TTL, not the window";
}

TEST_F(BlobsTest, AnUploadResumesAfterRelaydIsKilledMidUpload) {
  start_relayd();
  std::string token;
  auto alice = connect_as("alice", &token);
  auto bob = connect_as("bob");
  bob.reset();
  const std::string data = random_data(8 * kChunk + 1234);
  const auto started = begin(*alice, data.size(), sha256_of(data));
  ASSERT_EQ(started.body_case(), wire::Frame::kBlobStatus);
  const std::string id = started.blob_status().blob_id();

  // Pipeline every chunk, read the first few answers, and kill relayd while
  // the rest are in flight.
  std::uint64_t sent = 0;
  for (std::uint64_t off = 0; off < data.size(); off += kChunk) {
    wire::Frame f;
    f.mutable_blob_chunk()->set_blob_id(id);
    f.mutable_blob_chunk()->set_offset(off);
    f.mutable_blob_chunk()->set_data(data.substr(off, kChunk));
    alice->send(f);
    sent = std::min<std::uint64_t>(off + kChunk, data.size());
  }
  std::uint64_t acked = 0;
  for (int i = 0; i < 3; ++i) {
    const auto reply = alice->read_frame(kWait);
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->body_case(), wire::Frame::kBlobStatus) << reply->error().reason();
    acked = reply->blob_status().offset();
  }
  relayd().kill9();
  alice.reset();
  const auto on_disk = std::filesystem::file_size(blob_file(relayd(), id));

  relayd().start();
  auto again = resume_as(token);
  const auto resumed = begin(*again, data.size(), sha256_of(data), id);
  ASSERT_EQ(resumed.body_case(), wire::Frame::kBlobStatus) << resumed.error().reason();
  const std::uint64_t offset = resumed.blob_status().offset();
  RecordProperty("acked", static_cast<int>(acked));
  RecordProperty("resume_offset", static_cast<int>(offset));
  EXPECT_LE(offset, on_disk) << "the relay reports bytes it does not have";
  EXPECT_LE(offset, sent);
  EXPECT_GE(offset, acked) << "an acknowledged chunk was lost to a kill -9";
  EXPECT_TRUE(offset % kChunk == 0 || offset == data.size()) << "a resume point inside a chunk: " << offset;
  EXPECT_FALSE(resumed.blob_status().complete());

  for (std::uint64_t off = offset; off < data.size(); off += kChunk) {
    const auto reply = chunk(*again, id, off, data.substr(off, kChunk));
    ASSERT_EQ(reply.body_case(), wire::Frame::kBlobStatus) << reply.error().reason();
  }
  const auto done = end(*again, id, {"bob"});
  ASSERT_EQ(done.body_case(), wire::Frame::kBlobStatus) << done.error().reason();
  EXPECT_TRUE(done.blob_status().complete());
  std::string downloaded;
  ASSERT_EQ(download(*again, id, &downloaded).body_case(), wire::Frame::kBlobData);
  EXPECT_EQ(sha256_of(downloaded), sha256_of(data));
}

TEST_F(BlobsTest, AFileLeftWithoutItsRowByACrashIsRemovedAtStart) {
  // What a crash between deleting a blob's row and its file leaves behind.
  const auto blobs = dir_ / "state" / "blobs";
  std::filesystem::create_directories(blobs);
  { std::ofstream(blobs / "deadbeefdeadbeefdeadbeefdeadbeef") << "orphan"; }
  start_relayd();
  auto alice = connect_as("alice");
  const std::string kept = upload(*alice, "kept");
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::filesystem::exists(blobs / "deadbeefdeadbeefdeadbeefdeadbeef") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(std::filesystem::exists(blobs / "deadbeefdeadbeefdeadbeefdeadbeef"));
  EXPECT_TRUE(std::filesystem::exists(blob_file(relayd(), kept)));
}

TEST_F(BlobsTest, BlobStatusReportsTheCurrentExpiry) {
  start_relayd("blobs:\n  ttl: 2d\n  upload_window: 1h\n");
  auto alice = connect_as("alice");
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  constexpr std::int64_t kHour = 3'600'000;
  const std::string data = "hello";
  const auto started = begin(*alice, data.size(), sha256_of(data));
  const auto window_end = static_cast<std::int64_t>(started.blob_status().expires_at_ms());
  EXPECT_GE(window_end, now + kHour);
  EXPECT_LT(window_end, now + kHour + 60'000);
  const std::string id = started.blob_status().blob_id();
  const auto written = chunk(*alice, id, 0, data);
  EXPECT_GE(static_cast<std::int64_t>(written.blob_status().expires_at_ms()), window_end);
  const auto done = end(*alice, id);
  const auto ttl_end = static_cast<std::int64_t>(done.blob_status().expires_at_ms());
  EXPECT_GE(ttl_end, now + 48 * kHour);
  EXPECT_LT(ttl_end, now + 48 * kHour + 60'000);
  EXPECT_EQ(begin(*alice, data.size(), sha256_of(data), id).blob_status().expires_at_ms(),
            static_cast<std::uint64_t>(ttl_end));
}

}  // namespace
}  // namespace sotto::testing
