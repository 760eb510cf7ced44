// Feeds arbitrary bytes to the three stored key loaders: IdentityKeyPair,
// SignedPrekeyPair and OneTimePrekeyPair::deserialize. docs/crypto.md
// ("Stored forms") fixes their format, magic || version || body || SHA-256,
// with a body of fixed size made only of raw keys, ids and a signature, so
// that any bytes of the right length are a valid body. Hence, for each loader:
//  - it accepts exactly the blobs with its size, magic, version 1 and a
//    correct checksum (judged here independently of lib/crypto's code), and
//  - what it accepts serializes back to the same bytes.
// Random edits almost never keep a SHA-256 correct, so each input is also
// tried with its last 32 bytes replaced by the right checksum: that is how the
// edits reach the body parsers. Refusal must be a CryptoError; any other
// exception escapes and fails the run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/error.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
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
using sotto::crypto::SecretBytes;

// docs/crypto.md, "Stored forms".
constexpr std::size_t kIdentityBody = 32 + 32;          // Ed25519 seed, X25519 private key
constexpr std::size_t kSignedPrekeyBody = 4 + 32 + 64;  // id, X25519 private key, signature
constexpr std::size_t kOneTimePrekeyBody = 4 + 32;      // id, X25519 private key

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "key_blob_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

std::uint32_t be32_at(ByteView in, std::size_t at) {
  return static_cast<std::uint32_t>(in[at]) << 24 | static_cast<std::uint32_t>(in[at + 1]) << 16 |
         static_cast<std::uint32_t>(in[at + 2]) << 8 | static_cast<std::uint32_t>(in[at + 3]);
}

bool is_valid_blob(ByteView blob, std::string_view magic, std::size_t body_size) {
  return blob.size() == kOverhead + body_size && same(blob.first(kMagicSize), sotto::crypto::as_bytes(magic)) &&
         blob[kMagicSize] == kVersion && checksum_is_right(blob);
}

// Loads blob with Load (which must throw CryptoError or return a key), and
// checks that it is accepted exactly when valid and then round-trips.
// inspect(key) checks what the loaded key says against the blob's bytes.
template <typename Key, typename Inspect>
void check_loader(ByteView blob, std::string_view magic, std::size_t body_size, Inspect inspect) {
  const bool valid = is_valid_blob(blob, magic, body_size);
  std::optional<Key> key;
  try {
    key.emplace(Key::deserialize(blob));
  } catch (const sotto::crypto::CryptoError&) {
    check(!valid, "a blob with the right size, magic, version and checksum loads");
    return;
  }
  // Outside the try: a CryptoError from here on is a failure, not a refusal.
  check(valid, "only a blob with the right size, magic, version and checksum loads");
  check(same(key->serialize().view(), blob), "a loaded key serializes to the same bytes");
  inspect(*key);
}

constexpr std::size_t kBodyAt = kMagicSize + 1;

void check_all_loaders(ByteView blob) {
  check_loader<sotto::crypto::IdentityKeyPair>(blob, "SOID", kIdentityBody, [](const auto& key) {
    // The public identity is recomputed on load and signed again; it must verify.
    check(key.public_key().verify(), "a loaded identity's public key carries a valid signature");
    check(key.public_key().dh_key == key.dh_key_pair().public_key(), "identity DH public key matches the pair");
  });
  check_loader<sotto::crypto::SignedPrekeyPair>(blob, "SOSP", kSignedPrekeyBody, [&](const auto& key) {
    check(key.id() == be32_at(blob, kBodyAt), "signed prekey id: the u32 BE that starts the body");
    check(key.public_prekey().public_key == key.key_pair().public_key(), "signed prekey public key matches the pair");
    check(same(key.public_prekey().signature, blob.subspan(kBodyAt + 4 + 32, 64)), "signature: last 64 body bytes");
  });
  check_loader<sotto::crypto::OneTimePrekeyPair>(blob, "SOOP", kOneTimePrekeyBody, [&](const auto& key) {
    check(key.id() == be32_at(blob, kBodyAt), "one-time prekey id: the u32 BE that starts the body");
    check(key.public_prekey().public_key == key.key_pair().public_key(), "one-time prekey public key matches the pair");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_all_loaders(input);
  const Bytes repaired = with_right_checksum(input);
  if (!same(repaired, input)) check_all_loaders(repaired);
  return 0;
}
