#include "relayd/bus/redis_bus.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "lib/net/backoff.h"
#include "lib/wire/username.h"
#include "relayd/bus/bus_message.h"

namespace sotto::relayd {

namespace {

using Clock = std::chrono::steady_clock;
using ReplyPtr = RedisBus::ReplyPtr;

// Reconnection waits (DeliveryBus: the relay polls its store meanwhile, so
// the cap only bounds how long after Redis returns the bus stays down).
constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kMaxRetry{2000};
// How long the subscriber may be idle before the thread PINGs it: a lost
// peer behind a silent network is then noticed within this plus the timeout.
constexpr std::chrono::milliseconds kSubscriberPingInterval{1000};
constexpr std::size_t kMaxPrefixChars = 64;

// Claims KEYS[1] for node ARGV[1] for ARGV[2] ms, by the server's clock:
// drops expired claims, writes this one, and lets the key expire with its
// latest claim. Lua numbers are doubles, exact for ms since the epoch.
constexpr std::string_view kClaimScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
)lua";

// 1 if a node other than ARGV[1] has a claim on KEYS[1] that has not expired.
constexpr std::string_view kOnlineElsewhereScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  if node ~= ARGV[1] then return 1 end
end
return 0
)lua";

void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// A log field value in double quotes, with '"' and '\' escaped and anything
// outside printable ASCII as \xNN, so that no text can end the field or line.
std::string quoted(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

std::string context_error(const redisContext* context) {
  if (context == nullptr) return "out of memory";
  if (context->err != 0) return context->errstr;
  return "unknown error";
}

std::string prefix_problem(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kMaxPrefixChars) {
    return "the bus prefix must be 1 to " + std::to_string(kMaxPrefixChars) + " characters";
  }
  for (const char c : prefix) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' || c == '.' || c == ':';
    if (!allowed) return "the bus prefix may hold only A-Z, a-z, 0-9, '-', '_', '.' and ':'";
  }
  return {};
}

bool is_canonical_user(std::string_view user) {
  const wire::UsernameResult canonical = wire::canonical_username(user);
  return canonical.ok() && canonical.value() == user;
}

ReplyPtr command(redisContext* context, const RedisBus::Command& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return ReplyPtr(
      static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

bool is_string(const redisReply& reply, std::string_view text) {
  return (reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS) &&
         std::string_view(reply.str, reply.len) == text;
}

RedisBus::ContextPtr connect_to(const BusUrl& url, std::chrono::milliseconds timeout, std::string* error) {
  const timeval tv = to_timeval(timeout);
  RedisBus::ContextPtr context(url.kind == BusUrl::Kind::unix_socket
                                   ? redisConnectUnixWithTimeout(url.path.c_str(), tv)
                                   : redisConnectWithTimeout(url.host.c_str(), url.port, tv));
  if (!context || context->err != 0) {
    *error = "connect: " + context_error(context.get());
    return nullptr;
  }
  // The connect timeout covers only the connect; reads and writes get their own.
  if (redisSetTimeout(context.get(), tv) != REDIS_OK) {
    *error = "set timeout: " + context_error(context.get());
    return nullptr;
  }
  if (url.kind == BusUrl::Kind::tcp) redisEnableKeepAlive(context.get());
  return context;
}

}  // namespace

void RedisBus::ContextFree::operator()(redisContext* context) const { redisFree(context); }
void RedisBus::ReplyFree::operator()(redisReply* reply) const { freeReplyObject(reply); }

RedisBus::Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "RedisBus: eventfd");
}

RedisBus::Wakeup::~Wakeup() { ::close(fd_); }

void RedisBus::Wakeup::signal() {
  const std::uint64_t one = 1;
  // Only fails when the counter is saturated, which still wakes the thread.
  [[maybe_unused]] const ssize_t written = ::write(fd_, &one, sizeof one);
}

void RedisBus::Wakeup::drain() {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t read = ::read(fd_, &count, sizeof count);
}

RedisBus::RedisBus(Options options) : options_(std::move(options)), channel_(options_.prefix + ":wake") {
  if (const std::string problem = node_id_problem(options_.node_id); !problem.empty()) {
    throw std::invalid_argument("RedisBus: " + problem);
  }
  if (const std::string problem = prefix_problem(options_.prefix); !problem.empty()) {
    throw std::invalid_argument("RedisBus: " + problem);
  }
  if (options_.timeout.count() <= 0) throw std::invalid_argument("RedisBus: the timeout must be positive");
  if (options_.presence_ttl.count() <= 0) throw std::invalid_argument("RedisBus: the presence TTL must be positive");
  ignore_sigpipe();
}

RedisBus::~RedisBus() { stop(); }

void RedisBus::start(Handlers handlers) {
  if (started_.exchange(true)) throw std::logic_error("RedisBus::start called twice");
  handlers_ = std::move(handlers);
  thread_ = std::thread([this] { run(); });
}

void RedisBus::stop() {
  if (!thread_.joinable()) return;
  if (std::this_thread::get_id() == thread_.get_id()) {
    throw std::logic_error("RedisBus::stop called from a bus handler");
  }
  stopping_ = true;
  wakeup_.signal();
  thread_.join();
  const std::lock_guard lock(command_mutex_);
  commands_.reset();
  connected_ = false;
}

bool RedisBus::connected() const { return connected_.load(); }

void RedisBus::warn(std::string_view event, std::string_view fields) const {
  if (options_.log_warning) {
    options_.log_warning(event, fields);
    return;
  }
  std::string line = "relayd: event=" + std::string(event) + " level=warn";
  if (!fields.empty()) line += " " + std::string(fields);
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void RedisBus::report(bool connected) {
  if (reported_ == connected) return;
  reported_ = connected;
  if (handlers_.on_connection) handlers_.on_connection(connected);
}

bool RedisBus::sleep_unless_stopped(std::chrono::milliseconds wait) {
  const Clock::time_point deadline = Clock::now() + wait;
  while (!stopping_) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return true;
    pollfd wake{wakeup_.fd(), POLLIN, 0};
    if (::poll(&wake, 1, static_cast<int>(left.count())) > 0) wakeup_.drain();
  }
  return false;
}

RedisBus::ContextPtr RedisBus::connect_subscriber(std::string* error) {
  ContextPtr context = connect_to(options_.url, options_.timeout, error);
  if (!context) return nullptr;
  // Pub/sub ignores the database number: channels are server-wide.
  const ReplyPtr reply = command(context.get(), {"SUBSCRIBE", channel_});
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
      !is_string(*reply->element[0], "subscribe")) {
    const std::string why = !reply                             ? context_error(context.get())
                            : reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                               : "unexpected reply";
    *error = "SUBSCRIBE: " + why;
    return nullptr;
  }
  return context;
}

RedisBus::ContextPtr RedisBus::connect_commands(std::string* error) {
  ContextPtr context = connect_to(options_.url, options_.timeout, error);
  if (context) {
    const Command check =
        options_.url.database != 0 ? Command{"SELECT", std::to_string(options_.url.database)} : Command{"PING"};
    const ReplyPtr reply = command(context.get(), check);
    if (!reply) {
      *error = check[0] + ": " + context_error(context.get());
    } else if (reply->type == REDIS_REPLY_ERROR) {
      *error = check[0] + ": " + std::string(reply->str, reply->len);
    } else {
      return context;
    }
  }
  return nullptr;
}

void RedisBus::run() {
  net::Backoff backoff(kFirstRetry, kMaxRetry);
  // Failed connects since the last success: an outage logs its first
  // failure, not one line per retry.
  std::uint64_t failures = 0;
  while (!stopping_) {
    std::string error;
    ContextPtr subscriber = connect_subscriber(&error);
    ContextPtr commands = subscriber && !stopping_ ? connect_commands(&error) : nullptr;
    if (stopping_) return;
    if (!commands) {
      if (failures++ == 0) {
        warn("bus_connect_failed",
             "url=" + quoted(to_string(options_.url)) + " error=" + quoted(error) + " action=retrying");
      }
      report(false);
      sleep_unless_stopped(backoff.next());
      continue;
    }
    {
      const std::lock_guard lock(command_mutex_);
      commands_ = std::move(commands);
      reconnect_ = false;
      connected_ = true;
    }
    backoff.reset();
    failures = 0;
    report(true);
    const std::string why = listen(subscriber.get());
    {
      const std::lock_guard lock(command_mutex_);
      commands_.reset();
      connected_ = false;
    }
    if (stopping_) return;
    warn("bus_connection_lost", "url=" + quoted(to_string(options_.url)) + " error=" + quoted(why));
    report(false);
    sleep_unless_stopped(kFirstRetry);
  }
}

std::string RedisBus::listen(redisContext* subscriber) {
  Clock::time_point last_heard = Clock::now();
  std::optional<Clock::time_point> ping_sent;
  while (true) {
    // Replies may already sit in hiredis's buffer (several per read).
    while (true) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(subscriber, &raw) != REDIS_OK) return "reply: " + context_error(subscriber);
      if (raw == nullptr) break;
      const ReplyPtr reply(static_cast<redisReply*>(raw));
      handle(*reply);
      if (stopping_) return "stopping";
    }
    if (stopping_) return "stopping";
    if (reconnect_) return "a command on the command connection failed";

    const Clock::time_point now = Clock::now();
    if (ping_sent && now - *ping_sent >= options_.timeout) return "no answer to PING within the timeout";
    if (!ping_sent && now - last_heard >= kSubscriberPingInterval) {
      // A subscribed connection answers PING with ["pong", ""].
      if (redisAppendCommand(subscriber, "PING") != REDIS_OK) return "PING: " + context_error(subscriber);
      int done = 0;
      while (done == 0) {
        if (redisBufferWrite(subscriber, &done) != REDIS_OK) return "PING: " + context_error(subscriber);
      }
      ping_sent = now;
    }
    const Clock::time_point next_check =
        ping_sent ? *ping_sent + options_.timeout : last_heard + kSubscriberPingInterval;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_check - Clock::now());

    std::array<pollfd, 2> fds{pollfd{subscriber->fd, POLLIN, 0}, pollfd{wakeup_.fd(), POLLIN, 0}};
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<std::int64_t>(wait.count(), 0)));
    if (ready < 0 && errno != EINTR) return std::string("poll: ") + std::strerror(errno);
    if (fds[1].revents != 0) wakeup_.drain();
    if (fds[0].revents != 0) {
      // POLLHUP and POLLERR too: the read then reports the closed socket.
      if (redisBufferRead(subscriber) != REDIS_OK) return "read: " + context_error(subscriber);
      last_heard = Clock::now();
      ping_sent.reset();
    }
  }
}

void RedisBus::handle(const redisReply& reply) {
  // ["message", channel, payload]; subscribe confirmations and pongs are not.
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 3 || !is_string(*reply.element[0], "message")) return;
  const redisReply& payload = *reply.element[2];
  if (payload.type != REDIS_REPLY_STRING) return;
  ParseResult<BusMessage> decoded = decode_bus_message(std::string_view(payload.str, payload.len));
  if (!decoded) {
    warn("bus_message_refused",
         "channel=" + quoted(channel_) + " bytes=" + std::to_string(payload.len) + " error=" + quoted(decoded.error()));
    return;
  }
  if (decoded.value().node_id == options_.node_id) return;
  if (!handlers_.on_wake) return;
  try {
    handlers_.on_wake(decoded.value().wakes);
  } catch (const std::exception& e) {
    warn("bus_handler_failed", "error=" + quoted(e.what()));
  }
}

void RedisBus::drop_commands_locked(std::string_view why) {
  commands_.reset();
  if (connected_.exchange(false)) {
    warn("bus_command_failed", "url=" + quoted(to_string(options_.url)) + " error=" + quoted(why));
    reconnect_ = true;
    wakeup_.signal();
  }
}

std::optional<std::vector<ReplyPtr>> RedisBus::round_trip(const std::vector<Command>& commands) {
  if (!connected_) return std::nullopt;
  const std::lock_guard lock(command_mutex_);
  if (!commands_) return std::nullopt;
  redisContext* context = commands_.get();
  for (const Command& args : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
      drop_commands_locked(context_error(context));
      return std::nullopt;
    }
  }
  std::vector<ReplyPtr> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
      drop_commands_locked(commands[i][0] + ": " + context_error(context));
      return std::nullopt;
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

std::string RedisBus::presence_key(std::string_view user) const {
  return options_.prefix + ":presence:" + std::string(user);
}

bool RedisBus::publish(std::span<const Wake> wakes) {
  if (wakes.empty()) return connected();
  if (!connected_) return false;
  std::vector<Command> commands;
  try {
    for (std::size_t first = 0; first < wakes.size(); first += kMaxWakesPerBusMessage) {
      const std::size_t count = std::min(kMaxWakesPerBusMessage, wakes.size() - first);
      const auto batch = wakes.subspan(first, count);
      BusMessage message{options_.node_id, std::vector<Wake>(batch.begin(), batch.end())};
      commands.push_back({"PUBLISH", channel_, encode_bus_message(message)});
    }
  } catch (const std::invalid_argument& e) {
    warn("bus_publish_refused", "error=" + quoted(e.what()));
    return false;
  }
  const auto replies = round_trip(commands);
  if (!replies) return false;
  for (const ReplyPtr& reply : *replies) {
    if (reply->type != REDIS_REPLY_INTEGER) return false;
  }
  return true;
}

bool RedisBus::set_online(std::string_view user) {
  const std::string name(user);
  return refresh_presence(std::span(&name, 1));
}

bool RedisBus::set_offline(std::string_view user) {
  if (!is_canonical_user(user)) return false;
  const auto replies = round_trip({{"ZREM", presence_key(user), options_.node_id}});
  return replies && replies->front()->type == REDIS_REPLY_INTEGER;
}

bool RedisBus::refresh_presence(std::span<const std::string> users) {
  if (!connected_) return false;
  const std::string ttl = std::to_string(options_.presence_ttl.count());
  std::vector<Command> commands;
  commands.reserve(users.size());
  bool all_valid = true;
  for (const std::string& user : users) {
    if (!is_canonical_user(user)) {
      all_valid = false;
      continue;
    }
    commands.push_back({"EVAL", std::string(kClaimScript), "1", presence_key(user), options_.node_id, ttl});
  }
  if (commands.empty()) return all_valid;
  const auto replies = round_trip(commands);
  if (!replies) return false;
  for (const ReplyPtr& reply : *replies) {
    if (reply->type != REDIS_REPLY_INTEGER) {
      if (reply->type == REDIS_REPLY_ERROR) {
        warn("bus_presence_failed", "error=" + quoted(std::string_view(reply->str, reply->len)));
      }
      return false;
    }
  }
  return all_valid;
}

std::optional<bool> RedisBus::online_elsewhere(std::string_view user) {
  if (!is_canonical_user(user)) return std::nullopt;
  const auto replies =
      round_trip({{"EVAL", std::string(kOnlineElsewhereScript), "1", presence_key(user), options_.node_id}});
  if (!replies || replies->front()->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return replies->front()->integer != 0;
}

}  // namespace sotto::relayd
