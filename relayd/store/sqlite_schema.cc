#include "relayd/store/sqlite_schema.h"

#include <array>

namespace sotto::relayd {
namespace {

// Version 1.
//
// Tables are STRICT (SQLite >= 3.37): a value of the wrong type is an error,
// not silently stored. Every lookup SqliteStore makes has an index; the
// comments name the lookups. Rows that belong to a user reference users(id)
// with ON DELETE CASCADE, so removing a user removes them.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,            -- find_user, and every name-to-id lookup
  password_hash TEXT NOT NULL,
  signing_key BLOB NOT NULL,
  dh_key BLOB NOT NULL,
  identity_signature BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
  token_sha256 BLOB PRIMARY KEY CHECK (length(token_sha256) = 32),  -- find_token
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_name TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens(user_id);           -- revoke_user_tokens, list_tokens, cascade
CREATE INDEX tokens_by_expiry ON tokens(expires_at_ms);   -- expire

CREATE TABLE invites (
  code_sha256 BLOB PRIMARY KEY CHECK (length(code_sha256) = 32),  -- consume_invite
  expires_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX invites_by_expiry ON invites(expires_at_ms);

CREATE TABLE signed_prekeys (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  prekey_id INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature BLOB NOT NULL
) STRICT;

-- The key (user_id, prekey_id) serves the take-one query (lowest id first),
-- counting, and the cascade.
CREATE TABLE one_time_prekeys (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  prekey_id INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  PRIMARY KEY (user_id, prekey_id)
) STRICT, WITHOUT ROWID;

-- One row per Send: the envelope once, however many recipients it has, and
-- the idempotency record (sender, message_id). The row lives until the
-- envelope expires, so a repeated Send is recognised for the envelope's whole
-- lifetime; once every recipient has acknowledged, the envelope bytes are
-- dropped (set to NULL) and only the record remains. `sender` is a name, not
-- a reference: envelopes a removed user sent stay queued for their recipients.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  message_id BLOB NOT NULL CHECK (length(message_id) = 16),
  envelope BLOB,
  envelope_size INTEGER NOT NULL,
  server_time_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  pending INTEGER NOT NULL,                 -- deliveries not yet acknowledged
  -- The duplicate check. message_id leads: if clients make ids that start
  -- with a timestamp, new entries land at the end of this index instead of
  -- on a random page, which cuts the pages each group commit writes.
  UNIQUE (message_id, sender)
) STRICT;
CREATE INDEX messages_by_expiry ON messages(expires_at_ms);

-- One row per (message, recipient) still queued. AUTOINCREMENT makes
-- delivery ids strictly increasing and never reused: without it SQLite may
-- hand out the id of a just-deleted row again, and a late or repeated
-- DeliverAck for the old id would delete the new envelope unseen.
CREATE TABLE deliveries (
  delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_row INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  envelope_size INTEGER NOT NULL            -- copied so the delete trigger needs no lookup
) STRICT;
CREATE INDEX deliveries_by_recipient ON deliveries(recipient_id, delivery_id);  -- pending, ack, cascade
CREATE INDEX deliveries_by_message ON deliveries(message_row);                  -- cascade from messages

-- Per-recipient queue totals, so a quota check reads one row instead of
-- scanning the queue. commit_sends adds what it queues; the trigger below
-- subtracts whatever is deleted, by ack, expiry or cascade.
CREATE TABLE queue_usage (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  envelopes INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TRIGGER users_get_queue_usage AFTER INSERT ON users BEGIN
  INSERT INTO queue_usage (user_id) VALUES (NEW.id);
END;

CREATE TRIGGER deliveries_release AFTER DELETE ON deliveries BEGIN
  UPDATE queue_usage SET envelopes = envelopes - 1, bytes = bytes - OLD.envelope_size
   WHERE user_id = OLD.recipient_id;
  UPDATE messages SET pending = pending - 1, envelope = CASE WHEN pending <= 1 THEN NULL ELSE envelope END
   WHERE id = OLD.message_row;
END;

CREATE TABLE blobs (
  blob_id TEXT PRIMARY KEY,                 -- blob()
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  size INTEGER NOT NULL,
  sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
  received INTEGER NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0,
  expires_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX blobs_by_owner ON blobs(owner_id);          -- blob_usage, quota check, remove_user
CREATE INDEX blobs_by_expiry ON blobs(expires_at_ms);    -- expire
)sql";

// Version 2: who may fetch a blob (BlobEnd.readers) and BlobRelease.
//
// `restricted` is set when BlobEnd listed readers: only the owner and readers
// still holding a claim may fetch the blob. It is kept apart from the claims
// themselves so that a restricted blob whose claims are all gone (a reader's
// account removed) stays closed to everyone else instead of becoming
// fetchable by anyone with the id. Existing rows become unrestricted blobs,
// which is what every version-1 blob was.
//
// One row per reader still holding a claim; BlobRelease deletes it, and the
// blob with it once no claim remains. Rows follow their blob and their reader
// by ON DELETE CASCADE.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE blobs ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE blob_readers (
  blob_id TEXT NOT NULL REFERENCES blobs(blob_id) ON DELETE CASCADE,
  reader_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (blob_id, reader_id)            -- holds_blob_claim, release_blob, blob_readers, cascade from blobs
) STRICT, WITHOUT ROWID;
CREATE INDEX blob_readers_by_reader ON blob_readers(reader_id);  -- remove_user, cascade from users
)sql";

// Version 3: the log of deleted tokens, which running relays poll to close
// the connections that were authenticated with them.
//
// A trigger rather than the store's methods writes it, so that every way a
// token goes — Logout, `relayd user revoke`, a password change, an account
// removed (ON DELETE CASCADE fires it too), expiry — is logged, including
// the admin commands, which run in another process with no channel to the
// relay but this file. Rows are only needed until every running relay has
// read them (a relay polls several times a second and starts after the
// newest row), so expire() deletes those older than an hour.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE token_revocations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,      -- token_revocations_after; never reused
  token_sha256 BLOB NOT NULL CHECK (length(token_sha256) = 32),
  revoked_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX token_revocations_by_time ON token_revocations(revoked_at_ms);  -- expire

CREATE TRIGGER tokens_log_revocation AFTER DELETE ON tokens BEGIN
  INSERT INTO token_revocations (token_sha256, revoked_at_ms)
  VALUES (OLD.token_sha256, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
END;
)sql";

constexpr std::array<store::Migration, 3> kMigrations{{
    {"users, tokens, invites, prekeys, envelopes, blobs", kVersion1},
    {"blob readers and restricted blobs", kVersion2},
    {"token revocation log", kVersion3},
}};

}  // namespace

std::span<const store::Migration> sqlite_store_migrations() { return kMigrations; }

}  // namespace sotto::relayd
