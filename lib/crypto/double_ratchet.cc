#include "lib/crypto/double_ratchet.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "lib/crypto/aead.h"
#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/ratchet_message.h"
#include "lib/crypto/ratchet_state.h"
#include "lib/crypto/ratchet_state_codec.h"

namespace sotto::crypto {

namespace {

// The AEAD's associated data: the session's AD (from X3DH) followed by the
// encoded header. The header has a fixed length, so the split is unambiguous.
Bytes message_aad(const Bytes& associated_data, ByteView header_bytes) {
  Bytes aad;
  aad.reserve(associated_data.size() + header_bytes.size());
  append(aad, associated_data);
  append(aad, header_bytes);
  return aad;
}

Bytes open_message(ByteView message_key, ByteView aad, ByteView ciphertext_and_tag) {
  const MessageCipherKey k = derive_message_cipher_key(message_key);
  try {
    return Aes256Gcm(k.key()).open(k.nonce(), aad, ciphertext_and_tag);
  } catch (const CryptoError&) {
    throw CryptoError("ratchet: message authentication failed (tampered, corrupted or not for this session)");
  }
}

// The spec's SkipMessageKeys bound: refuse before deriving anything.
void check_skip(std::uint32_t next, std::uint32_t until, const char* which) {
  if (until > next && until - next > kMaxSkip) {
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on
    // "literal" + std::string.
    std::string msg = "ratchet: message would skip ";
    msg += std::to_string(until - next);
    msg += " message keys in the ";
    msg += which;
    msg += " chain, more than MAX_SKIP (";
    msg += std::to_string(kMaxSkip);
    msg += ")";
    throw CryptoError(msg);
  }
}

// A receiving chain advanced on a copy: the keys skipped on the way, and the
// chain key after the message's own key was taken.
struct PendingSkips {
  std::vector<std::pair<SkippedKeyId, SecretBytes>> keys;
};

// Steps chain_key from message number `from` up to `until` (exclusive),
// recording each message key under ratchet_key; returns the chain key for
// message `until`.
SecretBytes skip_chain(SecretBytes chain_key, const X25519PublicKey& ratchet_key, std::uint32_t from,
                       std::uint32_t until, PendingSkips& pending) {
  if (until > from) pending.keys.reserve(pending.keys.size() + (until - from));
  for (std::uint32_t n = from; n < until; ++n) {
    ChainKdfOutput step = kdf_chain(chain_key.view());
    pending.keys.emplace_back(SkippedKeyId{ratchet_key, n}, std::move(step.message_key));
    chain_key = std::move(step.chain_key);
  }
  return chain_key;
}

// After an authenticated message: expired keys go first, so that they, not
// live ones, make room under the cap for the keys this message skipped.
void commit_skipped(SkippedMessageKeys& skipped, PendingSkips& pending, const SkippedKeyExpiry& expiry) {
  skipped.expire(expiry);
  for (auto& [id, key] : pending.keys) skipped.insert(id, std::move(key), expiry.now());
}

}  // namespace

RatchetSession::RatchetSession(std::unique_ptr<RatchetState> state) : state_(std::move(state)) {}
RatchetSession::RatchetSession(RatchetSession&&) noexcept = default;
RatchetSession& RatchetSession::operator=(RatchetSession&&) noexcept = default;
RatchetSession::~RatchetSession() = default;

RatchetSession RatchetSession::initiate(const SecretBytes& shared_secret, ByteView associated_data,
                                        const X25519PublicKey& peer_signed_prekey) {
  X25519KeyPair dhs = X25519KeyPair::generate();
  RootKdfOutput root = kdf_root(shared_secret.view(), dhs.diffie_hellman(peer_signed_prekey).view());
  auto state = std::make_unique<RatchetState>(Bytes(associated_data.begin(), associated_data.end()),
                                              std::move(root.root_key), std::move(dhs));
  state->remote_ratchet_key = peer_signed_prekey;
  state->sending_chain_key = std::move(root.chain_key);
  return RatchetSession(std::move(state));
}

RatchetSession RatchetSession::respond(const SecretBytes& shared_secret, ByteView associated_data,
                                       const X25519KeyPair& my_signed_prekey) {
  if (shared_secret.size() != kRatchetKeySize) throw CryptoError("ratchet: shared secret must be 32 bytes");
  return RatchetSession(std::make_unique<RatchetState>(Bytes(associated_data.begin(), associated_data.end()),
                                                       shared_secret, my_signed_prekey));
}

RatchetSession RatchetSession::deserialize(ByteView stored, std::chrono::sys_seconds now) {
  return RatchetSession(std::make_unique<RatchetState>(decode_ratchet_state(stored, now)));
}

RatchetSession RatchetSession::deserialize(ByteView stored) {
  return deserialize(stored, SkippedKeyExpiry::at_system_time().now());
}

std::size_t RatchetSession::expire_skipped_keys(const SkippedKeyExpiry& expiry) {
  return state_->skipped.expire(expiry);
}

SecretBytes RatchetSession::serialize() const { return encode_ratchet_state(*state_); }

bool RatchetSession::has_received_message() const { return state_->receiving_chain_key.has_value(); }

Bytes RatchetSession::encrypt(ByteView plaintext) {
  RatchetState& s = *state_;
  if (!s.sending_chain_key) {
    throw CryptoError("ratchet: cannot send before the initiator's first message has been received");
  }
  // N is a u32 on the wire; a chain this long would need 4 billion messages
  // without one reply.
  if (s.send_count == std::numeric_limits<std::uint32_t>::max()) {
    throw CryptoError("ratchet: sending chain exhausted; a reply from the peer is needed");
  }
  ChainKdfOutput step = kdf_chain(s.sending_chain_key->view());

  Bytes out(kRatchetHeaderSize + plaintext.size() + kRatchetTagSize);
  const RatchetHeader header{s.sending_ratchet_key.public_key(), s.previous_send_count, s.send_count};
  encode_ratchet_header(header, std::span<std::uint8_t, kRatchetHeaderSize>(out.data(), kRatchetHeaderSize));
  const ByteView header_bytes(out.data(), kRatchetHeaderSize);

  const MessageCipherKey k = derive_message_cipher_key(step.message_key.view());
  Aes256Gcm(k.key()).seal_into(k.nonce(), message_aad(s.associated_data, header_bytes), plaintext,
                               out.data() + kRatchetHeaderSize);

  s.sending_chain_key = std::move(step.chain_key);
  ++s.send_count;
  return out;
}

Bytes RatchetSession::decrypt(ByteView message) { return decrypt(message, SkippedKeyExpiry::at_system_time()); }

Bytes RatchetSession::decrypt(ByteView message, const SkippedKeyExpiry& expiry) {
  RatchetState& s = *state_;
  const ParsedRatchetMessage m = parse_ratchet_message(message);
  const RatchetHeader& h = m.header;
  const Bytes aad = message_aad(s.associated_data, m.header_bytes);

  // Every path below computes on copies and commits only after the message
  // has authenticated, so a failure leaves the session as it was.

  // 1. A message that was skipped earlier: its key is stored. An expired key
  // still held (no expiry pass has run since it expired) is refused as if it
  // had been removed, but by name.
  const SkippedKeyId id{h.ratchet_key, h.message_number};
  if (const StoredSkippedKey* stored = s.skipped.find(id)) {
    if (expiry.expired(stored->stored_at)) {
      throw CryptoError("ratchet: late message refused: its skipped message key has expired");
    }
    Bytes plaintext = open_message(stored->key.view(), aad, m.ciphertext_and_tag);
    s.skipped.erase(id);
    s.skipped.expire(expiry);
    return plaintext;
  }
  if (h.message_number == std::numeric_limits<std::uint32_t>::max()) {
    throw CryptoError("ratchet: message number out of range");
  }

  // 2. The next message(s) of the current receiving chain.
  if (s.remote_ratchet_key && h.ratchet_key == *s.remote_ratchet_key) {
    if (!s.receiving_chain_key) {
      // Only the initiator's view of the peer's signed prekey gets here; the
      // peer never sends under that key.
      throw CryptoError("ratchet: message authentication failed (tampered, corrupted or not for this session)");
    }
    if (h.message_number < s.receive_count) {
      throw CryptoError(
          "ratchet: duplicate or late message (its key was already used, or discarded: expired or over "
          "the cap)");
    }
    check_skip(s.receive_count, h.message_number, "current");
    PendingSkips pending;
    SecretBytes chain = skip_chain(*s.receiving_chain_key, h.ratchet_key, s.receive_count, h.message_number, pending);
    ChainKdfOutput step = kdf_chain(chain.view());
    Bytes plaintext = open_message(step.message_key.view(), aad, m.ciphertext_and_tag);

    s.receiving_chain_key = std::move(step.chain_key);
    s.receive_count = h.message_number + 1;
    commit_skipped(s.skipped, pending, expiry);
    return plaintext;
  }

  // 3. A chain that has ended: whatever of it was not stored in step 1 is gone.
  if (std::find(s.retired_remote_keys.begin(), s.retired_remote_keys.end(), h.ratchet_key) !=
      s.retired_remote_keys.end()) {
    throw CryptoError(
        "ratchet: duplicate or late message (its chain has ended and its key was already used, or discarded: expired "
        "or over the cap)");
  }
  // 4. A new ratchet key from the peer: a DH ratchet step.
  if (s.receiving_chain_key) check_skip(s.receive_count, h.previous_chain_length, "previous");
  check_skip(0, h.message_number, "new");

  PendingSkips pending;
  if (s.receiving_chain_key && h.previous_chain_length > s.receive_count) {
    skip_chain(*s.receiving_chain_key, *s.remote_ratchet_key, s.receive_count, h.previous_chain_length, pending);
  }
  RootKdfOutput receive_root = kdf_root(s.root_key.view(), s.sending_ratchet_key.diffie_hellman(h.ratchet_key).view());
  X25519KeyPair next_sending_key = X25519KeyPair::generate();
  RootKdfOutput send_root =
      kdf_root(receive_root.root_key.view(), next_sending_key.diffie_hellman(h.ratchet_key).view());
  SecretBytes chain = skip_chain(std::move(receive_root.chain_key), h.ratchet_key, 0, h.message_number, pending);
  ChainKdfOutput step = kdf_chain(chain.view());
  Bytes plaintext = open_message(step.message_key.view(), aad, m.ciphertext_and_tag);

  if (s.remote_ratchet_key) {
    s.retired_remote_keys.push_back(*s.remote_ratchet_key);
    if (s.retired_remote_keys.size() > kMaxRetiredRatchetKeys) s.retired_remote_keys.pop_front();
  }
  s.previous_send_count = s.send_count;
  s.send_count = 0;
  s.receive_count = h.message_number + 1;
  s.remote_ratchet_key = h.ratchet_key;
  s.root_key = std::move(send_root.root_key);
  s.sending_ratchet_key = std::move(next_sending_key);
  s.sending_chain_key = std::move(send_root.chain_key);
  s.receiving_chain_key = std::move(step.chain_key);
  commit_skipped(s.skipped, pending, expiry);
  return plaintext;
}

}  // namespace sotto::crypto
