#pragma once

#include "lib/crypto/secret_bytes.h"
#include "lib/store/statement.h"

namespace sotto::msgd {

// A BLOB column that holds key material, copied into SecretBytes. The
// intermediate copy Statement::column_blob makes is wiped before it is freed.
crypto::SecretBytes secret_column(const store::Statement& row, int column);

}  // namespace sotto::msgd
