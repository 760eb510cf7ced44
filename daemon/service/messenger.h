#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemon/relay/relay_connection.h"
#include "daemon/relay/relay_endpoint.h"
#include "daemon/relay/relay_link.h"
#include "daemon/service/account_pin_store.h"
#include "daemon/service/e2e_content.h"
#include "daemon/service/event_hub.h"
#include "daemon/service/group_state.h"
#include "daemon/service/identity_policy.h"
#include "daemon/service/msgd_config.h"
#include "daemon/service/pending_initiation.h"
#include "daemon/store/account_store.h"
#include "daemon/store/contact_store.h"
#include "daemon/store/group_store.h"
#include "daemon/store/key_store.h"
#include "daemon/store/message_store.h"
#include "daemon/store/outbox.h"
#include "daemon/store/session_store.h"
#include "daemon/store/state_database.h"
#include "daemon/store/transfer_store.h"
#include "lib/api/handler.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/identity.h"
#include "lib/net/asio.h"
#include "lib/net/tls_context.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// msgd's behaviour: the local API's methods, the relay session (resume,
// prekeys), the outbox pump and the receive path. Everything runs on one I/O
// thread, so no member needs a lock; the methods that wait for the relay are
// coroutines whose results reach the caller through the Completion.
//
// The file split: messenger.cc (API dispatch and the local methods),
// messenger_account.cc (register, login, logout, the relay link),
// messenger_prekeys.cc, messenger_outbox.cc (sending), messenger_inbox.cc
// (receiving), messenger_sessions.cc (expiring the stored sessions' skipped
// keys), messenger_files.cc (the file methods) and messenger_transfers.cc
// (moving a file's bytes to and from the relay).
class Messenger : public api::Handler {
 public:
  Messenger(net::asio::io_context& io, MsgdConfig config, StateDatabase& database, EventHub& events);
  ~Messenger() override;
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  // Loads the account; connects to the relay when there is a session token.
  void start();
  void stop();

  void call(const api::MethodSpec& method, nlohmann::json params, api::Completion done) override;

  // Tunables, for tests and benchmarks.
  // Encrypted bytes per BlobChunk/BlobGet: three whole file chunks, the most
  // that fits under the relay's 256 KiB per frame.
  static constexpr std::size_t kTransferFrameBytes = 3 * (64 * 1024 + 16);
  // Frames in flight per transfer: enough to keep the relay busy while an
  // answer travels back, few enough to keep msgd's memory small.
  static constexpr int kTransferWindow = 6;
  static constexpr std::size_t kOneTimePrekeys = 100;
  static constexpr std::size_t kOneTimePrekeyLowMark = 20;
  static constexpr std::chrono::hours kSignedPrekeyLifetime{24 * 7};
  static constexpr std::chrono::hours kOldSignedPrekeyKept{24 * 28};
  // How often every stored session's expired skipped keys are removed, so
  // that a contact who never writes again does not keep keys alive: a key
  // outlives skipped_key_max_age by at most this much while msgd runs (the
  // timer does not count time the machine is suspended; the pass at start
  // covers the time msgd was not running).
  static constexpr std::chrono::hours kSkippedKeyExpiryInterval{1};

 private:
  using json = nlohmann::json;
  using ConnectionPtr = std::shared_ptr<RelayConnection>;

  // ---- API (messenger.cc) ----
  json status();
  json send(const json& params);
  json get_message(const json& params);
  json history(const json& params);
  json inbox();
  json mark_read(const json& params);
  json contacts();
  json fingerprint(const json& params);
  json verify(const json& params);
  json export_conversation(const json& params);
  json relay_forget();
  void run_async(net::Awaitable<json> work, api::Completion done);
  void require_account() const;
  std::string require_peer(const json& params) const;
  // params.peer as a conversation key: a username, or "@GROUP" resolved to
  // the group's "#<id>" (history, mark_read, export).
  std::string require_conversation(const json& params);
  // to_json, with the group's id and name for a group message.
  json message_json(const StoredMessage& message);

  // ---- groups (messenger_groups.cc) ----
  struct LoadedGroup {
    GroupRow row;
    GroupState state;
  };
  json group_create(const json& params);
  json group_add(const json& params);
  json group_remove(const json& params);
  json group_leave(const json& params);
  json group_rename(const json& params);
  json group_list();
  json group_members(const json& params);
  json group_send(const json& params);
  net::Awaitable<json> broadcast(json params);
  std::optional<LoadedGroup> load_group(std::string_view id_hex);
  // By id or name, with or without '@'; throws ApiError (not found, ambiguous).
  LoadedGroup resolve_group(std::string_view reference);
  LoadedGroup require_admin_of(const json& params);
  json group_json(const LoadedGroup& group) const;
  // Saves the group's row for the state next (this user's status in it) and
  // keeps or forgets the group's keys to match; in the caller's transaction.
  GroupRow store_group_state(const std::optional<LoadedGroup>& current, const GroupState& next, GroupStatus status);
  // Stores a state this user made (one epoch on) and queues it to every
  // member of the old and the new state; publishes GroupChanged.
  LoadedGroup commit_group_change(std::optional<LoadedGroup> current, GroupState next, GroupStatus my_status,
                                  const std::vector<std::string>& extra_recipients);
  // In the caller's transaction: this device's chain for the group's epoch
  // (made if needed), its distribution queued to each member not yet given
  // it, then the group message's outbox entry.
  void queue_group_message(const LoadedGroup& group, const std::string& message_id, std::string_view kind,
                           std::optional<crypto::ByteView> body = std::nullopt);
  // Throws ApiError unless this user is in the group and every other
  // member's identity key is trusted.
  void require_group_sendable(const LoadedGroup& group);
  void ensure_own_chain_distributed(const LoadedGroup& group);
  enum class GroupSeal { kSealed, kRequeued, kHeld, kDropped };
  GroupSeal seal_group_entry(OutboxEntry& entry);
  // Inside receive()'s transaction, for content that came over a pairwise
  // session: a group update (returns the GroupChanged event to publish) and
  // a sender key (returns the group whose waiting messages to retry).
  std::optional<json> take_group_update(const std::string& sender, const Content& content);
  std::optional<std::string> take_sender_key(const std::string& sender, const Content& content);
  enum class GroupOpen { kStored, kDuplicate, kRefused, kWait };
  GroupOpen open_group_message(const std::string& sender, const MessageId& outer_id, crypto::ByteView envelope_body,
                               std::int64_t received_at, std::optional<StoredMessage>& stored);
  void receive_group(const ConnectionPtr& connection, const wire::Deliver& deliver, const MessageId& outer_id,
                     crypto::ByteView envelope_body);
  void retry_pending_group_messages(const std::string& group_id);

  // ---- account and relay link (messenger_account.cc) ----
  net::Awaitable<json> register_account(json params);
  net::Awaitable<json> login(json params);
  net::Awaitable<json> logout();
  net::Awaitable<json> online(json params);
  net::Awaitable<ConnectionPtr> open_direct_connection();
  // Sends Register or Login on a connection of its own, stores the token,
  // publishes prekeys and (re)starts the relay link.
  net::Awaitable<void> authenticate(wire::Frame request, const char* what);
  void ensure_identity();  // generates and stores this device's identity key once
  void accept_token(const wire::Token& token);
  void start_link();
  void stop_link();
  net::Awaitable<void> on_connected(ConnectionPtr connection);
  void on_state(bool connected, const std::string& reason);
  void on_push(const ConnectionPtr& connection, wire::Frame frame);
  json account_json() const;

  // ---- prekeys (messenger_prekeys.cc) ----
  net::Awaitable<void> publish_prekeys(ConnectionPtr connection, bool rotate_if_due);
  net::Awaitable<void> top_up_prekeys(ConnectionPtr connection, std::uint32_t remaining);
  void ensure_signed_prekey(std::int64_t now);

  // ---- sending (messenger_outbox.cc) ----
  void kick_pump();
  net::Awaitable<void> pump(ConnectionPtr connection);
  // false: stop pumping for now (the connection broke, or the relay said to wait)
  net::Awaitable<bool> deliver_entry(ConnectionPtr connection, OutboxEntry entry);
  net::Awaitable<bool> encrypt_entry(ConnectionPtr connection, OutboxEntry& entry);
  void fail_message(const std::string& id, const std::string& peer, const std::string& why);
  // Queues a receipt, already encrypted with session (the caller saves the
  // session in the same transaction).
  void queue_receipt(const std::string& peer, const MessageId& acknowledged, ReceiptState state,
                     crypto::RatchetSession& session);
  // Ratchet-encrypts padded content into an envelope (an initial one while the
  // peer has not answered yet); advances session, commits nothing.
  crypto::Bytes seal(const std::string& peer, const Content& content, crypto::RatchetSession& session,
                     const std::optional<PendingInitiation>& new_initiation);
  static Content text_content(const StoredMessage& message);

  // ---- files (messenger_files.cc, messenger_transfers.cc) ----
  // What a running transfer shares with the API methods (cancel, list).
  struct TransferTask {
    std::atomic<bool> cancelled{false};
    std::uint64_t bytes = 0;  // plaintext bytes done, for progress
    TransferState state = TransferState::kPreparing;
    std::chrono::steady_clock::time_point last_progress{};
  };
  json send_file(const json& params);
  json list_files(const json& params);
  json save_file(const json& params);
  json cancel_transfer(const json& params);
  json file_json(const Transfer& transfer) const;
  std::filesystem::path files_dir() const;
  std::filesystem::path default_download_dir() const;
  // Starts the transfer's task unless one runs; resume_transfers() does it
  // for every unfinished transfer (on each new relay session).
  void start_transfer(const std::string& id);
  void resume_transfers();
  net::Awaitable<void> run_transfer(std::string id, std::shared_ptr<TransferTask> task);
  net::Awaitable<void> upload(Transfer transfer, std::shared_ptr<TransferTask> task);
  net::Awaitable<void> download(Transfer transfer, std::shared_ptr<TransferTask> task);
  // Where a download goes: the folder (msgd's files folder, or SaveFile's
  // output) and the file name wanted there.
  std::pair<std::filesystem::path, std::string> download_target(const Transfer& transfer) const;
  static std::string temp_name(const std::string& id) { return ".sotto-" + id + ".part"; }
  // Writes a downloaded file's copy where transfer.save_to says; returns the path.
  std::filesystem::path copy_to_save_target(const Transfer& transfer);
  void set_transfer_state(const Transfer& transfer, TransferTask* task, TransferState state,
                          const std::string& error = {});
  static json progress_json(const Transfer& transfer, TransferState state, std::uint64_t bytes);
  // Publishes TransferProgress at most every 100 ms (always when forced).
  void report_progress(const Transfer& transfer, TransferTask& task, std::uint64_t bytes, bool force);
  // The transfer row for a file message just received.
  Transfer incoming_transfer(const std::string& sender, const Content& content, std::int64_t now) const;
  // Tells the relay (BlobRelease) that we are done with a blob; best effort.
  void release_blob(const std::string& blob_id);

  // ---- stored sessions (messenger_sessions.cc) ----
  // Now, by the system clock, with the configured skipped_key_max_age.
  crypto::SkippedKeyExpiry skipped_key_expiry() const;
  // Expires the skipped keys of every stored session now, then again every
  // kSkippedKeyExpiryInterval until stop().
  void expire_skipped_keys_periodically();
  void expire_skipped_keys();

  // ---- receiving (messenger_inbox.cc) ----
  void receive(const ConnectionPtr& connection, const wire::Deliver& deliver);
  // Applies the trust policy to an identity seen for peer; returns the decision.
  IdentityDecision meet_identity(const std::string& peer, const crypto::IdentityPublicKey& seen);
  net::Awaitable<void> acknowledge(ConnectionPtr connection, std::uint64_t delivery_id);

  std::int64_t now_ms() const;

  net::asio::io_context& io_;
  MsgdConfig config_;
  RelayEndpoint endpoint_;
  std::optional<std::string> configured_pin_;
  StateDatabase& database_;
  EventHub& events_;
  AccountStore accounts_;
  KeyStore keys_;
  SessionStore sessions_;
  ContactStore contacts_;
  MessageStore messages_;
  Outbox outbox_;
  PendingInitiationStore initiations_;
  TransferStore transfers_;
  GroupStore groups_;
  std::map<std::string, std::shared_ptr<TransferTask>> tasks_;
  std::unique_ptr<net::asio::thread_pool> file_pool_;  // the hashing pass of uploads
  std::optional<crypto::IdentityKeyPair> identity_;
  std::string username_;
  net::SslCtxPtr tls_;
  std::unique_ptr<AccountPinStore> pins_;
  std::unique_ptr<RelayLink> link_;
  std::vector<std::unique_ptr<RelayLink>> retired_links_;
  ConnectionPtr authenticated_;  // the link's connection once Resume succeeded
  bool topping_up_ = false;
  bool pumping_ = false;
  bool pump_again_ = false;
  net::asio::steady_timer retry_timer_;
  net::asio::steady_timer rotation_timer_;
  net::asio::steady_timer transfer_retry_timer_;
  net::asio::steady_timer skipped_key_timer_;
  bool stopped_ = false;
};

}  // namespace sotto::msgd
