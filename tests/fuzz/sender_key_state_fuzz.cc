// Feeds arbitrary bytes to the sender-key loaders: SenderKeyChain::deserialize
// (stored "SOGS"), SenderKeyReceiver::deserialize ("SOGR") and
// parse_sender_key_distribution, and merges every distribution that parses
// into a receiver. Properties (docs/crypto.md, "Groups: sender keys"):
//  - each loader accepts exactly the inputs that are well formed by that
//    document, as judged by the independent reading below (envelope, sizes,
//    the skipped-key count against its bound and the bytes present, skipped
//    iterations strictly increasing and below the next iteration);
//  - what a loader accepts serializes back to the same bytes (outside the
//    try, so a CryptoError there fails the run: a state the loader accepts
//    must be one the writer can store), and reports the fields it holds;
//  - merge_distribution never moves a receiver back: it refuses and changes
//    nothing, or leaves the receiver at max(its iteration, the
//    distribution's), and within MAX_SKIP only for the chain key the
//    receiver's own chain leads to.
// Random edits almost never keep the SHA-256 checksum right, so each input is
// also tried with its last 32 bytes replaced by the right checksum. Refusal
// must be a CryptoError; any other exception escapes and fails the run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_receiver.h"
#include "tests/fuzz/sender_key_fixture.h"
#include "tests/fuzz/stored_blob_oracle.h"

namespace {

using sotto::fuzz::checksum_is_right;
using sotto::fuzz::kMagicSize;
using sotto::fuzz::kOverhead;
using sotto::fuzz::kVersion;
using sotto::fuzz::same;
using sotto::fuzz::with_right_checksum;

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;
using sotto::crypto::SecretBytes;
using sotto::crypto::SenderKeyReceiver;

// docs/crypto.md, "Groups: sender keys".
constexpr std::size_t kGroupIdBytes = 16;
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kChainBody = kGroupIdBytes + 4 + 4 + kKeyBytes + kKeyBytes;          // 88
constexpr std::size_t kReceiverFixed = kGroupIdBytes + 4 + 4 + kKeyBytes + kKeyBytes + 2;  // 90
constexpr std::size_t kReceiverEntry = 4 + kKeyBytes;
constexpr std::uint32_t kMaxStoredKeys = 2000;
constexpr std::uint32_t kMaxSkipAhead = 1000;
constexpr std::size_t kDistributionBytes = 1 + kGroupIdBytes + 4 + 4 + kKeyBytes + kKeyBytes;  // 89

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "sender_key_state_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

std::uint32_t be_at(ByteView in, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v << 8 | in[at + i];
  return v;
}

// The body of a blob with the given magic, version 1 and a right checksum.
std::optional<ByteView> judged_body(ByteView blob, std::string_view magic) {
  if (blob.size() < kOverhead || !same(blob.first(kMagicSize), sotto::crypto::as_bytes(magic)) ||
      !checksum_is_right(blob) || blob[kMagicSize] != kVersion) {
    return std::nullopt;
  }
  return blob.subspan(kMagicSize + 1, blob.size() - kOverhead);
}

bool receiver_body_is_valid(ByteView body) {
  if (body.size() < kReceiverFixed) return false;
  const std::uint32_t next = be_at(body, kGroupIdBytes + 4, 4);
  const std::uint32_t count = be_at(body, kReceiverFixed - 2, 2);
  if (count > kMaxStoredKeys || body.size() - kReceiverFixed != count * kReceiverEntry) return false;
  std::uint64_t lowest = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t iteration = be_at(body, kReceiverFixed + i * kReceiverEntry, 4);
    if (iteration < lowest || iteration >= next) return false;
    lowest = std::uint64_t{iteration} + 1;
  }
  return true;
}

Bytes stored(const SecretBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

void check_chain_loader(ByteView blob) {
  const std::optional<ByteView> body = judged_body(blob, "SOGS");
  const bool valid = body && body->size() == kChainBody;
  std::optional<sotto::crypto::SenderKeyChain> chain;
  try {
    chain.emplace(sotto::crypto::SenderKeyChain::deserialize(blob));
  } catch (const sotto::crypto::CryptoError&) {
    check(!valid, "a well-formed sending chain loads");
    return;
  }
  check(valid, "only a well-formed sending chain loads");
  check(same(stored(chain->serialize()), blob), "a loaded sending chain serializes to the same bytes");
  check(same(chain->group_id(), body->first(kGroupIdBytes)), "the loaded chain has the stored group id");
  check(chain->key_id() == be_at(*body, kGroupIdBytes, 4), "the loaded chain has the stored key id");
  check(chain->iteration() == be_at(*body, kGroupIdBytes + 4, 4), "the loaded chain has the stored iteration");
}

void check_receiver_loader(ByteView blob) {
  const std::optional<ByteView> body = judged_body(blob, "SOGR");
  const bool valid = body && receiver_body_is_valid(*body);
  std::optional<SenderKeyReceiver> receiver;
  try {
    receiver.emplace(SenderKeyReceiver::deserialize(blob));
  } catch (const sotto::crypto::CryptoError&) {
    check(!valid, "a well-formed receiver state loads");
    return;
  }
  check(valid, "only a well-formed receiver state loads");
  check(same(stored(receiver->serialize()), blob), "a loaded receiver serializes to the same bytes");
  check(receiver->key_id() == be_at(*body, kGroupIdBytes, 4), "the loaded receiver has the stored key id");
  check(receiver->next_iteration() == be_at(*body, kGroupIdBytes + 4, 4),
        "the loaded receiver has the stored next iteration");
}

// The fixed chain's chain key at `iteration`, by stepping KDF_CK from CK_0.
SecretBytes fixed_chain_key_at(std::uint32_t iteration) {
  SecretBytes ck(sotto::fuzz::counting(0x00, kKeyBytes));
  for (std::uint32_t i = 0; i < iteration; ++i) ck = sotto::crypto::kdf_chain(ck.view()).chain_key;
  return ck;
}

void check_merge(const sotto::crypto::SenderKeyDistribution& d) {
  static const sotto::fuzz::Conversation conversation = sotto::fuzz::fixed_conversation();
  SenderKeyReceiver receiver = SenderKeyReceiver::deserialize(conversation.receiver_state);
  const Bytes before = stored(receiver.serialize());
  const std::uint32_t next = receiver.next_iteration();
  try {
    receiver.merge_distribution(d);
  } catch (const sotto::crypto::CryptoError&) {
    check(same(stored(receiver.serialize()), before), "a refused distribution leaves the receiver byte-identical");
    return;
  }
  check(d.iteration >= next, "a distribution never moves a receiver back");
  check(receiver.next_iteration() == d.iteration, "a merged distribution leaves the receiver at its iteration");
  check(d.group_id == receiver.group_id() && d.key_id == receiver.key_id(), "only the same chain merges");
  if (d.iteration - next <= kMaxSkipAhead) {
    check(d.chain_key == fixed_chain_key_at(d.iteration), "within MAX_SKIP only the chain's own key merges");
  }
}

void check_distribution_parser(ByteView in) {
  const bool valid = in.size() == kDistributionBytes && in[0] == 0x04;
  std::optional<sotto::crypto::SenderKeyDistribution> d;
  try {
    d.emplace(sotto::crypto::parse_sender_key_distribution(in));
  } catch (const sotto::crypto::CryptoError&) {
    check(!valid, "a well-formed distribution parses");
    return;
  }
  check(valid, "only a well-formed distribution parses");
  check(same(stored(sotto::crypto::encode_sender_key_distribution(*d)), in),
        "a parsed distribution encodes to the same bytes");
  check_merge(*d);
}

void check_all(ByteView in) {
  check_chain_loader(in);
  check_receiver_loader(in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_all(input);
  const Bytes repaired = with_right_checksum(input);
  if (!same(repaired, input)) check_all(repaired);
  check_distribution_parser(input);
  return 0;
}
