#include "lib/net/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/redirect_error.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "lib/net/tls_context.h"

namespace sotto::net {

namespace {
std::string openssl_reason(const char* what) {
  std::string msg = what;
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    msg += ": ";
    msg += buf.data();
  }
  ERR_clear_error();
  return msg;
}
struct BioMethodDeleter {
  void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
};

}  // namespace

// OpenSSL's reads and writes of one TlsStream's socket. It behaves as
// OpenSSL's own socket BIO does (the same retry flags, EOF and errno), with
// two differences: bytes the stream's waiting read took are handed over
// first, and once a read has found the socket empty the next one asks for a
// wait at once instead of trying the socket again.
struct TlsStreamBio {
  static TlsStream& stream(BIO* bio) { return *static_cast<TlsStream*>(BIO_get_data(bio)); }

  static int read(BIO* bio, char* out, std::size_t size, std::size_t* got) {
    TlsStream& s = stream(bio);
    BIO_clear_retry_flags(bio);
    *got = 0;
    if (s.waiting_begin_ < s.waiting_end_) {
      const std::size_t n = std::min(size, s.waiting_end_ - s.waiting_begin_);
      std::memcpy(out, s.wait_buffer_.data() + s.waiting_begin_, n);
      s.waiting_begin_ += n;
      *got = n;
      return 1;
    }
    if (s.read_errno_ != 0) {
      errno = s.read_errno_;
      return 0;
    }
    if (s.peer_eof_) {
      BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
      return 0;
    }
    if (!s.socket_may_have_data_) {
      BIO_set_retry_read(bio);
      return 0;
    }
    for (;;) {
      const ssize_t n = ::recv(s.socket_.native_handle(), out, size, 0);
      if (n > 0) {
        *got = static_cast<std::size_t>(n);
        return 1;
      }
      if (n == 0) {
        s.peer_eof_ = true;
        BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        s.socket_may_have_data_ = false;
        BIO_set_retry_read(bio);
      }
      return 0;
    }
  }

  static int write(BIO* bio, const char* in, std::size_t size, std::size_t* put) {
    TlsStream& s = stream(bio);
    BIO_clear_retry_flags(bio);
    *put = 0;
    for (;;) {
      // MSG_NOSIGNAL: a peer that is gone is an error here, never SIGPIPE.
      const ssize_t n = ::send(s.socket_.native_handle(), in, size, MSG_NOSIGNAL);
      if (n >= 0) {
        *put = static_cast<std::size_t>(n);
        return 1;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
      return 0;
    }
  }

  static long control(BIO* bio, int command, long /*number*/, void* /*pointer*/) {
    TlsStream& s = stream(bio);
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_EOF:
        return s.peer_eof_ && s.waiting_begin_ == s.waiting_end_ ? 1 : 0;
      case BIO_CTRL_PENDING:
        return static_cast<long>(s.waiting_end_ - s.waiting_begin_);
      default:
        return 0;
    }
  }

  static const BIO_METHOD* method() {
    static const std::unique_ptr<BIO_METHOD, BioMethodDeleter> kMethod = [] {
      std::unique_ptr<BIO_METHOD, BioMethodDeleter> m(
          BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sotto TlsStream"));
      if (!m || BIO_meth_set_read_ex(m.get(), read) != 1 || BIO_meth_set_write_ex(m.get(), write) != 1 ||
          BIO_meth_set_ctrl(m.get(), control) != 1) {
        throw TlsError(openssl_reason("cannot create the TLS stream's BIO method"));
      }
      return m;
    }();
    return kMethod.get();
  }
};

TlsStream::TlsStream(tcp::socket socket, SSL_CTX* ctx, Role role) : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  if (!ssl_) throw TlsError(openssl_reason("cannot create a TLS connection"));
  socket_.non_blocking(true);
  BIO* bio = BIO_new(TlsStreamBio::method());
  if (bio == nullptr) throw TlsError(openssl_reason("cannot attach socket"));
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it from here (one reference for both directions)
  // Without read-ahead OpenSSL reads each record with two reads (its 5-byte
  // header, then the rest); with it, one read takes whatever has arrived,
  // often several records. Safe here because read_some always calls SSL_read
  // until it wants more before waiting on the socket, so nothing sits unread
  // in OpenSSL's buffer while the coroutine waits.
  SSL_set_read_ahead(ssl_.get(), 1);
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
}

Awaitable<bool> TlsStream::settle(int ret, bool* peer_closed) {
  if (ret > 0) co_return true;
  const int err = SSL_get_error(ssl_.get(), ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      co_await wait_readable();
      co_return false;
    case SSL_ERROR_WANT_WRITE:
      co_await socket_.async_wait(tcp::socket::wait_write, asio::use_awaitable);
      co_return false;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      if (peer_closed != nullptr) {
        *peer_closed = true;
        co_return true;
      }
      throw TlsError("the peer closed the connection");
    case SSL_ERROR_SYSCALL:
      // EOF without close_notify, or a socket error.
      if (peer_closed != nullptr && ERR_peek_error() == 0) {
        ERR_clear_error();
        *peer_closed = true;
        co_return true;
      }
      throw TlsError(openssl_reason(errno != 0 ? "connection error" : "connection closed"));
    default:
      throw TlsError(openssl_reason("TLS error"));
  }
}

Awaitable<void> TlsStream::wait_readable() {
  boost::system::error_code error;
  const std::size_t n =
      co_await socket_.async_read_some(asio::buffer(wait_buffer_), asio::redirect_error(asio::use_awaitable, error));
  if (error == asio::error::eof) {
    peer_eof_ = true;  // OpenSSL learns it from the BIO, as from a read of its own
    co_return;
  }
  // Closed or cancelled here: what async_wait threw before.
  if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) {
    throw boost::system::system_error(error);
  }
  if (error) {
    // A reset and the like: OpenSSL sees the errno from its next read and
    // reports it as it would have from a read of its own.
    read_errno_ = error.category() == boost::system::system_category() ? error.value() : EIO;
    co_return;
  }
  waiting_begin_ = 0;
  waiting_end_ = n;
  // A full buffer may have left more behind: let OpenSSL read the rest itself.
  socket_may_have_data_ = n == wait_buffer_.size();
}

Awaitable<void> TlsStream::handshake() {
  for (;;) {
    ERR_clear_error();
    const int ret = SSL_do_handshake(ssl_.get());
    if (co_await settle(ret, nullptr)) co_return;
  }
}

Awaitable<std::size_t> TlsStream::read_some(std::span<std::uint8_t> out) {
  for (;;) {
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_.get(), out.data(), out.size(), &n);
    bool closed = false;
    if (co_await settle(ret, &closed)) co_return closed ? 0 : n;
  }
}

Awaitable<void> TlsStream::write_all(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_write_ex(ssl_.get(), data.data(), data.size(), &n);
    if (co_await settle(ret, nullptr)) data = data.subspan(n);
  }
}

void TlsStream::shutdown_send() {
  if (!socket_.is_open()) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

void TlsStream::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace sotto::net
