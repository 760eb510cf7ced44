#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <span>

#include "lib/net/asio.h"

namespace sotto::net {

// TLS over a non-blocking TCP socket, driven in reactor style: OpenSSL reads
// and writes the socket itself (SSL_set_fd) and the coroutine waits for
// readiness when OpenSSL says WANT_READ/WANT_WRITE. Unlike asio::ssl::stream,
// which keeps two 17 KiB buffers per connection, an idle TlsStream holds no
// record buffers at all (with SSL_MODE_RELEASE_BUFFERS).
//
// Not thread-safe: all calls on one stream come from one thread (the
// io_context it belongs to). One read and one write may be in progress at the
// same time, from two coroutines on that thread.
class TlsStream {
 public:
  enum class Role { kClient, kServer };

  TlsStream(tcp::socket socket, SSL_CTX* ctx, Role role);
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Throws TlsError (with OpenSSL's reason: e.g. a TLS 1.2 client) or
  // boost::system::system_error (socket closed, cancelled).
  Awaitable<void> handshake();

  // Reads at least one byte of application data into out. Returns 0 when the
  // peer closed the connection (close_notify or EOF).
  Awaitable<std::size_t> read_some(std::span<std::uint8_t> out);

  Awaitable<void> write_all(std::span<const std::uint8_t> data);

  // Sends close_notify without waiting for the peer's (best effort).
  void shutdown_send();

  // Closes the socket; pending reads and writes fail with operation_aborted.
  void close();
  bool is_open() const { return socket_.is_open(); }

  SSL* native_handle() { return ssl_.get(); }
  tcp::socket& socket() { return socket_; }

 private:
  struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  // Interprets an SSL_* return value: waits for readiness and returns false
  // to retry, returns true when the call completed, or throws.
  Awaitable<bool> settle(int ret, bool* peer_closed);

  tcp::socket socket_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

}  // namespace sotto::net
