#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/sha256.h"
#include "lib/net/asio.h"
#include "lib/net/tls_stream.h"
#include "lib/wire/frame_codec.h"
#include "lib/wire/relay.pb.h"
#include "relayd/server/server_context.h"

namespace sotto::relayd {

// One client connection: TLS handshake, Hello, authentication, then requests,
// until the client leaves, a deadline passes, or a protocol error closes it.
// Three coroutines on the connection's own io thread: the reader (which also
// handles requests in order), the writer (a single-writer queue), and a
// watchdog (authentication deadline, idle timeout, closing grace).
// Public methods other than start() are thread-safe: they post to that thread.
class RelaySession : public std::enable_shared_from_this<RelaySession> {
 public:
  RelaySession(ServerContext& ctx, net::tcp::socket socket, std::string peer_address,
               std::optional<ConnectionLimiter::Slot> slot);
  ~RelaySession();
  RelaySession(const RelaySession&) = delete;
  RelaySession& operator=(const RelaySession&) = delete;

  void start();

  // Pushes a Send just written by the group commit to every online session
  // of its recipients (CommitQueue's written hook, on its writer thread).
  static void push_written(Router& router, const PendingSend& send, const SendResult& result);

  // A new envelope for this session's user, just written (from the
  // committer's writer thread): its body, shared by every recipient of the Send (its
  // delivery_id is not read), this user's delivery id, and the id the store
  // drew for this user just before it (Delivery::previous_delivery_id).
  void deliver(std::shared_ptr<const QueuedEnvelope> body, std::int64_t delivery_id, std::int64_t previous_delivery_id);
  // Something up to delivery_id was stored for this user by another relay
  // sharing the store (the bus said so): read the queue.
  void wake(std::int64_t delivery_id);
  // Read the queue for anything stored by another relay (polling, while
  // there is no bus or it is down). Does nothing while a read is running.
  void poll_queue();
  // The user's one-time prekeys ran low (another user fetched one).
  void notify_prekeys(std::uint32_t remaining);
  // Server shutdown: answer SHUTTING_DOWN and close.
  void shutdown();
  // Closes the session (UNAUTHENTICATED, then close) if it was authenticated
  // with one of these tokens, which have been deleted from the store.
  void close_if_token_revoked(std::shared_ptr<const std::vector<crypto::Sha256Digest>> revoked);

 private:
  enum class State { kConnected, kGreeted, kAuthenticated, kClosing };
  using Clock = std::chrono::steady_clock;

  net::Awaitable<void> run(std::shared_ptr<RelaySession> self);
  net::Awaitable<void> write_loop(std::shared_ptr<RelaySession> self);
  net::Awaitable<void> watchdog(std::shared_ptr<RelaySession> self);
  net::Awaitable<void> drain_queue(std::shared_ptr<RelaySession> self);
  net::Awaitable<void> report_low_prekeys(std::shared_ptr<RelaySession> self);

  net::Awaitable<void> handle(wire::Frame& frame);
  void on_hello(const wire::Frame& frame);
  net::Awaitable<void> on_register(const wire::Frame& frame);
  net::Awaitable<void> on_login(const wire::Frame& frame);
  net::Awaitable<void> on_resume(const wire::Frame& frame);
  net::Awaitable<void> on_logout(const wire::Frame& frame);
  net::Awaitable<void> on_publish_prekeys(const wire::Frame& frame);
  net::Awaitable<void> on_fetch_bundle(const wire::Frame& frame);
  void on_send(wire::Frame& frame);
  void on_deliver_ack(const wire::Frame& frame);
  net::Awaitable<void> on_presence(const wire::Frame& frame);
  net::Awaitable<void> on_blob_begin(const wire::Frame& frame);
  net::Awaitable<void> on_blob_chunk(const wire::Frame& frame);
  net::Awaitable<void> on_blob_end(const wire::Frame& frame);
  net::Awaitable<void> on_blob_get(const wire::Frame& frame);
  net::Awaitable<void> on_blob_release(const wire::Frame& frame);

  net::Awaitable<void> issue_token(std::uint64_t request_id, const std::string& username, const std::string& device);
  void become_authenticated(const std::string& username, const crypto::Sha256Digest& token_hash);
  void send_committed(std::uint64_t request_id, const PendingSend& send, const SendResult* result);

  // Runs f on the blocking pool and resumes here with its result (or exception).
  template <typename F>
  net::Awaitable<std::invoke_result_t<F&>> blocking(F f);

  void queue_frame(const wire::Frame& frame);
  net::Awaitable<void> wait_until_writable();
  static void wipe_credentials(wire::Frame& frame);
  void push_envelope(const QueuedEnvelope& envelope) { push_envelope(envelope, envelope.delivery_id); }
  void push_envelope(const QueuedEnvelope& body, std::int64_t delivery_id);
  void send_error(std::uint64_t request_id, wire::ErrorCode code, const std::string& reason,
                  std::uint32_t retry_after_ms = 0);
  // Sends an error, then closes once it is flushed (or the grace runs out).
  void fail(std::uint64_t request_id, wire::ErrorCode code, const std::string& reason,
            std::uint32_t retry_after_ms = 0);
  void close_now();
  std::int64_t now_ms() const;
  std::string log_prefix() const;

  ServerContext& ctx_;
  net::asio::any_io_executor executor_;
  net::TlsStream stream_;
  std::string peer_;
  std::optional<ConnectionLimiter::Slot> slot_;
  wire::FrameDecoder decoder_;

  State state_ = State::kConnected;
  std::string username_;
  crypto::Bytes signing_key_;  // cached on first PublishPrekeys
  crypto::Sha256Digest token_hash_{};
  int auth_failures_ = 0;

  std::string pending_;  // encoded frames not yet handed to TLS
  std::string writing_;  // the frames TLS is writing now
  bool close_after_flush_ = false;
  bool closed_ = false;
  bool handshake_done_ = false;
  net::asio::steady_timer write_signal_;
  net::asio::steady_timer writable_signal_;
  net::asio::steady_timer watchdog_timer_;
  Clock::time_point started_;
  Clock::time_point last_activity_;
  Clock::time_point closing_since_;

  // Delivery bookkeeping (see drain_queue): pushes are live only once the
  // stored queue has been read up to highest_pushed_.
  bool live_ = false;
  bool draining_ = false;
  std::int64_t highest_pushed_ = 0;
  std::int64_t highest_missed_ = 0;
};

}  // namespace sotto::relayd
