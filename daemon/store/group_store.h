#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// What a user's msgd keeps about its groups (schema version 4): each group's
// current state (daemon/service/group_state.h encodes it; this store only
// keeps the bytes), this device's own sender chain per group, the chains of
// the other members it follows, which member has been given which of its
// chains, and group messages that arrived before what is needed to read them.
// Never begins a transaction (see StateDatabase). Throws store::StoreError.
enum class GroupStatus { kMember, kRemoved, kLeft };
std::string_view to_string(GroupStatus status);  // "member", "removed", "left"

struct GroupRow {
  std::string id;  // 32 lowercase hex digits
  std::string name;
  std::uint64_t epoch = 1;
  crypto::Bytes state;                         // the encoded state
  crypto::Bytes state_hash;                    // SHA-256 of state
  std::optional<crypto::Bytes> previous_hash;  // of the state one epoch before, when this device held it
  GroupStatus status = GroupStatus::kMember;
  std::int64_t created_at_ms = 0;
};

struct PendingGroupMessage {
  std::int64_t seq = 0;
  std::string group_id;
  std::string sender;
  std::string message_id;
  crypto::Bytes envelope;
  std::int64_t received_at_ms = 0;
};

class GroupStore {
 public:
  explicit GroupStore(store::Database& db) : db_(db) {}

  std::optional<GroupRow> find(std::string_view id);
  // Every group, by name then id.
  std::vector<GroupRow> all();
  // Groups with this name (names are not unique: each creator picks one).
  std::vector<GroupRow> with_name(std::string_view name);
  std::size_t count_member_of();
  // Inserts or replaces the row.
  void save(const GroupRow& row);

  // This device's sender chain for a group (SenderKeyChain::serialize()), and
  // the epoch it was made for.
  struct OwnChain {
    std::uint64_t epoch = 0;
    std::uint32_t key_id = 0;
    crypto::SecretBytes state;
  };
  std::optional<OwnChain> own_chain(std::string_view group_id);
  void save_own_chain(std::string_view group_id, std::uint64_t epoch, std::uint32_t key_id,
                      const crypto::SecretBytes& state);
  void forget_own_chain(std::string_view group_id);

  // Another member's chain (SenderKeyReceiver::serialize()), by its key id.
  std::optional<crypto::SecretBytes> receiver(std::string_view group_id, std::string_view sender, std::uint32_t key_id);
  // Inserts or replaces; then keeps only the kMaxChainsPerSender newest
  // epochs' chains of that sender in that group.
  void save_receiver(std::string_view group_id, std::string_view sender, std::uint32_t key_id, std::uint64_t epoch,
                     const crypto::SecretBytes& state);
  // Drops the chains of senders no longer in the group and those of epochs
  // before min_epoch.
  void prune_receivers(std::string_view group_id, const std::vector<std::string>& members, std::uint64_t min_epoch);
  void forget_receivers(std::string_view group_id);

  // Whether member has been sent (queued) this device's chain key_id.
  bool key_sent(std::string_view group_id, std::uint32_t key_id, std::string_view member);
  void mark_key_sent(std::string_view group_id, std::uint32_t key_id, std::string_view member);

  // Group messages waiting for a sender key or a group update, oldest first.
  // add_pending returns false (and stores nothing) when the group already has
  // kMaxPendingPerGroup waiting or holds this message id already.
  bool add_pending(const PendingGroupMessage& message);
  std::vector<PendingGroupMessage> pending(std::string_view group_id);
  void remove_pending(std::int64_t seq);

  static constexpr std::size_t kMaxChainsPerSender = 4;
  static constexpr std::size_t kMaxPendingPerGroup = 1000;

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
