#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lib/crypto/skipped_key_expiry.h"

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
  // How long a skipped message key is kept for a message that has not arrived
  // (lib/crypto/skipped_key_expiry.h).
  std::chrono::seconds skipped_key_max_age = crypto::kDefaultSkippedKeyMaxAge;
  // The most members a group created or grown here may have (2..1000), and
  // the most groups this user may be in at once (creating and being added).
  std::size_t group_max_members = 1000;
  std::size_t max_groups = 500;
};

// The range msgd.yaml accepts for skipped_key_max_age. An hour at least: a
// shorter life would refuse messages that are merely late (a peer briefly
// offline, a relay restart). A year at most, like the relay's longest
// envelope lifetime (queue.max_ttl): a key kept longer has no message left
// that could still arrive.
inline constexpr std::chrono::seconds kMinSkippedKeyMaxAge = std::chrono::hours(1);
inline constexpr std::chrono::seconds kMaxSkippedKeyMaxAge = std::chrono::days(365);

// Throw config::ConfigError ("FILE:LINE:COL: key: problem").
MsgdConfig load_msgd_config(const std::filesystem::path& path);
MsgdConfig parse_msgd_config(std::string_view text, std::string_view name);

}  // namespace sotto::msgd
