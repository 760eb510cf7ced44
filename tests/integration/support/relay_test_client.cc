#include "tests/integration/support/relay_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

#include "lib/crypto/sha256.h"

namespace sotto::testing {

RelayTestClient::RelayTestClient(std::uint16_t port, Options options)
    : ctx_(SSL_CTX_new(TLS_client_method())), options_(options) {
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_max_proto_version(ctx_.get(), options.max_tls_version);
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (options.ipv6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(addr);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = in6addr_loopback;
    addr_len = sizeof in6;
  } else {
    auto& in4 = reinterpret_cast<sockaddr_in&>(addr);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr_len = sizeof in4;
  }
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (!options.source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (options.ipv6 || ::inet_pton(AF_INET, options.source_address.c_str(), &source.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("cannot connect from " + options.source_address);
    }
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("cannot connect to relayd");
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{static_cast<time_t>(options.timeout.count() / 1000),
             static_cast<suseconds_t>((options.timeout.count() % 1000) * 1000)};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ssl_.reset(SSL_new(ctx_.get()));
  SSL_set_fd(ssl_.get(), fd_);
  if (SSL_connect(ssl_.get()) == 1) {
    handshake_ok_ = true;
  } else {
    std::array<char, 256> buf{};
    ERR_error_string_n(ERR_get_error(), buf.data(), buf.size());
    handshake_error_ = buf.data();
    ERR_clear_error();
  }
}

RelayTestClient::~RelayTestClient() {
  ssl_.reset();
  if (fd_ >= 0) ::close(fd_);
}

void RelayTestClient::send_raw(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    std::size_t n = 0;
    if (SSL_write_ex(ssl_.get(), bytes.data() + off, bytes.size() - off, &n) != 1) {
      ERR_clear_error();
      throw std::runtime_error("TLS write failed");
    }
    off += n;
  }
}

void RelayTestClient::send(wire::Frame frame) {
  if (frame.request_id() == 0) frame.set_request_id(next_id_++);
  send_raw(wire::encode_frame(frame, 16u << 20));
}

std::optional<wire::Frame> RelayTestClient::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (frames_.empty() && !closed_) {
    if (SSL_pending(ssl_.get()) == 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    }
    std::array<std::uint8_t, 16384> buf{};
    std::size_t n = 0;
    if (SSL_read_ex(ssl_.get(), buf.data(), buf.size(), &n) != 1) {
      ERR_clear_error();
      closed_ = true;
      break;
    }
    auto result = decoder_.feed(std::span<const std::uint8_t>(buf.data(), n));
    for (auto& f : result.frames) frames_.push_back(std::move(f));
  }
  if (frames_.empty()) return std::nullopt;
  wire::Frame f = std::move(frames_.front());
  frames_.pop_front();
  return f;
}

wire::Frame RelayTestClient::request(wire::Frame frame) {
  if (frame.request_id() == 0) frame.set_request_id(next_id_++);
  const auto id = frame.request_id();
  send(frame);
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = read_frame(left);
    if (!f) throw std::runtime_error("no response to request " + std::to_string(id));
    if (f->request_id() == id) return *f;
    if (f->request_id() == 0 && f->body_case() != wire::Frame::kError) {
      pushes_.push_back(std::move(*f));
      continue;
    }
    if (f->body_case() == wire::Frame::kError) return *f;  // a connection-level error
  }
}

std::optional<wire::Frame> RelayTestClient::next_push(std::chrono::milliseconds timeout) {
  if (!pushes_.empty()) {
    wire::Frame f = std::move(pushes_.front());
    pushes_.pop_front();
    return f;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = read_frame(left);
    // Answers to fire-and-forget requests (Ok for a DeliverAck) are not pushes.
    if (f && f->request_id() != 0 && f->body_case() == wire::Frame::kOk) continue;
    return f;
  }
}

std::optional<wire::Frame> RelayTestClient::next_delivery(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = next_push(left);
    if (!f || f->body_case() == wire::Frame::kDeliver) return f;
  }
}

bool RelayTestClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    (void)read_frame(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  }
  return closed_;
}

std::string RelayTestClient::peer_fingerprint() const {
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl_.get()), &X509_free);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return {};
  const auto digest = crypto::sha256(crypto::ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return "sha256:" + crypto::to_hex(digest);
}

void RelayTestClient::hello() {
  wire::Frame f;
  f.mutable_hello()->set_protocol_version(1);
  f.mutable_hello()->set_client("relay-test-client");
  const auto reply = request(f);
  if (reply.body_case() != wire::Frame::kHelloOk) throw std::runtime_error("Hello refused");
}

wire::IdentityKey RelayTestClient::Identity::to_wire() const {
  wire::IdentityKey k;
  const auto& dh_pub = dh.public_key();
  const auto sig = signing.sign(dh_pub);
  k.set_signing_key(std::string(signing.public_key().begin(), signing.public_key().end()));
  k.set_dh_key(std::string(dh_pub.begin(), dh_pub.end()));
  k.set_signature(std::string(sig.begin(), sig.end()));
  return k;
}

wire::Frame RelayTestClient::register_user(const std::string& username, const std::string& password,
                                           const Identity& identity, const std::string& invite) {
  wire::Frame f;
  auto* r = f.mutable_register_();
  r->set_username(username);
  r->set_password(password);
  *r->mutable_identity() = identity.to_wire();
  r->set_invite_code(invite);
  r->set_device_name("test");
  return request(f);
}

wire::Frame RelayTestClient::login(const std::string& username, const std::string& password) {
  wire::Frame f;
  f.mutable_login()->set_username(username);
  f.mutable_login()->set_password(password);
  f.mutable_login()->set_device_name("test");
  return request(f);
}

wire::Frame RelayTestClient::resume(const std::string& token) {
  wire::Frame f;
  f.mutable_resume()->set_token(token);
  return request(f);
}

wire::Frame RelayTestClient::send_envelope(const std::string& message_id, const std::vector<std::string>& recipients,
                                           const std::string& envelope) {
  wire::Frame f;
  auto* s = f.mutable_send();
  s->set_message_id(message_id);
  for (const auto& r : recipients) s->add_recipients(r);
  s->set_envelope(envelope);
  return request(f);
}

void RelayTestClient::ack(std::uint64_t delivery_id) {
  wire::Frame f;
  f.mutable_deliver_ack()->add_delivery_ids(delivery_id);
  send(f);
}

std::string test_message_id(std::uint64_t n) {
  std::string id(16, '\0');
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<char>((n >> (8 * i)) & 0xff);
  id[0] = 'T';
  return id;
}

}  // namespace sotto::testing
