// Feeds arbitrary bytes to RatchetSession::deserialize, the loader of stored
// session state (docs/crypto.md, "Session state serialization"). Properties:
//  - it accepts exactly the blobs that are well formed by that document, as
//    judged by the independent reading below (envelope, version 1 or 2, every
//    count and skipped-key time against its bound, the consistency rules, no
//    skipped key twice);
//  - what it accepts serializes to the same bytes in version 2, and to the
//    version-2 form of the same state in version 1, with every skipped key
//    stamped with the load time (serialize() runs outside the try, so a
//    CryptoError there fails the run: a state the loader accepts must be one
//    the writer can store), and reports a received message exactly when the
//    blob holds a receiving chain;
//  - expiry at the load time leaves no key stamped later than it (a hostile
//    future time is re-stamped), and expiry one maximum age and a second
//    later leaves no key at all.
// Random edits almost never keep the SHA-256 checksum right, so each input is
// also tried with its last 32 bytes replaced by the right checksum: that is
// how the edits reach the field parser. Refusal must be a CryptoError; any
// other exception escapes and fails the run.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sha256.h"
#include "tests/fuzz/stored_blob_oracle.h"

namespace {

using sotto::fuzz::checksum_is_right;
using sotto::fuzz::kChecksumSize;
using sotto::fuzz::kMagicSize;
using sotto::fuzz::kOverhead;
using sotto::fuzz::same;
using sotto::fuzz::with_right_checksum;

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;

// docs/crypto.md, "Stored forms" and "Session state serialization".
constexpr std::size_t kKeySize = 32;
constexpr std::uint32_t kMaxAssociatedData = 640;
constexpr std::uint32_t kMaxRetiredKeys = 32;
constexpr std::uint32_t kMaxSkippedKeys = 2000;
constexpr std::uint8_t kVersionWithoutKeyTimes = 1;
constexpr std::uint8_t kVersion = 2;
constexpr std::size_t kSkippedEntrySizeV1 = kKeySize + 4 + kKeySize;  // ratchet key, N, message key
constexpr std::size_t kTimeSize = 8;                                  // version 2: u64 seconds, stored at
constexpr std::uint64_t kLatestKeyTime = 253402300799;                // 9999-12-31T23:59:59Z
// When this target loads and expires states: 2024-06-01T00:00:00Z.
constexpr std::uint64_t kLoadTime = 1717200000;
constexpr std::uint64_t kMaxAgeSeconds = 30 * 24 * 60 * 60;
constexpr std::uint32_t kHasRemoteKey = 0x01;
constexpr std::uint32_t kHasSendingChain = 0x02;
constexpr std::uint32_t kHasReceivingChain = 0x04;

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "ratchet_state_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

// What the document says a well-formed body is, read field by field, and
// what a loader accepting it must write back: the version-2 body of the same
// state, a version-1 body's skipped keys stamped with kLoadTime.
struct BodyVerdict {
  bool valid = false;
  bool has_receiving_chain = false;
  Bytes version_2_body;
  std::vector<std::uint64_t> skipped_key_times;  // as written back, oldest first
};

void put_u64(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

BodyVerdict judge_body(ByteView body, std::uint8_t version) {
  std::size_t at = 0;
  const auto has = [&](std::size_t n) { return body.size() - at >= n; };
  // Big-endian unsigned of n bytes; the caller has checked has(n).
  const auto take = [&](std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | body[at + i];
    at += n;
    return v;
  };
  BodyVerdict invalid;

  if (!has(2)) return invalid;
  const std::uint64_t ad_size = take(2);
  if (ad_size > kMaxAssociatedData || !has(ad_size + 2 * kKeySize + 1)) return invalid;
  at += ad_size + 2 * kKeySize;  // AD, root key, DHs private key
  const std::uint64_t flags = take(1);
  if ((flags & ~std::uint64_t{kHasRemoteKey | kHasSendingChain | kHasReceivingChain}) != 0) return invalid;
  const bool remote = flags & kHasRemoteKey;
  const bool sending = flags & kHasSendingChain;
  const bool receiving = flags & kHasReceivingChain;
  const std::size_t optional_size = kKeySize * (std::size_t{remote} + sending + receiving);
  if (!has(optional_size + 3 * 4 + 1)) return invalid;
  at += optional_size;
  const std::uint64_t send_count = take(4);
  const std::uint64_t receive_count = take(4);
  const std::uint64_t previous_send_count = take(4);
  if (receiving && !remote) return invalid;
  if (!sending && (send_count != 0 || previous_send_count != 0)) return invalid;
  if (!receiving && receive_count != 0) return invalid;
  const std::uint64_t retired = take(1);
  if (retired > kMaxRetiredKeys || !has(retired * kKeySize + 2)) return invalid;
  at += retired * kKeySize;
  const std::uint64_t skipped = take(2);
  const std::size_t entry_size = kSkippedEntrySizeV1 + (version == kVersion ? kTimeSize : 0);
  if (skipped > kMaxSkippedKeys || body.size() - at != skipped * entry_size) return invalid;

  BodyVerdict verdict{true, receiving, Bytes(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(at)), {}};
  // (ratchet key, N) of each entry. A fixed-size key: comparing
  // variable-length vectors here makes g++ 12 at -O2 and above report a
  // bogus -Wstringop-overread inside std::set's memcmp (its range analysis
  // loses the length bound), while arrays compare with a constant length.
  using EntryId = std::array<std::uint8_t, kKeySize + 4>;
  std::set<EntryId> seen;
  for (std::uint64_t i = 0; i < skipped; ++i) {
    EntryId id{};
    std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(at), id.size(), id.begin());
    if (!seen.insert(id).second) return invalid;
    const auto entry_begin = body.begin() + static_cast<std::ptrdiff_t>(at);
    verdict.version_2_body.insert(verdict.version_2_body.end(), entry_begin,
                                  entry_begin + static_cast<std::ptrdiff_t>(kSkippedEntrySizeV1));
    at += kSkippedEntrySizeV1;
    std::uint64_t stored_at = kLoadTime;
    if (version == kVersion) {
      stored_at = take(kTimeSize);
      if (stored_at > kLatestKeyTime) return invalid;
    }
    put_u64(verdict.version_2_body, stored_at);
    verdict.skipped_key_times.push_back(stored_at);
  }
  return verdict;
}

BodyVerdict judge_blob(ByteView blob) {
  if (blob.size() < kOverhead || !same(blob.first(kMagicSize), sotto::crypto::as_bytes("SORS")) ||
      !checksum_is_right(blob)) {
    return {};
  }
  const std::uint8_t version = blob[kMagicSize];
  if (version != kVersionWithoutKeyTimes && version != kVersion) return {};
  return judge_body(blob.subspan(kMagicSize + 1, blob.size() - kOverhead), version);
}

// The stored form of a version-2 body, envelope and checksum included.
Bytes version_2_blob(const Bytes& body) {
  Bytes blob = {'S', 'O', 'R', 'S', kVersion};
  blob.insert(blob.end(), body.begin(), body.end());
  blob.resize(blob.size() + kChecksumSize);
  return with_right_checksum(blob);
}

sotto::crypto::SkippedKeyExpiry expiry_at(std::uint64_t seconds_since_epoch) {
  return sotto::crypto::SkippedKeyExpiry(
      std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(seconds_since_epoch))));
}

void check_loader(ByteView blob) {
  const BodyVerdict verdict = judge_blob(blob);
  std::optional<sotto::crypto::RatchetSession> session;
  try {
    session.emplace(sotto::crypto::RatchetSession::deserialize(
        blob, std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(kLoadTime)))));
  } catch (const sotto::crypto::CryptoError&) {
    check(!verdict.valid, "a well-formed session state loads");
    return;
  }
  check(verdict.valid, "only a well-formed session state loads");
  const Bytes expected = version_2_blob(verdict.version_2_body);
  check(same(session->serialize().view(), expected),
        "a loaded session serializes to the same state in version 2 (version-1 keys stamped with the load time)");
  check(session->has_received_message() == verdict.has_receiving_chain,
        "a loaded session has received a message exactly when it holds a receiving chain");

  session->expire_skipped_keys(expiry_at(kLoadTime));
  const BodyVerdict after_first_pass = judge_blob(session->serialize().view());
  check(after_first_pass.valid, "a state after expiry is well formed");
  for (std::uint64_t t : after_first_pass.skipped_key_times) {
    check(t <= kLoadTime, "after an expiry pass no skipped key is stamped in the future");
  }
  session->expire_skipped_keys(expiry_at(kLoadTime + kMaxAgeSeconds + 1));
  const BodyVerdict after_max_age = judge_blob(session->serialize().view());
  check(after_max_age.valid && after_max_age.skipped_key_times.empty(),
        "one maximum age after the first pass, every skipped key has expired");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_loader(input);
  const Bytes repaired = with_right_checksum(input);
  if (!same(repaired, input)) check_loader(repaired);
  return 0;
}
