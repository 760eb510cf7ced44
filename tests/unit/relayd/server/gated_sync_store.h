#pragma once

// A Store whose fsync waits until the test opens a gate: a disk that is slow
// on demand, which a real one cannot be. Everything else goes to a real
// store unchanged.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "relayd/store/store.h"

namespace sotto::relayd::gated_sync {

class GatedSyncStore final : public Store {
 public:
  explicit GatedSyncStore(Store& real) : real_(real) {}

  // Until open(), sync_writes() blocks (the real sync runs once it returns).
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  // Whether a sync reached the gate within the timeout.
  bool wait_for_a_held_sync(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }

  void sync_writes() override {
    {
      std::unique_lock lock(mutex_);
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
      --waiting_;
    }
    real_.sync_writes();
  }

  bool create_user(const UserRecord& u) override { return real_.create_user(u); }
  CreateUserStatus create_user_with_invite(const UserRecord& u, const Sha256Hash& c, std::int64_t now) override {
    return real_.create_user_with_invite(u, c, now);
  }
  bool set_identity(std::string_view u, const IdentityKey& k) override { return real_.set_identity(u, k); }
  std::optional<UserRecord> find_user(std::string_view u) override { return real_.find_user(u); }
  std::vector<UserRecord> list_users() override { return real_.list_users(); }
  std::optional<RemovedUser> remove_user(std::string_view u) override { return real_.remove_user(u); }
  bool add_token(const Sha256Hash& t, std::string_view u, std::string_view d, std::int64_t e) override {
    return real_.add_token(t, u, d, e);
  }
  std::optional<TokenRecord> find_token(const Sha256Hash& t, std::int64_t now) override {
    return real_.find_token(t, now);
  }
  std::vector<TokenRecord> list_tokens(std::string_view u, std::int64_t now) override {
    return real_.list_tokens(u, now);
  }
  bool revoke_token(const Sha256Hash& t) override { return real_.revoke_token(t); }
  std::uint64_t revoke_user_tokens(std::string_view u) override { return real_.revoke_user_tokens(u); }
  std::optional<std::uint64_t> change_password(std::string_view u, std::string_view h) override {
    return real_.change_password(u, h);
  }
  std::int64_t last_token_revocation() override { return real_.last_token_revocation(); }
  std::vector<TokenRevocation> token_revocations_after(std::int64_t a, std::size_t l) override {
    return real_.token_revocations_after(a, l);
  }
  bool add_invite(const Sha256Hash& c, std::int64_t e) override { return real_.add_invite(c, e); }
  bool consume_invite(const Sha256Hash& c, std::int64_t now) override { return real_.consume_invite(c, now); }
  bool set_signed_prekey(std::string_view u, const SignedPrekey& p) override { return real_.set_signed_prekey(u, p); }
  PrekeyUploadResult add_one_time_prekeys(std::string_view u, std::span<const OneTimePrekey> p,
                                          const PrekeyLimits& l) override {
    return real_.add_one_time_prekeys(u, p, l);
  }
  std::uint64_t count_one_time_prekeys(std::string_view u) override { return real_.count_one_time_prekeys(u); }
  std::optional<PrekeyBundle> take_bundle(std::string_view u) override { return real_.take_bundle(u); }
  std::vector<SendResult> commit_sends(std::span<const PendingSend> s, const QueueLimits& l) override {
    return real_.commit_sends(s, l);
  }
  BatchResult write_batch(std::span<const PendingSend> s, std::span<const DeliveryAck> a,
                          const QueueLimits& l) override {
    return real_.write_batch(s, a, l);
  }
  std::vector<QueuedEnvelope> pending(std::string_view r, std::int64_t after, std::size_t limit,
                                      std::int64_t now) override {
    return real_.pending(r, after, limit, now);
  }
  std::uint64_t ack_deliveries(std::span<const DeliveryAck> a) override { return real_.ack_deliveries(a); }
  QueueUsage queue_usage(std::string_view r) override { return real_.queue_usage(r); }
  std::uint64_t queue_depth() override { return real_.queue_depth(); }
  ExpiryResult expire(std::int64_t now) override { return real_.expire(now); }
  BlobBeginStatus begin_blob(std::string_view o, std::string_view b, std::uint64_t size, const Sha256Hash& h,
                             std::int64_t e, const BlobLimits& l) override {
    return real_.begin_blob(o, b, size, h, e, l);
  }
  std::optional<BlobRecord> blob(std::string_view b) override { return real_.blob(b); }
  bool set_blob_received(std::string_view b, std::uint64_t o, std::int64_t e) override {
    return real_.set_blob_received(b, o, e);
  }
  BlobCompleteResult complete_blob(std::string_view b, std::span<const std::string> r, std::int64_t e) override {
    return real_.complete_blob(b, r, e);
  }
  bool holds_blob_claim(std::string_view b, std::string_view r) override { return real_.holds_blob_claim(b, r); }
  std::vector<std::string> blob_readers(std::string_view b) override { return real_.blob_readers(b); }
  BlobReleaseStatus release_blob(std::string_view b, std::string_view u, std::int64_t now) override {
    return real_.release_blob(b, u, now);
  }
  bool remove_blob(std::string_view b) override { return real_.remove_blob(b); }
  BlobUsage blob_usage(std::string_view o) override { return real_.blob_usage(o); }
  void export_records(const std::function<void(const DumpRecord&)>& sink) override { real_.export_records(sink); }
  ImportCounts import_records(const std::function<std::optional<DumpRecord>()>& next) override {
    return real_.import_records(next);
  }

 private:
  Store& real_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

}  // namespace sotto::relayd::gated_sync
