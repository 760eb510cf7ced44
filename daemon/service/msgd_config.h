#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::msgd {

// What msgd does when a peer's identity key is not the one it knew
// (signal-cli's --trust-new-identities).
enum class TrustPolicy {
  kOnFirstUse,  // the first key is trusted; a later change blocks sending until `msgctl trust`
  kAlways,      // every new key is trusted (a change is still reported)
  kNever,       // no key is trusted until the user verifies it
};
std::string_view to_string(TrustPolicy policy);

// msgd.yaml ($XDG_CONFIG_HOME/sotto/msgd.yaml). Flags override the file.
struct MsgdConfig {
  std::string relay;              // "host:port"; empty: not configured
  std::string relay_fingerprint;  // "sha256:<64 hex>" pinned up front; empty: accept-new
  TrustPolicy trust_new_identities = TrustPolicy::kOnFirstUse;
  std::string device_name = "msgd";
  std::filesystem::path data_dir;                 // empty: the XDG default
  std::filesystem::path socket;                   // empty: the XDG default
  std::uint64_t max_file_size = 100ull << 20;     // the largest file send_file takes
  std::uint64_t auto_download_max = 10ull << 20;  // received files up to this size download at once
  std::filesystem::path download_dir;             // empty: $XDG_DOWNLOAD_DIR, else ~/Downloads
  std::uint64_t transfer_rate_limit = 0;          // bytes per second per transfer; 0: as fast as it goes
};

// Throw config::ConfigError ("FILE:LINE:COL: key: problem").
MsgdConfig load_msgd_config(const std::filesystem::path& path);
MsgdConfig parse_msgd_config(std::string_view text, std::string_view name);

}  // namespace sotto::msgd
