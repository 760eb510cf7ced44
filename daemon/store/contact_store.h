#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/identity.h"
#include "lib/store/database.h"

namespace sotto::msgd {

enum class Trust { kTrusted, kVerified, kUntrusted };

// "trusted", "verified", "untrusted" (the local API's contact.trust).
std::string_view to_string(Trust trust);

struct Contact {
  std::string username;
  crypto::IdentityPublicKey identity;
  std::int64_t first_seen_ms = 0;
  Trust trust = Trust::kTrusted;
  // The peer's identity key changed and nobody has trusted or verified the
  // new one yet: messages are shown with a warning.
  bool identity_changed = false;
};

// The peers this device has seen and the identity key it holds for each.
// Never begins a transaction (see StateDatabase). Throws store::StoreError,
// or std::runtime_error for a username that is not a contact.
class ContactStore {
 public:
  explicit ContactStore(store::Database& db) : db_(db) {}

  std::optional<Contact> find(std::string_view username);
  // Every contact, by username.
  std::vector<Contact> list();
  // Throws if the username is already a contact.
  void insert(const Contact& contact);
  // Records a new identity key for the peer and sets identity_changed.
  void change_identity(std::string_view username, const crypto::IdentityPublicKey& key, Trust trust);
  // kTrusted and kVerified also clear identity_changed.
  void set_trust(std::string_view username, Trust trust);

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
