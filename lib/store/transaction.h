#pragma once

#include "lib/store/database.h"

namespace sotto::store {

enum class TransactionMode {
  // Takes the write lock at BEGIN, so a transaction that reads and then
  // writes cannot fail halfway with SQLITE_BUSY (the busy timeout applies at
  // BEGIN instead). The default for anything that writes.
  Immediate,
  // Takes locks on first use: for read-only transactions that want one
  // consistent snapshot across several statements.
  Deferred,
};

// A transaction scope: BEGIN in the constructor, commit() to keep the work,
// and a ROLLBACK in the destructor if commit() was not reached (an exception,
// an early return). Transactions do not nest.
class Transaction {
 public:
  explicit Transaction(Database& db, TransactionMode mode = TransactionMode::Immediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Throws StoreError if the commit fails; the destructor then rolls back.
  void commit();
  // Explicit rollback; after it, the destructor does nothing.
  void rollback();

 private:
  Database& db_;
  bool active_ = true;
};

}  // namespace sotto::store
