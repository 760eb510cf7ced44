#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::relayd {

// Caps on connections that have not authenticated yet, in the manner of
// OpenSSH's MaxStartups and PerSourceMaxStartups: each one holds a TLS
// handshake, buffers and a pending Argon2 run, so an unauthenticated flood
// must not be able to take the whole server. Authenticated connections are
// not counted here.
struct ConnectionLimits {
  std::size_t max_total = 1024;     // over all sources
  std::size_t max_per_source = 32;  // per source_group() (IPv4 address, IPv6 /64)
};

// Empty when `limits` are usable (both at least 1, per-source not above the
// total); otherwise the reason.
std::optional<std::string> check_connection_limits(const ConnectionLimits& limits);

// Thread-safe. Slots keep the limiter's shared state alive, so a Slot may
// safely outlive the ConnectionLimiter that issued it.
class ConnectionLimiter {
  struct State;

 public:
  // One unauthenticated connection's place under the caps. Releases it when
  // destroyed, or earlier by release() (call that on successful
  // authentication). Move-only; a moved-from Slot holds nothing.
  class Slot {
   public:
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    // Gives the place back now; later calls (and the destructor) do nothing.
    void release() noexcept;
    bool held() const { return state_ != nullptr; }
    // The source_group() this slot counts against.
    const std::string& source() const { return source_; }

   private:
    friend class ConnectionLimiter;
    Slot(std::shared_ptr<State> state, std::string source);

    std::shared_ptr<State> state_;
    std::string source_;
  };

  // Throws std::invalid_argument when check_connection_limits refuses `limits`.
  explicit ConnectionLimiter(const ConnectionLimits& limits);

  // A slot for a new connection from `address` (IP text, no port), or nullopt
  // when either cap is reached: close that connection at once.
  std::optional<Slot> try_acquire(std::string_view address);

  std::size_t active() const;
  // Slots held by `address`'s group (any address of the same /64 counts).
  std::size_t active_from(std::string_view address) const;

  const ConnectionLimits& limits() const { return limits_; }

 private:
  const ConnectionLimits limits_;
  std::shared_ptr<State> state_;
};

}  // namespace sotto::relayd
