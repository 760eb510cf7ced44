#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "relayd/store/store.h"

// Records the store tests share (store_conformance_test.cc,
// sqlite_store_test.cc, postgres_store_test.cc).
namespace sotto::relayd::testdata {

inline constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
inline constexpr std::int64_t kHour = 3'600'000;         // ms
inline constexpr QueueLimits kRoomy{.max_envelopes = 1000, .max_bytes = 1 << 20};
inline constexpr BlobLimits kBlobLimits{.max_blob_bytes = 1000, .quota_bytes = 2500};

inline crypto::Bytes bytes(std::size_t size, std::uint8_t fill) { return crypto::Bytes(size, fill); }

inline Sha256Hash hash(std::uint8_t n) {
  Sha256Hash h{};
  h.fill(n);
  return h;
}

inline MessageId message_id(std::uint8_t n) {
  MessageId id{};
  id.fill(n);
  return id;
}

inline UserRecord user(const std::string& name) {
  return UserRecord{name, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                    IdentityKey{bytes(32, 1), bytes(32, 2), bytes(64, 3)}, kNow};
}

inline PendingSend send(const std::string& sender, std::uint8_t id, std::vector<std::string> recipients,
                        std::size_t size = 100) {
  return PendingSend{sender, message_id(id), std::move(recipients), bytes(size, id), kNow, kNow + kHour};
}

}  // namespace sotto::relayd::testdata
