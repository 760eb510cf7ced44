// File transfer end to end: real relayd, real msgds, real files. Each test
// checks the bytes bob ends up with against the bytes alice sent.
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <random>

#include "lib/crypto/double_ratchet.h"
#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

// Writes size pseudo-random bytes (seeded, so a test can write the same file
// twice); marker, when given, is written every 4 KiB instead.
void write_file(const fs::path& path, std::uint64_t size, std::uint64_t seed, const std::string& marker = {}) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 random(seed);
  std::string block(1 << 20, '\0');
  for (std::uint64_t done = 0; done < size;) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      const std::uint64_t v = random();
      std::memcpy(block.data() + i, &v, 8);
    }
    if (!marker.empty()) {
      for (std::size_t i = 0; i + marker.size() <= block.size(); i += 4096)
        marker.copy(block.data() + i, marker.size());
    }
    const std::uint64_t n = std::min<std::uint64_t>(block.size(), size - done);
    out.write(block.data(), static_cast<std::streamsize>(n));
    done += n;
  }
  ASSERT_TRUE(out.good());
}

bool same_bytes(const fs::path& a, const fs::path& b) {
  std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
  if (!x || !y) return false;
  std::string bx(1 << 20, '\0'), by(1 << 20, '\0');
  while (true) {
    x.read(bx.data(), static_cast<std::streamsize>(bx.size()));
    y.read(by.data(), static_cast<std::streamsize>(by.size()));
    if (x.gcount() != y.gcount()) return false;
    if (std::memcmp(bx.data(), by.data(), static_cast<std::size_t>(x.gcount())) != 0) return false;
    if (!x || !y) return x.eof() && y.eof();
  }
}

// Every regular file under dir (recursively) that contains needle.
std::vector<fs::path> files_containing(const fs::path& dir, const std::string& needle) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) found.push_back(entry.path());
  }
  return found;
}

class MsgdFilesTest : public MsgdTest {
 protected:
  void SetUp() override {
    MsgdTest::SetUp();
    files_ = dir_ / "files";
    fs::create_directories(files_);
  }

  // msgd_yaml: a msgd.yaml both users run with (e.g. a transfer rate limit,
  // so that a test can stop a process in the middle of a transfer).
  void start_pair(const std::string& relay_yaml = {}, const std::string& msgd_yaml = {}) {
    relayd_ = std::make_unique<RelaydProcess>(dir_ / "relay", relay_yaml);
    relayd_->set_listen(relay_address());
    relayd_->start();
    std::vector<std::string> args;
    if (!msgd_yaml.empty()) {
      std::ofstream(dir_ / "msgd.yaml") << msgd_yaml;
      args = {"--config", (dir_ / "msgd.yaml").string()};
    }
    for (const char* name : {"alice", "bob"}) {
      add_user(name, false, args);
      call(name, "register", {{"username", name}, {"password", kPassword}});
    }
  }
  // Transfers at 12 MiB/s: a 12 MiB file takes a second each way, time
  // enough to catch it in the middle on any build.
  void start_slow_pair() { start_pair({}, "transfer_rate_limit: 12MiB\n"); }

  json file_of(const std::string& name, const std::string& id) {
    for (const auto& f : call(name, "list_files")) {
      if (f.at("id") == id) return f;
    }
    return json();
  }
  std::string file_state(const std::string& name, const std::string& id) {
    const json f = file_of(name, id);
    return f.is_null() ? "" : f.at("state").get<std::string>();
  }
  bool reaches(const std::string& name, const std::string& id, const std::string& state,
               std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return eventually([&] { return file_state(name, id) == state; }, timeout);
  }
  std::string send_file(const fs::path& path, const std::string& caption = {}) {
    return call("alice", "send_file", {{"peer", "bob"}, {"path", path.string()}, {"caption", caption}})
        .at("id")
        .get<std::string>();
  }

  fs::path bob_files_dir() { return user("bob").data_dir() / "files"; }

  fs::path files_;
};

TEST_F(MsgdFilesTest, RoundTripsEmptyTinyChunkBoundaryAndMultiMegabyteFiles) {
  start_pair();
  const std::vector<std::uint64_t> sizes{0, 1, 65535, 65536, 65537, 3 * 65536, 196656, 5u << 20};
  std::vector<std::pair<std::string, fs::path>> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const fs::path path = files_ / ("f" + std::to_string(sizes[i]) + ".bin");
    write_file(path, sizes[i], i + 1);
    sent.emplace_back(send_file(path, i == 0 ? "an empty one" : ""), path);
  }
  for (const auto& [id, path] : sent) {
    ASSERT_TRUE(reaches("bob", id, "downloaded")) << path << " " << file_of("bob", id).dump();
    const json f = file_of("bob", id);
    EXPECT_EQ(f.at("name"), path.filename().string());
    EXPECT_EQ(f.at("size").get<std::uint64_t>(), fs::file_size(path));
    EXPECT_EQ(f.at("direction"), "in");
    EXPECT_TRUE(same_bytes(f.at("path").get<std::string>(), path)) << path;
    EXPECT_EQ(file_state("alice", id), "uploaded");
    EXPECT_TRUE(eventually([&] { return message_state("alice", id) == "delivered"; }));
  }
  // History shows the files as file messages, caption as the text.
  const json history = call("bob", "history", {{"peer", "alice"}, {"limit", 100}});
  ASSERT_EQ(history.size(), sizes.size());
  EXPECT_EQ(history[0].at("kind"), "file");
  EXPECT_EQ(history[0].at("text"), "an empty one");
  EXPECT_EQ(history[0].at("file").at("size"), 0);
  // Every blob was released by bob once saved: the relay keeps none.
  EXPECT_TRUE(eventually([&] {
    return fs::is_empty(dir_ / "relay" / "blobs") || !fs::exists(dir_ / "relay" / "blobs");
  })) << "blobs left on the relay";
}

TEST_F(MsgdFilesTest, SaveNeverOverwritesAndNumbersTheCopies) {
  start_pair();
  const fs::path path = files_ / "report.pdf";
  write_file(path, 100000, 7);
  const std::string id = send_file(path);
  ASSERT_TRUE(reaches("bob", id, "downloaded"));
  const fs::path out = dir_ / "bob-downloads";
  fs::create_directories(out);
  std::ofstream(out / "report.pdf") << "bob's own file";
  const json first = call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  EXPECT_EQ(first.at("state"), "saved");
  EXPECT_EQ(first.at("path"), (out / "report (1).pdf").string());
  const json second = call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  EXPECT_EQ(second.at("path"), (out / "report (2).pdf").string());
  EXPECT_TRUE(same_bytes(out / "report (1).pdf", path));
  EXPECT_TRUE(same_bytes(out / "report (2).pdf", path));
  std::ifstream original(out / "report.pdf");
  std::string text((std::istreambuf_iterator<char>(original)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "bob's own file");
  // A file name as output: used as is when free.
  const json named = call("bob", "save_file", {{"id", id}, {"output", (out / "mine.pdf").string()}});
  EXPECT_EQ(named.at("path"), (out / "mine.pdf").string());
  // Relative and missing folders are refused with a clear error.
  EXPECT_THROW(call("bob", "save_file", {{"id", id}, {"output", "relative/dir"}}), api::ApiError);
  EXPECT_THROW(call("bob", "save_file", {{"id", id}, {"output", (out / "no" / "such" / "x").string()}}), api::ApiError);
  EXPECT_THROW(call("bob", "save_file", {{"id", "00000000000000000000000000000000"}}), api::ApiError);
}

TEST_F(MsgdFilesTest, LargeFilesWaitForSaveAndGoStraightToTheDestination) {
  start_pair();
  const fs::path path = files_ / "big.bin";
  write_file(path, 12u << 20, 3);  // above the 10 MiB auto-download size
  const std::string id = send_file(path, "the big one");
  ASSERT_TRUE(reaches("bob", id, "available"));
  const fs::path out = dir_ / "bob-out";
  fs::create_directories(out);
  const json saving = call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  EXPECT_EQ(saving.at("state"), "downloading");
  ASSERT_TRUE(reaches("bob", id, "saved"));
  EXPECT_TRUE(same_bytes(out / "big.bin", path));
  EXPECT_FALSE(fs::exists(bob_files_dir() / "big.bin")) << "not kept twice";
  // Nothing but the file is left in the folder (no temporary file).
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
}

TEST_F(MsgdFilesTest, RefusesAFileOverTheCapBeforeReadingIt) {
  start_pair();
  const fs::path path = files_ / "huge.bin";
  {
    std::ofstream(path).close();
    fs::resize_file(path, 200ull << 20);  // sparse: the test need not write 200 MiB
  }
  try {
    send_file(path);
    FAIL() << "a 200 MiB file was taken";
  } catch (const api::ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("100.0 MiB"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(call("alice", "list_files").empty());
  EXPECT_TRUE(call("alice", "history", {{"peer", "bob"}}).empty());
  // Not a regular file, missing, relative: refused too.
  EXPECT_THROW(send_file(files_), api::ApiError);
  EXPECT_THROW(send_file(files_ / "missing"), api::ApiError);
  EXPECT_THROW(call("alice", "send_file", {{"peer", "bob"}, {"path", "relative.bin"}}), api::ApiError);
}

TEST_F(MsgdFilesTest, TheRelayNeverHoldsAPlaintextByteRunOfTheFile) {
  start_pair();
  std::mt19937_64 random(99);
  std::string marker(64, '\0');
  for (auto& c : marker) c = static_cast<char>(random());
  const fs::path path = files_ / "secret.bin";
  write_file(path, 3u << 20, 5, marker);
  const std::string id = send_file(path);
  ASSERT_TRUE(eventually([&] { return file_state("alice", id) == "uploaded"; }));
  // While the blob is still on the relay (bob may be fetching it), and after.
  EXPECT_TRUE(files_containing(dir_ / "relay", marker).empty());
  ASSERT_TRUE(reaches("bob", id, "downloaded"));
  EXPECT_TRUE(files_containing(dir_ / "relay", marker).empty());
  EXPECT_FALSE(files_containing(dir_ / "bob", marker).empty()) << "the marker test would not see it";
}

TEST_F(MsgdFilesTest, KillNineOfTheSenderMidUploadResumesAndDeliversOneFile) {
  start_slow_pair();
  const fs::path path = files_ / "resume-up.bin";
  write_file(path, 12u << 20, 11);
  user("bob").kill9();  // bob's copy waits on the relay; the upload is what counts here
  const std::string id = send_file(path);
  ASSERT_TRUE(eventually([&] {
    const json f = file_of("alice", id);
    return f.at("state") == "uploading" && f.at("bytes").get<std::uint64_t>() > 0;
  }));
  user("alice").kill9();
  user("alice").start();
  ASSERT_TRUE(reaches("alice", id, "uploaded", std::chrono::seconds(120))) << file_of("alice", id).dump();
  EXPECT_NE(user("alice").process().output().find("event=transfer_resumed"), std::string::npos)
      << "the upload started over instead of resuming";
  user("bob").start();
  ASSERT_TRUE(reaches("bob", id, "available"));
  const json saved = call("bob", "save_file", {{"id", id}, {"output", files_.string() + "/"}});
  ASSERT_TRUE(reaches("bob", id, "saved", std::chrono::seconds(120))) << file_of("bob", id).dump();
  EXPECT_TRUE(same_bytes(file_of("bob", id).at("path").get<std::string>(), path));
  EXPECT_EQ(call("bob", "history", {{"peer", "alice"}}).size(), 1u) << "exactly one file message";
}

TEST_F(MsgdFilesTest, KillNineOfTheReceiverMidDownloadResumesFromWhatIsOnDisk) {
  start_slow_pair();
  const fs::path path = files_ / "resume-down.bin";
  write_file(path, 12u << 20, 12);
  const std::string id = send_file(path);
  ASSERT_TRUE(reaches("bob", id, "available", std::chrono::seconds(120)));
  const fs::path out = dir_ / "bob-out";
  fs::create_directories(out);
  call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  ASSERT_TRUE(eventually([&] { return file_of("bob", id).at("bytes").get<std::uint64_t>() > (1u << 20); }));
  user("bob").kill9();
  user("bob").start();
  ASSERT_TRUE(reaches("bob", id, "saved", std::chrono::seconds(120))) << file_of("bob", id).dump();
  EXPECT_NE(user("bob").process().output().find("event=transfer_resumed"), std::string::npos)
      << "the download started over instead of resuming";
  EXPECT_TRUE(same_bytes(out / "resume-down.bin", path));
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1) << "no leftover temp file";
}

TEST_F(MsgdFilesTest, ARelaydRestartMidTransferIsSurvived) {
  start_slow_pair();
  const fs::path path = files_ / "relay-restart.bin";
  write_file(path, 12u << 20, 13);
  const std::string id = send_file(path);
  ASSERT_TRUE(eventually([&] {
    const json f = file_of("alice", id);
    return f.at("state") == "uploading" && f.at("bytes").get<std::uint64_t>() > 0;
  }));
  relayd().kill9();
  relayd().start();
  ASSERT_TRUE(reaches("alice", id, "uploaded", std::chrono::seconds(120))) << file_of("alice", id).dump();
  ASSERT_TRUE(reaches("bob", id, "available", std::chrono::seconds(60)));
  const fs::path out = dir_ / "bob-out";
  fs::create_directories(out);
  call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  ASSERT_TRUE(reaches("bob", id, "saved", std::chrono::seconds(120))) << file_of("bob", id).dump();
  EXPECT_TRUE(same_bytes(out / "relay-restart.bin", path));
}

// A file's message joins alice's outbox when its upload ends, to be
// encrypted when the outbox gets to it. Here the outbox is stuck behind a
// message to carol, whose queue on the relay is full, and alice sends bob
// more than kMaxSkip texts meanwhile. Before, each of those was encrypted at
// once and the file's message got a ratchet number past all of them, though
// it is sent first: bob would have had to skip over 1000 message keys, could
// not decrypt it, and dropped it.
TEST_F(MsgdFilesTest, AFileMessageWaitingBehindAStuckOutboxKeepsItsPlaceInTheRatchet) {
  start_pair("queue:\n  max_envelopes_per_user: 50\n");
  add_user("carol");
  call("carol", "register", {{"username", "carol"}, {"password", kPassword}});
  call("alice", "send", {{"peer", "bob"}, {"text", "hello bob"}});
  call("alice", "send", {{"peer", "carol"}, {"text", "hello carol"}});
  ASSERT_TRUE(eventually([&] { return conversation("bob", "alice").size() == 1; }));
  ASSERT_TRUE(eventually([&] { return conversation("carol", "alice").size() == 1; }));

  // carol goes away; 50 messages fill her queue, the 51st is refused with
  // QUEUE_FULL, and alice's outbox retries it before anything behind it.
  ASSERT_TRUE(user("carol").terminate_within(std::chrono::seconds(10)).has_value());
  auto alice = user("alice").socket_client();
  for (int i = 0; i <= 50; ++i) alice->call("send", {{"peer", "carol"}, {"text", "fill " + std::to_string(i)}});
  ASSERT_TRUE(user("alice").process().wait_for_output("event=send_deferred", std::chrono::seconds(30)));

  const fs::path path = files_ / "behind.bin";
  write_file(path, 100000, 17);
  const std::string id = send_file(path);
  ASSERT_TRUE(reaches("alice", id, "uploaded")) << file_of("alice", id).dump();
  const int texts = static_cast<int>(crypto::kMaxSkip) + 1;
  for (int i = 0; i < texts; ++i) alice->call("send", {{"peer", "bob"}, {"text", "after " + std::to_string(i)}});

  user("carol").start();  // her queue drains, and alice's outbox moves on
  const std::string last = "after " + std::to_string(texts - 1);
  ASSERT_TRUE(eventually(
      [&] {
        const json newest = call("bob", "history", {{"peer", "alice"}, {"limit", 1}});
        return !newest.empty() && newest[0].at("text") == last;
      },
      std::chrono::seconds(300)));

  // Everything came, in order: the file's message first, then the texts.
  std::vector<json> received;
  std::string before;
  for (;;) {
    const json page = call("bob", "history", {{"peer", "alice"}, {"limit", 1000}, {"before", before}});
    if (page.empty()) break;
    received.insert(received.begin(), page.begin(), page.end());
    before = page[0].at("id").get<std::string>();
  }
  ASSERT_EQ(received.size(), static_cast<std::size_t>(texts) + 2) << "hello, the file, the texts";
  EXPECT_EQ(received[1].at("id"), id);
  for (int i = 0; i < texts; ++i) {
    EXPECT_EQ(received.at(static_cast<std::size_t>(i) + 2).at("text"), "after " + std::to_string(i));
  }
  EXPECT_TRUE(reaches("bob", id, "downloaded")) << file_of("bob", id).dump();
  EXPECT_TRUE(same_bytes(file_of("bob", id).at("path").get<std::string>(), path));
  EXPECT_EQ(user("bob").process().output().find("undecryptable_message"), std::string::npos);
}

TEST_F(MsgdFilesTest, CancelStopsAnUploadAndNothingReachesThePeer) {
  start_slow_pair();
  const fs::path path = files_ / "cancel.bin";
  write_file(path, 12u << 20, 14);
  const std::string id = send_file(path);
  ASSERT_TRUE(eventually([&] {
    const json f = file_of("alice", id);
    return f.at("state") == "uploading" && f.at("bytes").get<std::uint64_t>() > 0;
  }));
  const json cancelled = call("alice", "cancel_transfer", {{"id", id}});
  EXPECT_EQ(cancelled.at("state"), "cancelled");
  EXPECT_EQ(message_state("alice", id), "failed");
  // The partial upload is deleted on the relay, and bob never hears of it.
  EXPECT_TRUE(eventually([&] { return fs::is_empty(dir_ / "relay" / "blobs"); })) << "partial upload left";
  call("alice", "send", {{"peer", "bob"}, {"text", "after the cancel"}});
  ASSERT_TRUE(eventually([&] { return !call("bob", "inbox").empty(); }));
  EXPECT_EQ(call("bob", "history", {{"peer", "alice"}}).size(), 1u);
  EXPECT_TRUE(call("bob", "list_files").empty());
  // A finished transfer cannot be cancelled; an unknown id is an error.
  EXPECT_THROW(call("alice", "cancel_transfer", {{"id", "00000000000000000000000000000000"}}), api::ApiError);
}

TEST_F(MsgdFilesTest, CancelStopsADownloadAndRemovesThePartialFile) {
  start_slow_pair();
  const fs::path path = files_ / "cancel-down.bin";
  write_file(path, 12u << 20, 15);
  const std::string id = send_file(path);
  ASSERT_TRUE(reaches("bob", id, "available", std::chrono::seconds(120)));
  const fs::path out = dir_ / "bob-out";
  fs::create_directories(out);
  call("bob", "save_file", {{"id", id}, {"output", out.string()}});
  ASSERT_TRUE(eventually([&] { return file_of("bob", id).at("bytes").get<std::uint64_t>() > 0; }));
  EXPECT_EQ(call("bob", "cancel_transfer", {{"id", id}}).at("state"), "cancelled");
  EXPECT_TRUE(eventually([&] { return fs::is_empty(out); })) << "partial download left";
  EXPECT_EQ(file_state("bob", id), "cancelled");
}

TEST_F(MsgdFilesTest, QuotaExceededFailsTheTransferWithTheRelaysReason) {
  start_pair("blobs:\n  max_size: 1MiB\n  quota_per_user: 1MiB\n");
  user("bob").kill9();  // bob fetches nothing: alice's blobs stay and fill her quota
  const fs::path a = files_ / "a.bin";
  const fs::path b = files_ / "b.bin";
  write_file(a, 600u << 10, 16);
  write_file(b, 600u << 10, 17);
  const std::string first = send_file(a);
  ASSERT_TRUE(reaches("alice", first, "uploaded"));
  const std::string second = send_file(b);
  ASSERT_TRUE(reaches("alice", second, "failed")) << file_of("alice", second).dump();
  EXPECT_NE(file_of("alice", second).at("error").get<std::string>().find("quota"), std::string::npos);
  EXPECT_EQ(message_state("alice", second), "failed");
  // The relay's cap is the smaller one here: a 2 MiB file is refused at once.
  const fs::path c = files_ / "c.bin";
  write_file(c, 2u << 20, 18);
  EXPECT_THROW(send_file(c), api::ApiError);
}

// The relay's copy altered (a bit flipped, or cut short) after the upload:
// bob's msgd refuses it, keeps no partial file and names nothing after it.
TEST_F(MsgdFilesTest, AnAlteredOrTruncatedBlobIsRefusedAndNothingIsKept) {
  start_pair();
  user("bob").kill9();
  const fs::path flipped_path = files_ / "flipped.bin";
  const fs::path cut_path = files_ / "cut.bin";
  write_file(flipped_path, 3u << 20, 21);
  write_file(cut_path, 3u << 20, 22);
  const std::string flipped = send_file(flipped_path);
  ASSERT_TRUE(reaches("alice", flipped, "uploaded"));
  auto blob_files = [&] {
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "relay" / "blobs")) {
      if (e.is_regular_file()) found.push_back(e.path());
    }
    return found;
  };
  ASSERT_EQ(blob_files().size(), 1u);
  const fs::path first_blob = blob_files()[0];
  {
    std::fstream blob(first_blob, std::ios::in | std::ios::out | std::ios::binary);
    blob.seekg(100000);
    char c = 0;
    blob.read(&c, 1);
    blob.seekp(100000);
    c = static_cast<char>(c ^ 0x01);
    blob.write(&c, 1);
  }
  const std::string cut = send_file(cut_path);
  ASSERT_TRUE(reaches("alice", cut, "uploaded"));
  for (const auto& blob : blob_files()) {
    if (blob != first_blob) fs::resize_file(blob, fs::file_size(blob) / 2);
  }
  user("bob").start();
  ASSERT_TRUE(reaches("bob", flipped, "failed")) << file_of("bob", flipped).dump();
  EXPECT_NE(file_of("bob", flipped).at("error").get<std::string>().find("verify"), std::string::npos)
      << file_of("bob", flipped).dump();
  ASSERT_TRUE(reaches("bob", cut, "failed")) << file_of("bob", cut).dump();
  EXPECT_FALSE(fs::exists(bob_files_dir() / "flipped.bin"));
  EXPECT_FALSE(fs::exists(bob_files_dir() / "cut.bin"));
  if (fs::exists(bob_files_dir())) {
    EXPECT_TRUE(fs::is_empty(bob_files_dir())) << "a partial file was left behind";
  }
}

// A local path travels to msgd in JSON or D-Bus strings, which are UTF-8, so a
// name of invalid UTF-8 cannot be sent at all; the receiving side's handling
// of such names (and of '/', NUL, "..") is in file_name_test.cc, since a
// well-behaved msgd never sends them.
TEST_F(MsgdFilesTest, HostileLocalNamesAreSentUnderASafeName) {
  start_pair();
  const std::vector<std::pair<std::string, std::string>> cases{
      {".hidden", "hidden"},
      {"-rf", "rf"},
      {"bad\x1b[31mname.txt", "bad_[31mname.txt"},
      {"invoice\xe2\x80\xae"
       "fdp.exe",
       "invoice_fdp.exe"},  // U+202E: would read as "invoiceexe.pdf"
      {std::string(250, 'x') + ".txt", std::string(196, 'x') + ".txt"},
  };
  for (const auto& [local, expected] : cases) {
    const fs::path path = files_ / local;
    write_file(path, 10, 19);
    const std::string id = send_file(path);
    ASSERT_TRUE(reaches("bob", id, "downloaded")) << expected;
    const json f = file_of("bob", id);
    EXPECT_EQ(f.at("name"), expected);
    EXPECT_EQ(fs::path(f.at("path").get<std::string>()).filename(), expected);
    EXPECT_EQ(fs::path(f.at("path").get<std::string>()).parent_path(), bob_files_dir());
  }
}

}  // namespace
}  // namespace sotto::testing
