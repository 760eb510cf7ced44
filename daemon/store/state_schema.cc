#include "daemon/store/state_schema.h"

#include <array>

namespace sotto::msgd {
namespace {

// Version 1.
//
// Tables are STRICT: a value of the wrong type is an error, not silently
// stored. One-row tables carry `slot INTEGER PRIMARY KEY CHECK (slot = 1)` and
// get their row here, so their stores only ever UPDATE and SELECT.
//
// Key material (identity, prekeys, ratchet states, the relay token) is stored
// as lib/crypto's serialize() bytes, which carry their own magic, version and
// checksum: a damaged blob fails to load instead of yielding a wrong key.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE account (
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  username TEXT CHECK (username <> ''),
  token BLOB,
  token_expires_at_ms INTEGER,
  CHECK ((token IS NULL) = (token_expires_at_ms IS NULL))
) STRICT;
INSERT INTO account (slot) VALUES (1);

-- Trust on first use: the relay's certificate fingerprint, per "host:port".
CREATE TABLE relay_pins (
  relay TEXT PRIMARY KEY CHECK (relay <> ''),
  fingerprint TEXT NOT NULL CHECK (fingerprint <> '')
) STRICT, WITHOUT ROWID;

-- msgd's own small settings (timestamps of the last prekey rotation and the like).
CREATE TABLE settings (
  key TEXT PRIMARY KEY CHECK (key <> ''),
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE identity (
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  key_pair BLOB NOT NULL
) STRICT;

CREATE TABLE signed_prekeys (
  prekey_id INTEGER PRIMARY KEY CHECK (prekey_id BETWEEN 0 AND 4294967295),
  key_pair BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE one_time_prekeys (
  prekey_id INTEGER PRIMARY KEY CHECK (prekey_id BETWEEN 0 AND 4294967295),
  key_pair BLOB NOT NULL
) STRICT;

-- The id counters only grow, so a prekey id is never handed out twice (a
-- peer holding an old bundle must never meet a different key under its id).
-- The reference keeps the current signed prekey from being deleted.
CREATE TABLE prekey_state (
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  current_signed_prekey INTEGER REFERENCES signed_prekeys(prekey_id),
  next_signed_prekey_id INTEGER NOT NULL CHECK (next_signed_prekey_id BETWEEN 1 AND 4294967296),
  next_one_time_prekey_id INTEGER NOT NULL CHECK (next_one_time_prekey_id BETWEEN 1 AND 4294967296)
) STRICT;
INSERT INTO prekey_state (slot, next_signed_prekey_id, next_one_time_prekey_id) VALUES (1, 1, 1);

CREATE TABLE sessions (
  peer TEXT PRIMARY KEY CHECK (peer <> ''),
  state BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE contacts (
  username TEXT PRIMARY KEY CHECK (username <> ''),
  signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
  dh_key BLOB NOT NULL CHECK (length(dh_key) = 32),
  identity_signature BLOB NOT NULL CHECK (length(identity_signature) = 64),
  first_seen_ms INTEGER NOT NULL,
  trust TEXT NOT NULL CHECK (trust IN ('trusted', 'verified', 'untrusted')),
  identity_changed INTEGER NOT NULL CHECK (identity_changed IN (0, 1))
) STRICT, WITHOUT ROWID;

-- seq is the insertion order that history pages by. (id, peer) is the
-- de-duplication key and serves find(id); the partial index keeps the unread
-- lookups (inbox, count) from scanning the whole history.
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  peer TEXT NOT NULL CHECK (peer <> ''),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  sender TEXT NOT NULL,
  text TEXT NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'read', 'failed', 'unread')),
  identity_warning INTEGER NOT NULL CHECK (identity_warning IN (0, 1)),
  UNIQUE (id, peer)
) STRICT;
CREATE INDEX messages_by_peer ON messages(peer, seq);
CREATE INDEX messages_unread ON messages(seq) WHERE direction = 'in' AND state = 'unread';

-- What still has to reach the relay. envelope is set once the payload is
-- encrypted, in the same transaction that saves the advanced ratchet, so a
-- resend after a crash sends the same bytes. body is the plaintext payload
-- for kinds other than "text" (whose text lives in messages).
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE CHECK (length(message_id) = 32 AND message_id NOT GLOB '*[^0-9a-f]*'),
  peer TEXT NOT NULL CHECK (peer <> ''),
  kind TEXT NOT NULL CHECK (kind <> ''),
  body BLOB,
  envelope BLOB
) STRICT;

-- The X3DH header of a session this msgd started and the peer has not yet
-- answered: every message to that peer carries it until the peer's first reply.
CREATE TABLE pending_initiations (
  peer TEXT PRIMARY KEY CHECK (peer <> ''),
  ephemeral_public BLOB NOT NULL CHECK (length(ephemeral_public) = 32),
  signed_prekey_id INTEGER NOT NULL,
  one_time_prekey_id INTEGER
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: files. A file message is a row of messages (kind 'file', text
// the caption, the name, size and MIME type as the sender gave them, made
// safe); its transfer, in either direction, is a row of transfers with the
// same id. The file key is key material like the ratchet states.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'file'));
ALTER TABLE messages ADD COLUMN file_name TEXT;
ALTER TABLE messages ADD COLUMN file_size INTEGER;
ALTER TABLE messages ADD COLUMN file_mime TEXT;

-- One file sent or received. Out: preparing (hashing) -> uploading -> uploaded,
-- or failed / cancelled. In: available -> downloading -> downloaded -> saved,
-- or failed / cancelled. bytes counts plaintext bytes done. source: out, the
-- file being sent; in, where the verified file is (msgd's files folder, or
-- where it was saved). save_to: in, where SaveFile asked to write it.
CREATE TABLE transfers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  peer TEXT NOT NULL CHECK (peer <> ''),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  name TEXT NOT NULL CHECK (name <> ''),
  size INTEGER NOT NULL CHECK (size >= 0),
  mime TEXT NOT NULL,
  caption TEXT NOT NULL,
  file_key BLOB NOT NULL CHECK (length(file_key) = 32),
  ciphertext_size INTEGER,
  ciphertext_sha256 BLOB CHECK (ciphertext_sha256 IS NULL OR length(ciphertext_sha256) = 32),
  blob_id TEXT,
  source TEXT NOT NULL DEFAULT '',
  source_mtime_ns INTEGER,
  save_to TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('preparing', 'uploading', 'uploaded', 'available', 'downloading',
                                       'downloaded', 'saved', 'failed', 'cancelled')),
  bytes INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX transfers_by_peer ON transfers(peer, seq);
)sql";

// Version 3: sessions with a peer that a newer session replaced, kept to
// decrypt what the peer sealed under them. Two users who write to each other
// for the first time at once each start a session and then take up the
// other's; until both sides settle on one, messages under either pair arrive.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE previous_sessions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  peer TEXT NOT NULL CHECK (peer <> ''),
  state BLOB NOT NULL
) STRICT;
CREATE INDEX previous_sessions_by_peer ON previous_sessions(peer, seq);
)sql";

// Version 4: groups (daemon/store/group_store.h). The outbox learns the
// recipients of a group message (fixed when it is encrypted, so a resend goes
// to the same members) and gets the index the "anything of this peer still
// to encrypt?" check needs (Outbox::has_unsealed ran a full scan before).
constexpr const char* kVersion4 = R"sql(
CREATE TABLE groups (
  id TEXT PRIMARY KEY CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  name TEXT NOT NULL,
  epoch INTEGER NOT NULL CHECK (epoch >= 1),
  state BLOB NOT NULL,
  state_hash BLOB NOT NULL CHECK (length(state_hash) = 32),
  previous_hash BLOB CHECK (previous_hash IS NULL OR length(previous_hash) = 32),
  status TEXT NOT NULL CHECK (status IN ('member', 'removed', 'left')),
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX groups_by_name ON groups(name);
CREATE TABLE group_chains (
  group_id TEXT PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  state BLOB NOT NULL
) STRICT;
CREATE TABLE group_receivers (
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  sender TEXT NOT NULL CHECK (sender <> ''),
  key_id INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (group_id, sender, key_id)
) STRICT;
CREATE TABLE group_keys_sent (
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  key_id INTEGER NOT NULL,
  member TEXT NOT NULL,
  PRIMARY KEY (group_id, key_id, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE group_pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  sender TEXT NOT NULL,
  message_id TEXT NOT NULL CHECK (length(message_id) = 32 AND message_id NOT GLOB '*[^0-9a-f]*'),
  envelope BLOB NOT NULL,
  received_at_ms INTEGER NOT NULL,
  UNIQUE (group_id, message_id)
) STRICT;
ALTER TABLE outbox ADD COLUMN recipients TEXT;
CREATE INDEX outbox_unsealed ON outbox(peer, seq) WHERE envelope IS NULL;
)sql";

constexpr std::array<store::Migration, 4> kMigrations{{
    {"account, keys, sessions, contacts, messages, outbox", kVersion1},
    {"file messages and transfers", kVersion2},
    {"previous sessions", kVersion3},
    {"groups", kVersion4},
}};

}  // namespace

std::span<const store::Migration> state_migrations() { return kMigrations; }

}  // namespace sotto::msgd
