#pragma once

#include <filesystem>
#include <optional>

#include "relayd/admin/admin_commands.h"
#include "relayd/config/relay_config.h"

namespace sotto::relayd {

// The systemd credential that may hold the TLS private key (and the one that
// may hold the certificate): LoadCredentialEncrypted=tls.key:FILE in the unit
// decrypts FILE (sealed with the TPM2 or the host key by `systemd-creds
// encrypt`) into a private, unswappable directory that only relayd can read,
// and names it in $CREDENTIALS_DIRECTORY. The key then never lies in clear on
// the disk; docs/operations.md shows the steps.
inline constexpr const char* kTlsKeyCredential = "tls.key";
inline constexpr const char* kTlsCertificateCredential = "tls.crt";

struct TlsFiles {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  bool key_from_credential = false;
  bool generate_if_missing = false;  // the self-signed pair in the state directory
};

// Where relayd takes its certificate and key from, in this order:
// - the credential tls.key, when $CREDENTIALS_DIRECTORY (credentials_dir)
//   holds it; the certificate then comes from the credential tls.crt, else
//   tls.certificate, else the state directory's generated one (which stays
//   there: a certificate is public). Nothing is generated: a key that is
//   missing must not be silently replaced by a new one, which would change
//   the fingerprint clients have pinned.
// - tls.certificate and tls.private_key from the configuration;
// - the self-signed pair in the state directory, generated on first start.
TlsFiles resolve_tls_files(const TlsConfig& tls, const StatePaths& paths,
                           const std::optional<std::filesystem::path>& credentials_dir);

}  // namespace sotto::relayd
