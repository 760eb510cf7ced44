#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "lib/version/version.h"

namespace sotto::relayd {

// Own enums rather than the config's, so sessions do not depend on YAML types.
enum class RegistrationPolicy { kOpen, kInvite, kClosed };
enum class PresencePolicy { kEveryone, kNobody };

// What a session needs to know at run time, taken from RelayConfig by main().
// Kept apart from the config struct so sessions do not depend on YAML.
struct ServerSettings {
  std::uint32_t max_frame_size = 1u << 20;          // bytes (DESIGN.md default)
  std::chrono::milliseconds auth_timeout{10'000};   // connect → authenticated
  std::chrono::milliseconds idle_timeout{90'000};   // no frame from an authenticated client
  std::chrono::milliseconds shutdown_grace{5'000};  // SIGTERM → every session closed
  std::chrono::milliseconds token_lifetime{90LL * 24 * 3600 * 1000};
  std::chrono::milliseconds queue_ttl{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds queue_max_ttl{30LL * 24 * 3600 * 1000};
  // A finished blob lives blob_ttl from its BlobEnd; an unfinished upload
  // blob_upload_window from its last BlobBegin or BlobChunk.
  std::chrono::milliseconds blob_ttl{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds blob_upload_window{24LL * 3600 * 1000};
  std::uint64_t queue_max_envelopes = 10'000;    // per recipient
  std::uint64_t queue_max_bytes = 100ull << 20;  // per recipient
  std::uint64_t blob_max_size = 100ull << 20;
  std::uint64_t blob_quota = 1ull << 30;  // per user
  std::uint32_t max_recipients = 1000;
  std::uint32_t prekey_low_mark = 20;
  RegistrationPolicy registration = RegistrationPolicy::kOpen;
  PresencePolicy presence = PresencePolicy::kEveryone;
  std::uint32_t argon2_memory_kib = 19456;  // OWASP minimum for Argon2id
  std::uint32_t argon2_iterations = 2;
  std::uint32_t argon2_parallelism = 1;
  // A session's outgoing queue above this stops live pushes until it drains;
  // the envelopes stay in the store and are re-read (bounded memory per client).
  std::size_t max_pending_write_bytes = 4u << 20;
  std::string server_name = std::string("relayd/") + sotto::kVersion;
};

}  // namespace sotto::relayd
