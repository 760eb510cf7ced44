#pragma once

#include <span>
#include <string_view>

#include "lib/store/database.h"

namespace sotto::store {

// One step of a schema's history. Steps are applied in list order: step i
// (0-based) brings the schema from version i to version i + 1. A step is SQL
// without parameters and without its own BEGIN/COMMIT. Published steps never
// change; a new schema is a new step at the end.
struct Migration {
  std::string_view description;  // for error messages, e.g. "create users and tokens"
  std::string_view sql;
};

// The schema version stored in the file (PRAGMA user_version; 0 for a new file).
int schema_version(Database& db);

// Applies every step the file lacks, each in its own IMMEDIATE transaction
// together with its user_version update, so a crash leaves the file at a
// whole version. The version is read again inside each transaction, so two
// processes migrating the same file at once apply each step once.
//
// Throws NewerSchemaError when the file's version is above migrations.size():
// a newer program wrote it, and this one must not guess at its layout.
// Returns the version now in effect (migrations.size()).
int migrate(Database& db, std::span<const Migration> migrations);

}  // namespace sotto::store
