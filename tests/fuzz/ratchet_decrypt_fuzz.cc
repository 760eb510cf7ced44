// Feeds arbitrary bytes to RatchetSession::decrypt as messages from the peer.
// The promise under test (docs/crypto.md, "Double Ratchet"; double_ratchet.h):
// a message either decrypts, which only an authentic message not yet received
// can, or is refused with CryptoError and leaves the session byte-for-byte as
// it was (compared through serialize()). Any other exception escapes and
// fails the run. Each input is used twice:
//
//  1. Whole, as a message to a responder built from fixed values ("fixed
//     Bob"). Alice sessions initiated from the same values made the corpus
//     messages, so those decrypt, and their plaintexts all start with
//     kSeedPrefix. The Alice of part 2's conversation is one of them too,
//     and a message carries the ratchet key it was made with, so her first
//     chain ("a0".."a2") decrypts here as well, in any process: libFuzzer
//     learns those bytes from part 2's comparisons and offers them whole.
//     A success must therefore yield a seed plaintext or one the
//     conversation sent (a message let through without a valid tag would
//     give arbitrary bytes, which match those only by chance). The same
//     bytes a second time must be refused as a replay.
//     (Another such seed is new_alice().encrypt() of a plaintext with that
//     prefix.)
//  2. As an edit of one of the real messages of a session that has run for a
//     while ("talking Bob": a stored skipped key, an ended chain, a pending
//     DH ratchet step). The first byte picks the message; the rest is XORed
//     into it from its first byte, and mask bytes past its end are appended.
//     The result must decrypt exactly when it is unchanged and Bob has not
//     received it yet, and then to its own plaintext. Edits of real headers
//     reach the paths random bytes almost never reach: stored skipped keys,
//     MAX_SKIP in the current, previous and new chains, ratchet steps.
//     RatchetSession draws its ratchet keys from the CSPRNG and takes no
//     seed, so this conversation is made once at start-up with fresh keys;
//     the expected outcome of each input does not depend on them.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/x25519.h"
#include "lib/crypto/x3dh.h"

namespace {

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;
using sotto::crypto::RatchetSession;
using sotto::crypto::SecretBytes;

// Every plaintext in this target's corpus starts with these bytes.
constexpr std::string_view kSeedPrefix = "fuzz seed: ";

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "ratchet_decrypt_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

Bytes to_bytes(std::string_view s) {
  const ByteView v = sotto::crypto::as_bytes(s);
  return Bytes(v.begin(), v.end());
}

Bytes to_bytes(const SecretBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

// 32 bytes counting up from `first`: fixed, recognisable test key material.
SecretBytes counting_bytes(std::uint8_t first) {
  SecretBytes out(32);
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// The fixed X3DH outcome: shared secret, AD and Bob's signed prekey. The AD
// has the real shape (two usernames and identities), with stand-in keys.
const SecretBytes& fixed_shared_secret() {
  static const SecretBytes secret = counting_bytes(0x00);
  return secret;
}

const sotto::crypto::X25519KeyPair& fixed_bob_signed_prekey() {
  static const sotto::crypto::X25519KeyPair key =
      sotto::crypto::X25519KeyPair::from_private(counting_bytes(0x40).view());
  return key;
}

const Bytes& fixed_associated_data() {
  static const Bytes ad = [] {
    sotto::crypto::IdentityPublicKey alice;
    sotto::crypto::IdentityPublicKey bob;
    alice.signing_key.fill(0xa1);
    alice.dh_key.fill(0xa2);
    bob.signing_key.fill(0xb1);
    bob.dh_key.fill(0xb2);
    return sotto::crypto::x3dh_associated_data(alice, "alice", bob, "bob");
  }();
  return ad;
}

// A new Alice (random ratchet key) and a new Bob (fully fixed) of the fixed session.
RatchetSession new_alice() {
  return RatchetSession::initiate(fixed_shared_secret(), fixed_associated_data(),
                                  fixed_bob_signed_prekey().public_key());
}

RatchetSession new_bob() {
  return RatchetSession::respond(fixed_shared_secret(), fixed_associated_data(), fixed_bob_signed_prekey());
}

// Decrypts, or checks that the refusal left the session exactly as it was.
std::optional<Bytes> decrypt_checked(RatchetSession& session, ByteView message) {
  const SecretBytes before = session.serialize();
  try {
    return session.decrypt(message);
  } catch (const sotto::crypto::CryptoError&) {
    check(session.serialize() == before, "a refused message leaves the session byte-identical");
    return std::nullopt;
  }
}

struct RealMessage {
  Bytes bytes;
  Bytes plaintext;
  bool deliverable = false;  // false: Bob has it already, so it is a replay
};

struct Conversation {
  Bytes bob_state;  // Bob's serialized session at the end
  std::vector<RealMessage> messages;
  std::vector<Bytes> alice_plaintexts;  // everything Alice encrypted, kept or not
};

// A short exchange that leaves Bob with something on every decrypt path.
Conversation converse() {
  RatchetSession alice = new_alice();
  RatchetSession bob = new_bob();
  Conversation c;
  const auto send = [&](RatchetSession& from, std::string_view text) {
    if (&from == &alice) c.alice_plaintexts.push_back(to_bytes(text));
    return from.encrypt(to_bytes(text));
  };
  const auto keep = [&](const Bytes& message, std::string_view text, bool deliverable) {
    c.messages.push_back({message, to_bytes(text), deliverable});
  };

  const Bytes a0 = send(alice, "a0");
  bob.decrypt(a0);
  const Bytes a1 = send(alice, "a1");  // overtaken by a2: Bob stores its key
  bob.decrypt(send(alice, "a2"));
  alice.decrypt(send(bob, "b0"));
  const Bytes c0 = send(alice, "c0");  // Bob's DH ratchet step; Alice's first chain ends
  bob.decrypt(c0);
  const Bytes c1 = send(alice, "c1");
  send(alice, "c2");  // c2 and c3 are lost
  send(alice, "c3");
  const Bytes c4 = send(alice, "c4");
  alice.decrypt(send(bob, "b1"));
  const Bytes d0 = send(alice, "d0");  // a new ratchet key, with PN = 5

  // The corpus's pick_* and edit_* seeds choose these by index: keep the order.
  keep(a1, "a1", true);   // stored skipped key
  keep(c1, "c1", true);   // next in the current receiving chain
  keep(c4, "c4", true);   // three ahead in the current chain
  keep(d0, "d0", true);   // DH ratchet step, skipping c1..c4 of the previous chain
  keep(a0, "a0", false);  // replay from an ended chain
  keep(c0, "c0", false);  // replay from the current chain
  c.bob_state = to_bytes(bob.serialize());
  return c;
}

const Conversation& conversation() {
  static const Conversation c = converse();
  return c;
}

// What a genuine sender of the fixed session may have written: a corpus
// seed, or a message of part 2's conversation.
bool is_sent_plaintext(const Bytes& plaintext) {
  const Bytes prefix = to_bytes(kSeedPrefix);
  if (plaintext.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), plaintext.begin())) return true;
  const auto& sent = conversation().alice_plaintexts;
  return std::find(sent.begin(), sent.end(), plaintext) != sent.end();
}

// Part 1: the input as a whole message to the fixed Bob.
void feed_fixed_bob(ByteView message) {
  static RatchetSession bob = new_bob();
  const std::optional<Bytes> plaintext = decrypt_checked(bob, message);
  if (!plaintext) return;
  check(is_sent_plaintext(*plaintext), "only a real message (a corpus seed or the conversation's) decrypts");
  check(bob.has_received_message(), "a decrypted message counts as received");
  check(!decrypt_checked(bob, message), "a message decrypts only once");
  bob = new_bob();
}

// Part 2: the input as an edit of a real message to the talking Bob.
void feed_talking_bob(ByteView input) {
  static RatchetSession bob = RatchetSession::deserialize(conversation().bob_state);
  if (input.empty()) return;

  const RealMessage& real = conversation().messages[input[0] % conversation().messages.size()];
  const ByteView mask = input.subspan(1);
  Bytes edited = real.bytes;
  const std::size_t overlap = std::min(mask.size(), edited.size());
  for (std::size_t i = 0; i < overlap; ++i) edited[i] ^= mask[i];
  edited.insert(edited.end(), mask.begin() + static_cast<long>(overlap), mask.end());
  const bool unchanged = edited == real.bytes;

  const std::optional<Bytes> plaintext = decrypt_checked(bob, edited);
  if (!plaintext) {
    check(!(unchanged && real.deliverable), "a real message Bob has not received decrypts");
    return;
  }
  check(unchanged, "an edited message never decrypts");
  check(real.deliverable, "a message Bob has received already never decrypts again");
  check(*plaintext == real.plaintext, "a message decrypts to its own plaintext");
  check(!decrypt_checked(bob, edited), "a message decrypts only once");
  bob = RatchetSession::deserialize(conversation().bob_state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  feed_fixed_bob(input);
  feed_talking_bob(input);
  return 0;
}
