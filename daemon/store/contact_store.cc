#include "daemon/store/contact_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "lib/store/store_error.h"

namespace sotto::msgd {
namespace {

using store::StepResult;

constexpr const char* kSelectContact =
    "SELECT username, signing_key, dh_key, identity_signature, first_seen_ms, trust, identity_changed FROM contacts";

// The schema's CHECKs fix the lengths; a mismatch means the file was damaged
// or edited by hand.
template <std::size_t N>
std::array<std::uint8_t, N> fixed_blob(const store::Statement& row, int column) {
  const auto bytes = row.column_blob(column);
  if (bytes.size() != N) {
    throw store::StoreError("contacts: column " + std::to_string(column) + " holds " + std::to_string(bytes.size()) +
                                " bytes, expected " + std::to_string(N),
                            SQLITE_CORRUPT);
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Trust parse_trust(const std::string& text) {
  for (Trust trust : {Trust::kTrusted, Trust::kVerified, Trust::kUntrusted}) {
    if (text == to_string(trust)) return trust;
  }
  throw store::StoreError("contacts: unknown trust level in the file", SQLITE_CORRUPT);
}

Contact read_contact(const store::Statement& row) {
  Contact contact;
  contact.username = row.column_text(0);
  contact.identity.signing_key = fixed_blob<crypto::kEd25519PublicKeySize>(row, 1);
  contact.identity.dh_key = fixed_blob<crypto::kX25519KeySize>(row, 2);
  contact.identity.signature = fixed_blob<crypto::kEd25519SignatureSize>(row, 3);
  contact.first_seen_ms = row.column_int64(4);
  contact.trust = parse_trust(row.column_text(5));
  contact.identity_changed = row.column_int64(6) != 0;
  return contact;
}

void require_one_change(store::Database& db, std::string_view what) {
  if (db.changes() != 1) throw std::runtime_error("contacts: " + std::string(what) + ": no such contact");
}

}  // namespace

std::string_view to_string(Trust trust) {
  switch (trust) {
    case Trust::kTrusted:
      return "trusted";
    case Trust::kVerified:
      return "verified";
    case Trust::kUntrusted:
      return "untrusted";
  }
  return "untrusted";
}

std::optional<Contact> ContactStore::find(std::string_view username) {
  auto select = db_.cached(std::string(kSelectContact) + " WHERE username = ?");
  select->bind(1, username);
  if (select->step() != StepResult::Row) return std::nullopt;
  return read_contact(*select);
}

std::vector<Contact> ContactStore::list() {
  auto select = db_.cached(std::string(kSelectContact) + " ORDER BY username");
  std::vector<Contact> contacts;
  while (select->step() == StepResult::Row) contacts.push_back(read_contact(*select));
  return contacts;
}

void ContactStore::insert(const Contact& contact) {
  auto insert = db_.cached(
      "INSERT INTO contacts (username, signing_key, dh_key, identity_signature, first_seen_ms, trust, "
      "identity_changed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING");
  insert->bind(1, contact.username);
  insert->bind(2, crypto::ByteView(contact.identity.signing_key));
  insert->bind(3, crypto::ByteView(contact.identity.dh_key));
  insert->bind(4, crypto::ByteView(contact.identity.signature));
  insert->bind(5, contact.first_seen_ms);
  insert->bind(6, to_string(contact.trust));
  insert->bind(7, contact.identity_changed ? 1 : 0);
  insert->step();
  if (db_.changes() != 1) throw std::runtime_error("contacts: insert: the contact already exists");
}

void ContactStore::change_identity(std::string_view username, const crypto::IdentityPublicKey& key, Trust trust) {
  auto update = db_.cached(
      "UPDATE contacts SET signing_key = ?, dh_key = ?, identity_signature = ?, trust = ?, identity_changed = 1 "
      "WHERE username = ?");
  update->bind(1, crypto::ByteView(key.signing_key));
  update->bind(2, crypto::ByteView(key.dh_key));
  update->bind(3, crypto::ByteView(key.signature));
  update->bind(4, to_string(trust));
  update->bind(5, username);
  update->step();
  require_one_change(db_, "change_identity");
}

void ContactStore::set_trust(std::string_view username, Trust trust) {
  auto update = db_.cached(
      "UPDATE contacts SET trust = ?1, identity_changed = CASE WHEN ?1 = 'untrusted' THEN identity_changed ELSE 0 END "
      "WHERE username = ?2");
  update->bind(1, to_string(trust));
  update->bind(2, username);
  update->step();
  require_one_change(db_, "set_trust");
}

}  // namespace sotto::msgd
