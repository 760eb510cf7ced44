#include "relayd/admin/tls_files.h"

namespace sotto::relayd {

TlsFiles resolve_tls_files(const TlsConfig& tls, const StatePaths& paths,
                           const std::optional<std::filesystem::path>& credentials_dir) {
  if (credentials_dir && std::filesystem::exists(*credentials_dir / kTlsKeyCredential)) {
    TlsFiles files;
    files.private_key = *credentials_dir / kTlsKeyCredential;
    files.key_from_credential = true;
    if (std::filesystem::exists(*credentials_dir / kTlsCertificateCredential)) {
      files.certificate = *credentials_dir / kTlsCertificateCredential;
    } else if (!tls.certificate.empty()) {
      files.certificate = tls.certificate;
    } else {
      files.certificate = paths.default_certificate();
    }
    return files;
  }
  if (!tls.generate_self_signed()) return TlsFiles{tls.certificate, tls.private_key, false, false};
  return TlsFiles{paths.default_certificate(), paths.default_private_key(), false, true};
}

}  // namespace sotto::relayd
