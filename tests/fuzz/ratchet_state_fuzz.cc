// Feeds arbitrary bytes to RatchetSession::deserialize, the loader of stored
// session state (docs/crypto.md, "Session state serialization"). Properties:
//  - it accepts exactly the blobs that are well formed by that document, as
//    judged by the independent reading below (envelope, every count against
//    its bound, the consistency rules, no skipped key twice);
//  - what it accepts serializes back to the same bytes (serialize() runs
//    outside the try, so a CryptoError there fails the run: a state the
//    loader accepts must be one the writer can store), and reports a
//    received message exactly when the blob holds a receiving chain.
// Random edits almost never keep the SHA-256 checksum right, so each input is
// also tried with its last 32 bytes replaced by the right checksum: that is
// how the edits reach the field parser. Refusal must be a CryptoError; any
// other exception escapes and fails the run.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>

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
using sotto::fuzz::kVersion;
using sotto::fuzz::same;
using sotto::fuzz::with_right_checksum;

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;

// docs/crypto.md, "Stored forms" and "Session state serialization".
constexpr std::size_t kKeySize = 32;
constexpr std::uint32_t kMaxAssociatedData = 640;
constexpr std::uint32_t kMaxRetiredKeys = 32;
constexpr std::uint32_t kMaxSkippedKeys = 2000;
constexpr std::size_t kSkippedEntrySize = kKeySize + 4 + kKeySize;  // ratchet key, N, message key
constexpr std::uint32_t kHasRemoteKey = 0x01;
constexpr std::uint32_t kHasSendingChain = 0x02;
constexpr std::uint32_t kHasReceivingChain = 0x04;

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "ratchet_state_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

// What the document says a well-formed body is, read field by field.
struct BodyVerdict {
  bool valid = false;
  bool has_receiving_chain = false;
};

BodyVerdict judge_body(ByteView body) {
  std::size_t at = 0;
  const auto has = [&](std::size_t n) { return body.size() - at >= n; };
  // Big-endian unsigned of n bytes; the caller has checked has(n).
  const auto take = [&](std::size_t n) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | body[at + i];
    at += n;
    return v;
  };
  BodyVerdict invalid;

  if (!has(2)) return invalid;
  const std::uint32_t ad_size = take(2);
  if (ad_size > kMaxAssociatedData || !has(ad_size + 2 * kKeySize + 1)) return invalid;
  at += ad_size + 2 * kKeySize;  // AD, root key, DHs private key
  const std::uint32_t flags = take(1);
  if ((flags & ~(kHasRemoteKey | kHasSendingChain | kHasReceivingChain)) != 0) return invalid;
  const bool remote = flags & kHasRemoteKey;
  const bool sending = flags & kHasSendingChain;
  const bool receiving = flags & kHasReceivingChain;
  const std::size_t optional_size = kKeySize * (std::size_t{remote} + sending + receiving);
  if (!has(optional_size + 3 * 4 + 1)) return invalid;
  at += optional_size;
  const std::uint32_t send_count = take(4);
  const std::uint32_t receive_count = take(4);
  const std::uint32_t previous_send_count = take(4);
  if (receiving && !remote) return invalid;
  if (!sending && (send_count != 0 || previous_send_count != 0)) return invalid;
  if (!receiving && receive_count != 0) return invalid;
  const std::uint32_t retired = take(1);
  if (retired > kMaxRetiredKeys || !has(retired * kKeySize + 2)) return invalid;
  at += retired * kKeySize;
  const std::uint32_t skipped = take(2);
  if (skipped > kMaxSkippedKeys || body.size() - at != skipped * kSkippedEntrySize) return invalid;
  // (ratchet key, N) of each entry. A fixed-size key: comparing
  // variable-length vectors here makes g++ 12 at -O2 and above report a
  // bogus -Wstringop-overread inside std::set's memcmp (its range analysis
  // loses the length bound), while arrays compare with a constant length.
  using EntryId = std::array<std::uint8_t, kKeySize + 4>;
  std::set<EntryId> seen;
  for (std::uint32_t i = 0; i < skipped; ++i, at += kSkippedEntrySize) {
    EntryId id{};
    std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(at), id.size(), id.begin());
    if (!seen.insert(id).second) return invalid;
  }
  return {true, receiving};
}

BodyVerdict judge_blob(ByteView blob) {
  if (blob.size() < kOverhead || !same(blob.first(kMagicSize), sotto::crypto::as_bytes("SORS")) ||
      !checksum_is_right(blob) || blob[kMagicSize] != kVersion) {
    return {};
  }
  return judge_body(blob.subspan(kMagicSize + 1, blob.size() - kOverhead));
}

void check_loader(ByteView blob) {
  const BodyVerdict verdict = judge_blob(blob);
  std::optional<sotto::crypto::RatchetSession> session;
  try {
    session.emplace(sotto::crypto::RatchetSession::deserialize(blob));
  } catch (const sotto::crypto::CryptoError&) {
    check(!verdict.valid, "a well-formed session state loads");
    return;
  }
  check(verdict.valid, "only a well-formed session state loads");
  check(same(session->serialize().view(), blob), "a loaded session serializes to the same bytes");
  check(session->has_received_message() == verdict.has_receiving_chain,
        "a loaded session has received a message exactly when it holds a receiving chain");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_loader(input);
  const Bytes repaired = with_right_checksum(input);
  if (!same(repaired, input)) check_loader(repaired);
  return 0;
}
