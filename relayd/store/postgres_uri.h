#pragma once

#include <string>
#include <string_view>

namespace sotto::relayd {

// The URI relayd connects with: the configured one, plus libpq's timeouts
// for whatever the operator did not set there.
//
// Why: without them a PostgreSQL host that vanishes (power cut, partition)
// leaves relayd's connections waiting on TCP for hours, and with them the
// commit writer and every store call: the relay neither serves nor fails
// over. With them a connection attempt gives up after connect_timeout
// seconds, and an established connection whose server stopped answering is
// declared dead after about 30 s (keepalives for an idle connection,
// tcp_user_timeout for unacknowledged data); the call fails with a
// retryable error and the next one connects afresh. Unix-socket connections
// ignore the TCP options (libpq's rule).
//
// `uri` is a postgresql:// or postgres:// URI (store_url_problem accepted it).
std::string with_connection_timeouts(std::string_view uri);

}  // namespace sotto::relayd
