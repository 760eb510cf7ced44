#pragma once

#include <span>

#include "lib/store/migrations.h"

namespace sotto::relayd {

// The relay's SQLite schema history, oldest first (version = position + 1).
// Published steps never change: a new schema is a new step at the end.
std::span<const store::Migration> sqlite_store_migrations();

}  // namespace sotto::relayd
