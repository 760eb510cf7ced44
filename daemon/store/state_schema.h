#pragma once

#include <span>

#include "lib/store/migrations.h"

namespace sotto::msgd {

// The schema history of msgd's state.db, oldest first (version = position + 1).
// Published steps never change: a new schema is a new step at the end.
std::span<const store::Migration> state_migrations();

}  // namespace sotto::msgd
