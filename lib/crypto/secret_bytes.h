#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

// A fixed-size buffer for key material. It is wiped with OPENSSL_cleanse when
// destroyed or overwritten, it never grows (so no stale copy is left behind by
// a reallocation), and it has no stream operator, so it cannot be logged by
// accident. Copies are explicit in intent (Ratchet decrypts on a copy) and are
// wiped the same way.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);
  explicit SecretBytes(ByteView bytes);
  ~SecretBytes();

  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  ByteView view() const { return {bytes_.data(), bytes_.size()}; }
  std::span<std::uint8_t> span() { return {bytes_.data(), bytes_.size()}; }

  // Constant-time comparison; sizes are not secret.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b);

 private:
  void wipe();
  std::vector<std::uint8_t> bytes_;
};

}  // namespace sotto::crypto
