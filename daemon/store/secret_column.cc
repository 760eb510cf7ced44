#include "daemon/store/secret_column.h"

#include <openssl/crypto.h>

#include <vector>

namespace sotto::msgd {

crypto::SecretBytes secret_column(const store::Statement& row, int column) {
  std::vector<std::uint8_t> bytes = row.column_blob(column);
  crypto::SecretBytes secret(crypto::ByteView(bytes.data(), bytes.size()));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

}  // namespace sotto::msgd
