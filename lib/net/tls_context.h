#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <string>

namespace sotto::net {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TLS 1.3 only (1.2 and lower are refused at the handshake), the three
// TLS 1.3 suites with AES-256 first, groups X25519 then P-256, no session
// tickets or compression, and SSL_MODE_RELEASE_BUFFERS so that an idle
// connection holds no record buffers.
SslCtxPtr make_server_context(const std::filesystem::path& certificate_pem, const std::filesystem::path& key_pem);

// The client side. The relay's certificate is self-signed by default, so trust
// comes from pinning its SHA-256 fingerprint (checked after the handshake by
// the caller with peer_certificate_fingerprint), not from a CA.
SslCtxPtr make_client_context();

// Creates a self-signed P-256 certificate and key at the given paths (key file
// 0600, written atomically) unless both already exist. Returns true if created.
bool ensure_self_signed_certificate(const std::filesystem::path& certificate_pem, const std::filesystem::path& key_pem,
                                    const std::string& common_name);

// "sha256:<64 hex digits>" of the DER encoding of a certificate.
std::string certificate_fingerprint(const std::filesystem::path& certificate_pem);
std::string peer_certificate_fingerprint(SSL* ssl);

}  // namespace sotto::net
