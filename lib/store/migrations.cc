#include "lib/store/migrations.h"

#include <sqlite3.h>

#include <string>

#include "lib/store/store_error.h"
#include "lib/store/transaction.h"

namespace sotto::store {

int schema_version(Database& db) {
  auto statement = db.cached("PRAGMA user_version");
  statement->step();
  return static_cast<int>(statement->column_int64(0));
}

int migrate(Database& db, std::span<const Migration> migrations) {
  const int target = static_cast<int>(migrations.size());
  for (;;) {
    Transaction transaction(db);
    const int version = schema_version(db);
    if (version > target) throw NewerSchemaError(version, target);
    if (version == target) {
      transaction.commit();
      return target;
    }
    const Migration& step = migrations[static_cast<std::size_t>(version)];
    try {
      db.exec(step.sql);
    } catch (const StoreError& error) {
      throw StoreError("migration to schema version " + std::to_string(version + 1) + " (" +
                           std::string(step.description) + ") failed: " + error.what(),
                       error.extended_code());
    }
    // PRAGMA arguments cannot be bound. This is the one place SQL text holds
    // a number, and it is the step index this code computed, never input.
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
  }
}

}  // namespace sotto::store
