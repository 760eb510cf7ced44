#include "daemon/socket/socket_connection.h"

#include <exception>
#include <utility>

#include "daemon/socket/socket_log.h"
#include "lib/api/api_error.h"
#include "lib/api/method_table.h"

namespace sotto::msgd {
namespace {

namespace asio = net::asio;
using nlohmann::json;

std::string describe_size(std::size_t bytes) {
  constexpr std::size_t kMiB = 1024 * 1024;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string connection_field(std::uint64_t id) { return "conn=" + std::to_string(id); }

}  // namespace

// The handler's Completion holds one of these. It answers at most once, only
// if the connection still exists, and answers Internal when a handler lets
// the completion die without calling it (so the client is never left waiting).
struct PendingCall {
  PendingCall(std::weak_ptr<SocketConnection> connection, std::optional<json> id)
      : connection(std::move(connection)), id(std::move(id)) {}
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;
  ~PendingCall() {
    if (done) return;
    try {
      finish(api::ApiError(api::ErrorName::kInternal, "msgd dropped the call without an answer"));
    } catch (...) {
      // Nothing more can be done for this client from a destructor.
    }
  }

  void finish(const api::Outcome& outcome) {
    if (done) return;
    done = true;
    if (const auto owner = connection.lock()) owner->finish_call(id, outcome);
  }

  std::weak_ptr<SocketConnection> connection;
  std::optional<json> id;
  bool done = false;
};

SocketConnection::SocketConnection(Socket socket, std::uint64_t id, api::Handler& handler, const SocketLimits& limits,
                                   ClosedHook on_closed)
    : socket_(std::move(socket)),
      id_(id),
      handler_(handler),
      limits_(limits),
      on_closed_(std::move(on_closed)),
      reader_wake_(socket_.get_executor()) {}

void SocketConnection::start() {
  asio::co_spawn(socket_.get_executor(), read_loop(shared_from_this()), asio::detached);
}

// self lives in the coroutine frame: the connection outlives every suspension.
net::Awaitable<void> SocketConnection::read_loop([[maybe_unused]] std::shared_ptr<SocketConnection> self) {
  try {
    while (!closed_ && !input_done_) {
      co_await wait_until_readable_again();
      if (closed_) break;
      boost::system::error_code ec;
      const std::size_t n = co_await asio::async_read_until(socket_, asio::dynamic_buffer(input_, limits_.max_line + 1),
                                                            '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) break;
      if (ec == asio::error::not_found) {
        log_socket_event("line_too_long", connection_field(id_));
        answer(nullptr,
               api::ApiError(api::ErrorName::kInvalidRequest, "line exceeds " + describe_size(limits_.max_line)));
        input_done_ = true;
        close_after_flush_ = true;
        break;
      }
      if (ec) {
        // A client may send its last request without a newline and then shut its side.
        if (ec == asio::error::eof && !input_.empty()) {
          const std::string last = std::exchange(input_, std::string());
          handle_line(last);
        }
        input_done_ = true;
        break;
      }
      const std::string line = input_.substr(0, n - 1);
      input_.erase(0, n);
      handle_line(line);
    }
  } catch (const std::exception& e) {
    log_socket_event("socket_failed", connection_field(id_) + " error=\"" + e.what() + "\"");
    close("");
  }
  input_ = std::string();
  close_when_done();
}

net::Awaitable<void> SocketConnection::wait_until_readable_again() {
  // Backpressure: a client that sends faster than it reads, or piles up
  // calls, waits here instead of growing msgd's memory.
  while (!closed_ && (calls_in_flight_ >= limits_.max_calls_in_flight || unsent() >= limits_.max_unsent)) {
    reader_wake_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void SocketConnection::handle_line(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  api::JsonRpcParse parsed = api::parse_jsonrpc_request(line);
  if (auto* bad = std::get_if<api::JsonRpcRequestError>(&parsed)) {
    log_socket_event("bad_request", connection_field(id_) + " error=" + std::string(bad->error.id()));
    answer(bad->id, bad->error);
    return;
  }
  dispatch(std::move(std::get<api::JsonRpcRequest>(parsed)));
}

void SocketConnection::dispatch(api::JsonRpcRequest request) {
  // A request without an id is a notification: it runs, and is never answered.
  const auto reply = [&](const api::Outcome& outcome) {
    if (request.id) answer(*request.id, outcome);
  };
  const api::MethodSpec* method = api::find_method(request.method);
  if (method == nullptr) {
    constexpr std::size_t kShown = 64;
    const std::string shown =
        request.method.size() > kShown ? request.method.substr(0, kShown) + "..." : request.method;
    reply(api::ApiError(api::ErrorName::kUnknownMethod, "no method named '" + shown + "'"));
    return;
  }
  json params;
  try {
    params = api::normalize_params(*method, request.params);
  } catch (const api::ApiError& e) {
    reply(e);
    return;
  }
  if (method->name == "subscribe") {
    subscribed_ = true;
    reply(json{{"subscribed", true}});
    return;
  }

  ++calls_in_flight_;
  const auto call = std::make_shared<PendingCall>(weak_from_this(), std::move(request.id));
  api::Completion done = [call](api::Outcome outcome) { call->finish(outcome); };
  try {
    handler_.call(*method, std::move(params), std::move(done));
  } catch (const api::ApiError& e) {
    call->finish(e);
  } catch (const std::exception& e) {
    log_socket_event("handler_failed",
                     connection_field(id_) + " method=" + std::string(method->name) + " error=\"" + e.what() + "\"");
    call->finish(api::ApiError(api::ErrorName::kInternal, std::string("msgd failed: ") + e.what()));
  } catch (...) {
    log_socket_event("handler_failed", connection_field(id_) + " method=" + std::string(method->name));
    call->finish(api::ApiError(api::ErrorName::kInternal, "msgd failed"));
  }
}

void SocketConnection::finish_call(const std::optional<json>& id, const api::Outcome& outcome) {
  --calls_in_flight_;
  if (id && !closed_ && !close_after_flush_) answer(*id, outcome);
  wake_reader();
  close_when_done();
}

void SocketConnection::answer(const json& id, const api::Outcome& outcome) {
  std::string line;
  try {
    if (const auto* result = std::get_if<json>(&outcome)) {
      line = api::encode_result(id, *result);
    } else {
      line = api::encode_error(id, std::get<api::ApiError>(outcome));
    }
  } catch (const std::exception&) {
    line = api::encode_error(id, api::ApiError(api::ErrorName::kInternal, "msgd could not encode the answer"));
  }
  queue_line(line);
}

void SocketConnection::send_event(std::string_view line) {
  if (closed_ || !subscribed_ || close_after_flush_) return;
  if (unsent() + line.size() + 1 > limits_.max_unsent) {
    log_socket_event("subscriber_dropped", connection_field(id_) + " unsent=" + std::to_string(unsent()));
    close("");
    return;
  }
  queue_line(line);
}

void SocketConnection::queue_line(std::string_view line) {
  if (closed_) return;
  pending_.append(line);
  pending_.push_back('\n');
  if (!writing_active_) start_write();
}

void SocketConnection::start_write() {
  writing_.clear();
  writing_.swap(pending_);
  writing_active_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(writing_),
                    [self](const boost::system::error_code& ec, std::size_t) { self->on_written(ec); });
}

void SocketConnection::on_written(const boost::system::error_code& ec) {
  writing_active_ = false;
  if (closed_) return;
  if (ec) {
    // A client that hung up before its answer is normal, not worth a log line.
    const bool hung_up = ec == asio::error::broken_pipe || ec == asio::error::connection_reset;
    close(hung_up ? "" : "write failed: " + ec.message());
    return;
  }
  constexpr std::size_t kKeptCapacity = 64 * 1024;
  if (writing_.capacity() > kKeptCapacity) writing_ = std::string();
  if (!pending_.empty()) start_write();
  wake_reader();
  close_when_done();
}

void SocketConnection::close_when_done() {
  if (closed_ || writing_active_ || !pending_.empty()) return;
  if (close_after_flush_ || (input_done_ && calls_in_flight_ == 0)) close("");
}

void SocketConnection::wake_reader() { reader_wake_.cancel(); }

void SocketConnection::close(std::string_view reason) {
  if (closed_) return;
  const auto keep_alive = shared_from_this();  // the hook may drop the owner's reference
  closed_ = true;
  if (!reason.empty())
    log_socket_event("socket_closed", connection_field(id_) + " reason=\"" + std::string(reason) + "\"");
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  reader_wake_.cancel();
  pending_ = std::string();
  if (on_closed_) std::exchange(on_closed_, nullptr)(id_);
}

}  // namespace sotto::msgd
