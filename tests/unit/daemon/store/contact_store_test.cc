#include "daemon/store/contact_store.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "daemon/store/state_database.h"
#include "lib/store/store_error.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::TempDir;

Contact make_contact(std::string username, std::int64_t first_seen_ms = 1000, Trust trust = Trust::kTrusted) {
  return Contact{std::move(username), crypto::IdentityKeyPair::generate().public_key(), first_seen_ms, trust, false};
}

void expect_same(const Contact& a, const Contact& b) {
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.identity, b.identity);
  EXPECT_EQ(a.first_seen_ms, b.first_seen_ms);
  EXPECT_EQ(a.trust, b.trust);
  EXPECT_EQ(a.identity_changed, b.identity_changed);
}

TEST(MsgdStoreContacts, TrustNames) {
  EXPECT_EQ(to_string(Trust::kTrusted), "trusted");
  EXPECT_EQ(to_string(Trust::kVerified), "verified");
  EXPECT_EQ(to_string(Trust::kUntrusted), "untrusted");
}

TEST(MsgdStoreContacts, InsertFindAndSurviveReopen) {
  TempDir dir;
  const Contact bob = make_contact("bob", 1'700'000'000'000, Trust::kVerified);
  Contact carol = make_contact("cärol-\xF0\x9F\x90\x88", 5, Trust::kUntrusted);
  carol.identity_changed = true;
  {
    StateDatabase state(dir.path());
    ContactStore contacts(state.db());
    EXPECT_FALSE(contacts.find("bob").has_value());
    contacts.insert(bob);
    contacts.insert(carol);
  }
  StateDatabase state(dir.path());
  ContactStore contacts(state.db());
  ASSERT_TRUE(contacts.find("bob").has_value());
  expect_same(*contacts.find("bob"), bob);
  expect_same(*contacts.find(carol.username), carol);
  EXPECT_TRUE(contacts.find("bob")->identity.verify());
  EXPECT_FALSE(contacts.find("Bob").has_value());
}

TEST(MsgdStoreContacts, ListIsSortedByUsername) {
  TempDir dir;
  StateDatabase state(dir.path());
  ContactStore contacts(state.db());
  EXPECT_TRUE(contacts.list().empty());
  for (const char* name : {"carol", "alice", "dave", "bob"}) contacts.insert(make_contact(name));
  const auto list = contacts.list();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].username, "alice");
  EXPECT_EQ(list[1].username, "bob");
  EXPECT_EQ(list[2].username, "carol");
  EXPECT_EQ(list[3].username, "dave");
}

TEST(MsgdStoreContacts, InsertingAnExistingContactThrowsAndKeepsTheOriginal) {
  TempDir dir;
  StateDatabase state(dir.path());
  ContactStore contacts(state.db());
  const Contact bob = make_contact("bob");
  contacts.insert(bob);
  EXPECT_THROW(contacts.insert(make_contact("bob", 2, Trust::kUntrusted)), std::runtime_error);
  expect_same(*contacts.find("bob"), bob);
  EXPECT_THROW(contacts.insert(make_contact("")), store::StoreError);
}

TEST(MsgdStoreContacts, ChangeIdentityFlagsTheContactUntilTrustedOrVerified) {
  TempDir dir;
  StateDatabase state(dir.path());
  ContactStore contacts(state.db());
  const Contact bob = make_contact("bob", 42, Trust::kVerified);
  contacts.insert(bob);
  contacts.insert(make_contact("carol"));
  const auto new_key = crypto::IdentityKeyPair::generate().public_key();

  contacts.change_identity("bob", new_key, Trust::kUntrusted);
  auto found = contacts.find("bob");
  EXPECT_EQ(found->identity, new_key);
  EXPECT_EQ(found->trust, Trust::kUntrusted);
  EXPECT_TRUE(found->identity_changed);
  EXPECT_EQ(found->first_seen_ms, 42);
  EXPECT_FALSE(contacts.find("carol")->identity_changed);

  contacts.set_trust("bob", Trust::kUntrusted);
  EXPECT_TRUE(contacts.find("bob")->identity_changed) << "untrusting does not acknowledge the change";
  contacts.set_trust("bob", Trust::kVerified);
  found = contacts.find("bob");
  EXPECT_EQ(found->trust, Trust::kVerified);
  EXPECT_FALSE(found->identity_changed);

  contacts.change_identity("bob", bob.identity, Trust::kTrusted);
  EXPECT_TRUE(contacts.find("bob")->identity_changed);
  contacts.set_trust("bob", Trust::kTrusted);
  found = contacts.find("bob");
  EXPECT_EQ(found->trust, Trust::kTrusted);
  EXPECT_FALSE(found->identity_changed);
  EXPECT_EQ(found->identity, bob.identity);
}

TEST(MsgdStoreContacts, ChangesToAnUnknownContactThrow) {
  TempDir dir;
  StateDatabase state(dir.path());
  ContactStore contacts(state.db());
  EXPECT_THROW(contacts.change_identity("nobody", crypto::IdentityKeyPair::generate().public_key(), Trust::kTrusted),
               std::runtime_error);
  EXPECT_THROW(contacts.set_trust("nobody", Trust::kVerified), std::runtime_error);
  EXPECT_TRUE(contacts.list().empty());
}

TEST(MsgdStoreContacts, TheSchemaRefusesKeysOfTheWrongLength) {
  TempDir dir;
  StateDatabase state(dir.path());
  EXPECT_THROW(state.db().exec("INSERT INTO contacts VALUES ('eve', zeroblob(31), zeroblob(32), zeroblob(64), 0, "
                               "'trusted', 0)"),
               store::StoreError);
  EXPECT_THROW(state.db().exec("INSERT INTO contacts VALUES ('eve', zeroblob(32), zeroblob(32), zeroblob(64), 0, "
                               "'sure', 0)"),
               store::StoreError);
  EXPECT_TRUE(ContactStore(state.db()).list().empty());
}

}  // namespace
}  // namespace sotto::msgd
