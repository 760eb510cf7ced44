#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sotto::msgd {

// Where msgd remembers the certificate fingerprint each relay presented the
// first time (the keystore, in msgd). Keys are RelayEndpoint::to_string().
class PinStore {
 public:
  virtual ~PinStore();
  virtual std::optional<std::string> load_pin(const std::string& relay) = 0;
  virtual void save_pin(const std::string& relay, const std::string& fingerprint) = 0;
};

// The relay presented a certificate other than the one pinned for it: either
// someone is in the middle, or the relay's certificate was replaced. msgd
// must not talk to it either way until the user decides.
class RelayPinMismatch : public std::runtime_error {
 public:
  enum class Source { kConfigured, kStored };

  RelayPinMismatch(std::string relay, std::string pinned, std::string presented, Source source);

  const std::string& relay() const { return relay_; }
  const std::string& pinned() const { return pinned_; }
  const std::string& presented() const { return presented_; }
  Source source() const { return source_; }

 private:
  std::string relay_;
  std::string pinned_;
  std::string presented_;
  Source source_;
};

// "sha256:<64 lower-case hex digits>" from the forms people paste: any case,
// with or without the "sha256:" prefix, with or without ':' between bytes
// (as openssl x509 -fingerprint prints). Throws std::invalid_argument if what
// remains is not 64 hex digits.
std::string normalize_fingerprint(std::string_view text);

// ssh's "accept-new" policy, with a configured pin taking precedence:
//   - configured (--relay-fingerprint, msgd.yaml) must match presented, else throw;
//   - else a stored pin must match presented, else throw;
//   - else presented is saved as the pin (first use) and logged.
// Fingerprints compare after normalize_fingerprint (so case does not matter).
// Throws RelayPinMismatch, or std::invalid_argument for a malformed configured
// or presented fingerprint. A malformed stored pin never matches.
void check_pin(PinStore& store, const std::string& relay, const std::optional<std::string>& configured,
               const std::string& presented);

}  // namespace sotto::msgd
