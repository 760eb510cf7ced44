#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "relayd/config/relay_config.h"
#include "relayd/store/store.h"

namespace sotto::relayd {

// The store relayd.yaml's `store` names (or --store): the SQLite file in the
// state directory, or PostgreSQL with cluster.pool_size connections (which
// applies its schema migrations first, as the SQLite store does on open).
std::unique_ptr<Store> open_store(const std::string& store, const ClusterConfig& cluster,
                                  const std::filesystem::path& sqlite_file);

// What the logs and the admin commands say the store is: "sqlite FILE", or
// "postgresql" and the URI (which holds no password: store_url.h).
std::string describe_store(const std::string& store, const std::filesystem::path& sqlite_file);

}  // namespace sotto::relayd
