#include "daemon/store/transfer_store.h"

#include <gtest/gtest.h>

#include "daemon/store/message_store.h"
#include "daemon/store/state_database.h"
#include "lib/crypto/random.h"
#include "lib/store/store_error.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::message_id;
using testing::TempDir;

Transfer make_transfer(unsigned long long n, const std::string& peer, Direction direction) {
  Transfer t;
  t.id = message_id(n);
  t.peer = peer;
  t.direction = direction;
  t.name = "file" + std::to_string(n) + ".bin";
  t.size = 1000 * n;
  t.mime = "application/octet-stream";
  t.caption = "caption " + std::to_string(n);
  t.file_key = crypto::random_secret(32);
  t.state = direction == Direction::kOut ? TransferState::kPreparing : TransferState::kAvailable;
  t.created_at_ms = 1000 + static_cast<std::int64_t>(n);
  return t;
}

TEST(MsgdStoreTransfers, StoresEveryFieldAndListsOldestFirst) {
  TempDir dir;
  StateDatabase state(dir.path());
  TransferStore transfers(state.db());
  const Transfer a = make_transfer(2, "bob", Direction::kOut);
  const Transfer b = make_transfer(1, "carol", Direction::kIn);
  transfers.insert(a);
  transfers.insert(b);
  const auto found = transfers.find(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->peer, "bob");
  EXPECT_EQ(found->name, a.name);
  EXPECT_EQ(found->size, a.size);
  EXPECT_EQ(found->file_key, a.file_key);
  EXPECT_FALSE(found->ciphertext_sha256);
  EXPECT_EQ(found->state, TransferState::kPreparing);
  const auto all = transfers.list("");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, a.id);
  EXPECT_EQ(all[1].id, b.id);
  EXPECT_EQ(transfers.list("carol").size(), 1u);
  EXPECT_TRUE(transfers.list("dave").empty());
  EXPECT_THROW(transfers.insert(a), store::StoreError) << "ids are unique";
}

TEST(MsgdStoreTransfers, ProgressFieldsUpdateAndUnfinishedFindsTheRunningOnes) {
  TempDir dir;
  StateDatabase state(dir.path());
  TransferStore transfers(state.db());
  const Transfer up = make_transfer(1, "bob", Direction::kOut);
  const Transfer down = make_transfer(2, "bob", Direction::kIn);
  transfers.insert(up);
  transfers.insert(down);
  std::array<std::uint8_t, 32> digest{};
  digest.fill(5);
  transfers.set_hash(up.id, 1234, digest, 99);
  transfers.set_blob_id(up.id, "blob-1");
  transfers.set_state(up.id, TransferState::kUploading);
  transfers.set_bytes(up.id, 500);
  const auto u = transfers.find(up.id);
  EXPECT_EQ(u->ciphertext_size, 1234u);
  EXPECT_EQ(u->ciphertext_sha256, digest);
  EXPECT_EQ(u->source_mtime_ns, 99);
  EXPECT_EQ(u->blob_id, "blob-1");
  EXPECT_EQ(u->bytes, 500u);
  // available waits for the user: not unfinished work.
  auto unfinished = transfers.unfinished();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].id, up.id);
  transfers.set_save_to(down.id, "/tmp/out");
  transfers.set_state(down.id, TransferState::kDownloading);
  EXPECT_EQ(transfers.unfinished().size(), 2u);
  transfers.set_state(up.id, TransferState::kFailed, "quota");
  transfers.set_source(down.id, "/tmp/out/file2.bin");
  transfers.set_state(down.id, TransferState::kSaved);
  EXPECT_TRUE(transfers.unfinished().empty());
  EXPECT_EQ(transfers.find(up.id)->error, "quota");
  EXPECT_EQ(transfers.find(down.id)->source, "/tmp/out/file2.bin");
  EXPECT_EQ(transfers.find(down.id)->save_to, "/tmp/out");
}

TEST(MsgdStoreTransfers, FileMessagesKeepTheirKindAndSummary) {
  TempDir dir;
  StateDatabase state(dir.path());
  MessageStore messages(state.db());
  StoredMessage file;
  file.id = message_id(1);
  file.peer = "bob";
  file.direction = Direction::kIn;
  file.sender = "bob";
  file.text = "caption";
  file.state = MessageState::kUnread;
  file.kind = MessageKind::kFile;
  file.file = FileSummary{"report.pdf", 2'100'000, "application/pdf"};
  ASSERT_TRUE(messages.insert_incoming(file));
  StoredMessage text = file;
  text.id = message_id(2);
  text.kind = MessageKind::kText;
  text.file.reset();
  ASSERT_TRUE(messages.insert_incoming(text));
  const auto history = messages.history("bob", 10, std::nullopt);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].kind, MessageKind::kFile);
  ASSERT_TRUE(history[0].file);
  EXPECT_EQ(history[0].file->name, "report.pdf");
  EXPECT_EQ(history[0].file->size, 2'100'000u);
  EXPECT_EQ(history[1].kind, MessageKind::kText);
  EXPECT_FALSE(history[1].file) << "a cached insert statement must not leak the file columns";
}

}  // namespace
}  // namespace sotto::msgd
