#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/x25519.h"
#include "lib/wire/frame_codec.h"
#include "lib/wire/relay.pb.h"

namespace sotto::testing {

// A deliberately simple, blocking relay client for tests: one TLS connection,
// requests answered in order, server pushes (Deliver, PrekeyStatus) kept aside.
// Speaks through the same lib/wire codec as msgd, over plain OpenSSL, so a
// server bug cannot hide behind a shared client transport.
class RelayTestClient {
 public:
  struct Options {
    int max_tls_version = TLS1_3_VERSION;  // TLS1_2_VERSION to test refusal
    std::chrono::milliseconds timeout{5000};
    bool ipv6 = false;  // connect to [::1] instead of 127.0.0.1
    // Connect from this IPv4 address (any of 127.0.0.0/8 on loopback), so one
    // test can be many clients to the relay's per-address limits.
    std::string source_address{};
  };
  RelayTestClient(std::uint16_t port, Options options);
  explicit RelayTestClient(std::uint16_t port) : RelayTestClient(port, Options{}) {}
  ~RelayTestClient();

  // Sends raw bytes over TLS (for malformed-frame tests).
  void send_raw(const std::string& bytes);
  void send(wire::Frame frame);  // assigns a request_id if it has none
  // Reads the next frame from the socket, or nullopt on timeout or close.
  std::optional<wire::Frame> read_frame(std::chrono::milliseconds timeout);
  // Sends and waits for the response with the same request_id (pushes that
  // arrive meanwhile are kept for next_push()).
  wire::Frame request(wire::Frame frame);
  std::optional<wire::Frame> next_push(std::chrono::milliseconds timeout);
  // The next Deliver push; other pushes (PrekeyStatus) are skipped.
  std::optional<wire::Frame> next_delivery(std::chrono::milliseconds timeout);
  // True when the server closes the connection within timeout.
  bool wait_closed(std::chrono::milliseconds timeout);

  void hello();
  struct Identity {
    crypto::Ed25519KeyPair signing = crypto::Ed25519KeyPair::generate();
    crypto::X25519KeyPair dh = crypto::X25519KeyPair::generate();
    wire::IdentityKey to_wire() const;
  };
  // Register and Login return the server's answer (Token or Error).
  wire::Frame register_user(const std::string& username, const std::string& password, const Identity& identity,
                            const std::string& invite = {});
  wire::Frame login(const std::string& username, const std::string& password);
  wire::Frame resume(const std::string& token);
  wire::Frame send_envelope(const std::string& message_id, const std::vector<std::string>& recipients,
                            const std::string& envelope);
  void ack(std::uint64_t delivery_id);

  bool handshake_ok() const { return handshake_ok_; }
  // "sha256:<hex>" of the certificate the relay presented in this handshake.
  std::string peer_fingerprint() const;
  const std::string& handshake_error() const { return handshake_error_; }

 private:
  struct SslDeleter {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  struct CtxDeleter {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  int fd_ = -1;
  Options options_;
  bool handshake_ok_ = false;
  std::string handshake_error_;
  wire::FrameDecoder decoder_{16u << 20};
  std::deque<wire::Frame> frames_;
  std::deque<wire::Frame> pushes_;
  std::uint64_t next_id_ = 1;
  bool closed_ = false;
};

// A unique 16-byte message id for tests.
std::string test_message_id(std::uint64_t n);

}  // namespace sotto::testing
