#pragma once

#include <stdexcept>

namespace sotto::crypto {

// The one exception type lib/crypto throws. Its message names the problem and
// never contains key material or plaintext.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sotto::crypto
