#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sotto::relayd {

// Where relayd's files are, after --config / --state-dir are applied.
struct StatePaths {
  std::filesystem::path state_dir;
  std::filesystem::path blobs;  // blobs.dir; empty: state_dir/blobs
  std::filesystem::path database() const { return state_dir / "relayd.db"; }
  std::filesystem::path blob_dir() const { return blobs.empty() ? state_dir / "blobs" : blobs; }
  std::filesystem::path tls_dir() const { return state_dir / "tls"; }
  std::filesystem::path default_certificate() const { return tls_dir() / "cert.pem"; }
  std::filesystem::path default_private_key() const { return tls_dir() / "key.pem"; }
};

// Exit codes shared by every relayd command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace sotto::relayd
