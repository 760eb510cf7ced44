#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "lib/net/asio.h"
#include "relayd/auth/connection_limiter.h"
#include "relayd/auth/rate_limiter.h"
#include "relayd/bus/delivery_bus.h"
#include "relayd/server/commit_queue.h"
#include "relayd/server/metrics.h"
#include "relayd/server/revoked_tokens.h"
#include "relayd/server/router.h"
#include "relayd/server/server_settings.h"
#include "relayd/server/upload_hashes.h"
#include "relayd/store/blob_files.h"
#include "relayd/store/store.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace sotto::relayd {

// Everything the sessions share. Owned by RelayServer; sessions hold a
// reference, and the server outlives every session (it joins its io threads
// before the context goes away).
struct ServerContext {
  ServerSettings settings;
  SSL_CTX* tls = nullptr;
  Store* store = nullptr;
  BlobFiles* blobs = nullptr;
  Router router;
  Metrics metrics;
  UploadHashes upload_hashes;
  RevokedTokens revoked_tokens;
  CommitQueue* commits = nullptr;
  // Slow work off the io threads: Argon2 hashing (tens of ms by design) and
  // store calls that may wait behind a group commit's fsync.
  net::asio::thread_pool* blocking = nullptr;
  RateLimiter* login_per_account = nullptr;
  RateLimiter* login_per_address = nullptr;
  RateLimiter* register_per_address = nullptr;
  std::atomic<bool> draining{false};
  // Relays sharing one store (docs/architecture.md "Several relays"): the
  // bus to the others, or null. presence_changed(user, online) is called
  // when a user's first session here authenticates and when their last one
  // ends; it must not block (the server queues the bus call).
  DeliveryBus* bus = nullptr;
  std::function<void(const std::string& username, bool online)> presence_changed;
};

}  // namespace sotto::relayd
