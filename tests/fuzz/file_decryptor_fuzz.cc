// Feeds arbitrary bytes to FileDecryptor as a ciphertext under a fixed key.
// Besides "no crash", it checks the format's central promise: the only
// ciphertexts that decrypt are exactly the encryptor's outputs, so a
// successful decryption must re-encrypt to the same bytes, and a failed one
// must have released only whole, verified chunks.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lib/crypto/error.h"
#include "lib/crypto/file_cipher.h"

namespace {

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;

// The corpus seeds are encrypted under this key: 00 01 02 .. 1f.
sotto::crypto::SecretBytes fuzz_key() {
  sotto::crypto::SecretBytes key(sotto::crypto::kFileKeySize);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i);
  return key;
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sotto::crypto::SecretBytes key = fuzz_key();
  const ByteView input(data, size);

  // Feed the input in two pieces split at a point taken from the input itself,
  // so that the buffering paths are exercised along with the crypto.
  const std::size_t split = size == 0 ? 0 : (static_cast<std::size_t>(data[0]) * 997) % (size + 1);
  Bytes released;
  std::size_t releases = 0;
  const sotto::crypto::ChunkSink sink = [&](ByteView p) {
    released.insert(released.end(), p.begin(), p.end());
    ++releases;
  };
  sotto::crypto::FileDecryptor decryptor(key);
  bool ok = true;
  try {
    decryptor.update(input.first(split), sink);
    decryptor.update(input.subspan(split), sink);
    decryptor.finish(sink);
  } catch (const sotto::crypto::CryptoError&) {
    ok = false;
  }

  if (ok) {
    check(sotto::crypto::encrypt_file(released, key) == Bytes(input.begin(), input.end()));
    check(sotto::crypto::file_plaintext_size(size) == released.size());
  } else {
    // Only full, verified, non-last chunks can have been released.
    check(released.size() == releases * sotto::crypto::kFileChunkSize);
  }
  return 0;
}
