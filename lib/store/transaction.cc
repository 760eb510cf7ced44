#include "lib/store/transaction.h"

namespace sotto::store {

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
  db_.cached(mode == TransactionMode::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")->step();
}

Transaction::~Transaction() {
  if (!active_) return;
  try {
    rollback();
  } catch (...) {
    // A destructor must not throw. A failed ROLLBACK leaves SQLite to roll
    // the transaction back when the connection closes; nothing was committed.
  }
}

void Transaction::commit() {
  db_.cached("COMMIT")->step();
  active_ = false;
}

void Transaction::rollback() {
  active_ = false;
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR,
  // SQLITE_NOMEM...); a second ROLLBACK would then fail.
  if (db_.in_transaction()) db_.cached("ROLLBACK")->step();
}

}  // namespace sotto::store
