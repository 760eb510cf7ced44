#pragma once

#include <span>
#include <string>

#include "lib/store/migrations.h"

namespace pqxx {
class connection_base;
}

namespace sotto::relayd {

// The relay's PostgreSQL schema history, oldest first (version = position +
// 1). Its own history, not SQLite's: version 1 holds what SQLite reached in
// its version 3. Published steps never change: a new schema is a new step at
// the end.
std::span<const store::Migration> postgres_store_migrations();

// Brings the database at `uri` (a libpq connection URI) to the newest schema
// and returns that version. Idempotent, and safe when several relayd nodes
// run it at once: the whole check-and-apply runs in one transaction under a
// transaction-scoped advisory lock, so a second node waits and then finds
// nothing to do. Throws store::NewerSchemaError for a database written by a
// newer relayd, store::StoreError for anything else.
int postgres_migrate(const std::string& uri);

// The same on an open connection (PostgresStore uses one of its own).
int postgres_migrate(pqxx::connection_base& connection);

}  // namespace sotto::relayd
