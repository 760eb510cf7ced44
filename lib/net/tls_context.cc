#include "lib/net/tls_context.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "lib/crypto/bytes.h"
#include "lib/crypto/openssl_handles.h"
#include "lib/crypto/sha256.h"

namespace sotto::net {

namespace {

using crypto::detail::Deleter;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = crypto::detail::PkeyPtr;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string msg = what;
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    msg += ": ";
    msg += buf.data();
  }
  throw TlsError(msg);
}

void common_settings(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    fail("cannot restrict TLS to version 1.3");
  }
  if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256") !=
      1) {
    fail("cannot set TLS 1.3 cipher suites");
  }
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1) fail("cannot set key exchange groups");
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  // RELEASE_BUFFERS frees the 16 KiB record buffers whenever they are empty:
  // what makes ten thousand idle connections affordable.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

X509Ptr read_certificate(const std::filesystem::path& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) fail("cannot open certificate " + path.string());
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("cannot read certificate " + path.string());
  return cert;
}

std::string fingerprint_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) fail("cannot encode certificate");
  const auto digest = crypto::sha256(crypto::ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return "sha256:" + crypto::to_hex(digest);
}

// Writes to a temporary file with the given mode and renames it into place,
// so that a crash never leaves a half-written key behind.
void write_file_atomically(const std::filesystem::path& path, const std::string& data, mode_t mode) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw TlsError("cannot create " + tmp.string());
  std::size_t off = 0;
  bool ok = ::fchmod(fd, mode) == 0;
  while (ok && off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ok = false;
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw TlsError("cannot write " + path.string());
  }
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

SslCtxPtr make_server_context(const std::filesystem::path& certificate_pem, const std::filesystem::path& key_pem) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) fail("cannot create TLS server context");
  common_settings(ctx.get());
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), certificate_pem.c_str()) != 1) {
    fail("cannot load certificate " + certificate_pem.string());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load private key " + key_pem.string());
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) fail("private key does not match the certificate");
  return ctx;
}

SslCtxPtr make_client_context() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) fail("cannot create TLS client context");
  common_settings(ctx.get());
  // Verification is by pin, done by the caller after the handshake.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  return ctx;
}

bool ensure_self_signed_certificate(const std::filesystem::path& certificate_pem, const std::filesystem::path& key_pem,
                                    const std::string& common_name) {
  if (std::filesystem::exists(certificate_pem) && std::filesystem::exists(key_pem)) return false;

  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("cannot generate a P-256 key");
  X509Ptr cert(X509_new());
  if (!cert) fail("cannot allocate a certificate");
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), serial.size()) != 1) fail("random generator failed");
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, Deleter<BN_free>> bn(BN_bin2bn(serial.data(), serial.size(), nullptr));
  const long ten_years = 10L * 365 * 24 * 3600;
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!bn || X509_set_version(cert.get(), 2) != 1 || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), ten_years) || X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    fail("cannot build the self-signed certificate");
  }

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    fail("cannot encode the certificate");
  }
  std::string key_text = bio_contents(key_bio.get());
  write_file_atomically(key_pem, key_text, 0600);
  OPENSSL_cleanse(key_text.data(), key_text.size());
  write_file_atomically(certificate_pem, bio_contents(cert_bio.get()), 0644);
  return true;
}

std::string certificate_fingerprint(const std::filesystem::path& certificate_pem) {
  return fingerprint_of(read_certificate(certificate_pem).get());
}

std::string peer_certificate_fingerprint(SSL* ssl) {
  X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) throw TlsError("the peer sent no certificate");
  return fingerprint_of(cert.get());
}

}  // namespace sotto::net
