#include "relayd/admin/store_choice.h"

#include "relayd/config/store_url.h"
#include "relayd/store/postgres_store.h"
#include "relayd/store/sqlite_store.h"

namespace sotto::relayd {

std::unique_ptr<Store> open_store(const std::string& store, const ClusterConfig& cluster,
                                  const std::filesystem::path& sqlite_file) {
  if (store_kind(store) == StoreKind::postgres) {
    return std::make_unique<PostgresStore>(store, PostgresStoreOptions{.pool_size = cluster.pool_size});
  }
  return std::make_unique<SqliteStore>(sqlite_file);
}

std::string describe_store(const std::string& store, const std::filesystem::path& sqlite_file) {
  return store_kind(store) == StoreKind::postgres ? "postgresql " + store : "sqlite " + sqlite_file.string();
}

}  // namespace sotto::relayd
