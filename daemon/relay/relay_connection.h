#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/relay/pin_check.h"
#include "daemon/relay/relay_endpoint.h"
#include "lib/net/asio.h"
#include "lib/net/tls_stream.h"
#include "lib/wire/frame_codec.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// The connection to the relay is gone (or never came up): refused, closed,
// timed out, or the relay sent something that is not the protocol. what()
// says which, in words fit for `msgctl status`.
class RelayConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// msgd's one TLS 1.3 connection to relayd (docs/protocol.md): frames with a
// 4-byte length, requests matched to answers by request_id, pushes (Deliver,
// PrekeyStatus) with request_id 0, and Ping keep-alive.
//
// Everything runs on one io_context thread; no member may be called from
// another thread. Several request() calls may be in flight at once: one
// writer coroutine sends queued frames in order, and run()'s read loop hands
// each answer to the request with its id. run() must be running for any
// request to get its answer.
//
// A connection must not outlive the io_context it was created on (its socket
// and timers belong to that context's services).
//
// The first connection in the process sets SIGPIPE to ignored: OpenSSL writes
// with write(2), and a write to a socket the relay has just closed must fail
// with EPIPE, not kill msgd.
class RelayConnection : public std::enable_shared_from_this<RelayConnection> {
 public:
  using Clock = std::chrono::steady_clock;
  using PushHandler = std::function<void(wire::Frame)>;

  // What msgd says in Hello.client: "msgd/<version>".
  static std::string client_name();

  // Resolve, TCP connect, TLS handshake, check_pin on the certificate, then
  // Hello -> HelloOk; all within timeout. ctx (lib/net make_client_context())
  // must outlive the connection. Throws RelayPinMismatch (the certificate is
  // not the pinned one), std::invalid_argument (configured_pin is malformed)
  // or RelayConnectionLost (anything else, including the timeout).
  // endpoint is a reference: co_await open(...) in the expression that calls it.
  static net::Awaitable<std::shared_ptr<RelayConnection>> open(const RelayEndpoint& endpoint, SSL_CTX* ctx,
                                                               PinStore& pins,
                                                               std::optional<std::string> configured_pin,
                                                               std::chrono::milliseconds timeout);

  // open() in two steps, so that a supervisor holds the connection while it
  // is being set up and can close() it to abort (RelayLink::stop()).
  static std::shared_ptr<RelayConnection> create(net::asio::any_io_executor executor, SSL_CTX* ctx);
  net::Awaitable<void> connect(RelayEndpoint endpoint, PinStore& pins, std::optional<std::string> configured_pin,
                               std::chrono::milliseconds timeout);

  // Only create() makes connections (they must be owned by a shared_ptr).
  class Passkey {
    friend class RelayConnection;
    Passkey() = default;
  };
  RelayConnection(Passkey, net::asio::any_io_executor executor, SSL_CTX* ctx);
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;
  ~RelayConnection();

  // Valid once connect() has returned.
  const wire::HelloOk& server_hello() const { return hello_ok_; }
  // "sha256:<hex>" of the relay's certificate (set after the TLS handshake).
  std::string fingerprint() const { return fingerprint_; }
  const RelayEndpoint& endpoint() const { return endpoint_; }

  // Sends frame with a fresh request_id and returns the relay's answer to it
  // as it came (an Error body is the caller's to interpret). Throws
  // RelayConnectionLost if the connection ends first, or if no answer comes
  // within timeout -- the connection is then closed: a relay that does not
  // answer is dead to us. Throws wire::FrameEncodeError for a frame without a
  // body or above the relay's max frame size (a bug in the caller).
  // Queued bytes are wiped once written (a Login carries a password); the
  // caller wipes its own copies in frame.
  net::Awaitable<wire::Frame> request(wire::Frame frame, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // Sends frame with a fresh request_id; its answer, when it comes, is dropped.
  // Does nothing on a closed connection.
  void send_no_reply(wire::Frame frame);

  // Called from run()'s read loop for each push (Deliver, PrekeyStatus).
  // Exceptions from the handler are logged and otherwise ignored.
  void on_push(PushHandler handler) { push_handler_ = std::move(handler); }

  // The read loop and keep-alive, until the connection ends. Sends Ping when
  // nothing was sent for a third of HelloOk.idle_timeout_ms and closes with
  // TIMEOUT when nothing at all arrived for two thirds (docs/protocol.md,
  // section 7). Returns why the connection ended: "relay closed the
  // connection", "TIMEOUT: ...", "SHUTTING_DOWN: ..." (an Error the relay
  // sent with request_id 0), "the relay sent a malformed frame: ...",
  // "closed by msgd", ... Call it once.
  net::Awaitable<std::string> run();

  // Ends the connection (TLS close_notify first when no write is half done).
  // Every request in flight throws RelayConnectionLost; run() returns reason.
  void close(const std::string& reason = "closed by msgd");
  bool is_open() const { return !closed_; }
  // Why the connection ended; empty while it is open.
  const std::string& close_reason() const { return close_reason_; }

  // The keep-alive's timings, from HelloOk (exposed for tests and status).
  std::chrono::milliseconds ping_interval() const { return ping_interval_; }
  std::chrono::milliseconds dead_after() const { return 2 * ping_interval_; }

 private:
  // A request() waiting for its answer: the timer doubles as the wake-up
  // signal (cancelled when the answer arrives or the connection ends).
  struct Waiter {
    explicit Waiter(const net::asio::any_io_executor& executor) : timer(executor) {}
    net::asio::steady_timer timer;
    std::optional<wire::Frame> answer;
  };

  net::Awaitable<void> connect_steps(const RelayEndpoint& endpoint, PinStore& pins,
                                     const std::optional<std::string>& configured_pin);
  net::Awaitable<void> say_hello();
  // Reads until the decoder has at least one frame queued in received_.
  net::Awaitable<void> read_more();
  void queue(wire::Frame& frame);
  void dispatch(wire::Frame frame);
  void fail_all_waiters();
  std::uint32_t negotiated_max_frame_size() const;

  // Both take a weak pointer so that an idle connection nobody holds any more
  // is destroyed (their timers die with it and they end).
  static net::Awaitable<void> write_loop(std::weak_ptr<RelayConnection> weak);
  static net::Awaitable<void> keepalive_loop(std::weak_ptr<RelayConnection> weak);

  net::asio::any_io_executor executor_;
  SSL_CTX* ctx_;
  RelayEndpoint endpoint_;
  net::tcp::resolver resolver_;
  net::tcp::socket socket_;  // until the TLS handshake starts; then stream_ owns it
  std::optional<net::TlsStream> stream_;
  net::asio::steady_timer connect_timer_;
  net::asio::steady_timer write_signal_;
  net::asio::steady_timer keepalive_timer_;

  wire::FrameDecoder decoder_;
  std::array<std::uint8_t, 16384> read_buffer_{};  // one TLS record's worth
  std::vector<wire::Frame> received_;              // decoded during connect(), handled by run()
  std::string pending_;                            // encoded frames waiting for the writer
  std::string writing_;                            // the frames being written now
  std::unordered_map<std::uint64_t, Waiter*> waiters_;
  std::uint64_t next_request_id_ = 1;
  PushHandler push_handler_;

  wire::HelloOk hello_ok_;
  std::string fingerprint_;
  std::chrono::milliseconds ping_interval_{30000};
  Clock::time_point last_sent_{};
  Clock::time_point last_received_{};

  bool connected_ = false;  // connect() finished
  bool running_ = false;    // run() was called
  bool closed_ = false;
  std::string close_reason_;
};

}  // namespace sotto::msgd
