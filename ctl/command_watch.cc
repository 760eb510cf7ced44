// watch: print events as they come, riding out msgd restarts.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "ctl/commands.h"
#include "ctl/failure.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/stop_signals.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kPoll{200};
constexpr milliseconds kFirstRetry{200};
constexpr milliseconds kMaxRetry{5000};

void print_event(Context& context, const api::EventMessage& event) {
  if (context.out.json()) {
    context.out.print(event_json_line(event));
  } else {
    context.out.print(format_event(event, std::time(nullptr)));
  }
}

// Sleeps up to `duration`, waking early when a stop is requested.
void nap(Context& context, milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!context.stop_requested()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(milliseconds(50), until - now));
  }
}

std::string start(api::Client& client) {
  const std::string user = string_member(client.call("status", nlohmann::json::object()), "username");
  client.subscribe();
  return user;
}

// Reconnects with backoff until msgd answers again or a stop is requested.
void reconnect(api::Client& client, Context& context) {
  milliseconds delay = kFirstRetry;
  while (!context.stop_requested()) {
    context.out.diagnostic("msgd went away; reconnecting in " +
                           format_seconds(static_cast<double>(delay.count()) / 1000) + " s");
    nap(context, delay);
    if (context.stop_requested()) return;
    context.reconnect();
    try {
      start(client);
      context.out.diagnostic("reconnected to msgd");
      return;
    } catch (const api::TransportError&) {
    } catch (const api::ApiError& e) {
      if (e.name() != api::ErrorName::kTimeout) throw;
    }
    delay = std::min(delay * 2, kMaxRetry);
  }
}

}  // namespace

ExitCode run_watch(api::Client& client, Context& context) {
  const StopOnSignals stop_on_signals;
  const auto outer_stop = context.stop_requested;
  context.stop_requested = [outer_stop] { return stop_signal_received() || outer_stop(); };

  const std::string user = start(client);
  if (!context.out.json()) {
    context.out.diagnostic("watching" + (user.empty() ? std::string() : " as " + printable(user)) + "; Ctrl-C stops");
  }
  while (!context.stop_requested()) {
    try {
      if (const auto event = client.next_event(kPoll)) print_event(context, *event);
    } catch (const api::TransportError&) {
      reconnect(client, context);
    }
  }
  return ExitCode::kOk;
}

}  // namespace sotto::ctl
