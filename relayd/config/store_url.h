#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sotto::relayd {

// The `store` setting: "sqlite" (the embedded store, one file in state_dir)
// or a libpq connection URI for PostgreSQL shared by several relays.
enum class StoreKind { sqlite, postgres };

// Why `url` is not a store relayd can use, or nullopt. A PostgreSQL URI must
// start postgresql:// (or postgres://) and must not carry a password, in the
// userinfo or as a password= parameter: relayd.yaml is readable by more than
// the relay, and relayd echoes the URI in errors. libpq finds the password
// in ~/.pgpass or PGPASSFILE instead (docs/operations.md).
std::optional<std::string> store_url_problem(std::string_view url);

StoreKind store_kind(std::string_view url);  // url passed store_url_problem

}  // namespace sotto::relayd
