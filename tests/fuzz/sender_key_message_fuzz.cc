// Feeds arbitrary bytes to SenderKeyReceiver::decrypt as group messages. The
// promise under test (docs/crypto.md, "Groups: sender keys";
// sender_key_receiver.h): a message either decrypts, which only a message of
// the chain not yet read can, or is refused with CryptoError and leaves the
// receiver byte-for-byte as it was (compared through serialize()). Any other
// exception escapes and fails the run. The fixed chain and conversation are
// in sender_key_fixture.h. Each input is used three ways:
//
//  1. Whole, as a message to a fresh receiver of the fixed chain. Every
//     message that chain makes has a plaintext starting with
//     kSenderKeySeedPrefix: a success must yield one, and the same bytes a
//     second time must be refused as a replay; each of the conversation's
//     messages must decrypt.
//  2. As an edit of a message of the conversation, to the receiver that has
//     read some of it (a "talking" receiver with skipped keys). The first
//     byte picks the message (kPicks); the rest is XORed into it from its
//     first byte, and mask bytes past its end are appended. It must decrypt
//     exactly when unchanged and not yet read, and then to its own plaintext.
//  3. As the signed part of a message, signed here with the chain's own
//     signing key, to the talking receiver: what the chain's owner (the one
//     party who can sign) could send. Edits of the signed part almost never
//     get past the signature in part 2; here they reach the checks behind
//     it: replays, skipped keys, MAX_SKIP, iteration 2^32 - 1, the AEAD. The
//     owner can sign anything but cannot forge GCM tags for keys it never
//     used, so a success must be one of the conversation's unread messages,
//     and each of those must succeed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/error.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_message.h"
#include "lib/crypto/sender_key_receiver.h"
#include "tests/fuzz/sender_key_fixture.h"

namespace {

using sotto::crypto::Bytes;
using sotto::crypto::ByteView;
using sotto::crypto::SecretBytes;
using sotto::crypto::SenderKeyReceiver;

// The conversation messages part 2 edits, by the input's first byte. The
// corpus's pick_* seeds choose these by index: keep the order.
constexpr std::size_t kPicks[] = {
    1,  // held as a skipped key
    6,  // the next iteration
    9,  // three ahead
    0,  // read already, below every skipped key
    5,  // read already, the latest
    3,  // held as a skipped key, between two read ones
};

void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "sender_key_message_fuzz: property violated: %s\n", property);
    std::abort();
  }
}

bool same_bytes(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

Bytes serialized(const SenderKeyReceiver& r) {
  const SecretBytes b = r.serialize();
  return Bytes(b.view().begin(), b.view().end());
}

// Decrypts, or checks that the refusal left the receiver exactly as it was.
std::optional<Bytes> decrypt_checked(SenderKeyReceiver& receiver, ByteView message) {
  const Bytes before = serialized(receiver);
  try {
    return receiver.decrypt(message, sotto::fuzz::fixed_context());
  } catch (const sotto::crypto::CryptoError&) {
    check(serialized(receiver) == before, "a refused message leaves the receiver byte-identical");
    return std::nullopt;
  }
}

const sotto::fuzz::Conversation& conversation() {
  static const sotto::fuzz::Conversation c = sotto::fuzz::fixed_conversation();
  return c;
}

SenderKeyReceiver talking_receiver() { return SenderKeyReceiver::deserialize(conversation().receiver_state); }

// Part 1: the input as a whole message to a fresh receiver of the fixed chain.
// Its conversation messages all lie within MAX_SKIP of iteration 0.
void feed_fresh_receiver(ByteView message) {
  static SenderKeyReceiver receiver = SenderKeyReceiver::from_distribution(sotto::fuzz::fixed_chain().distribution());
  const std::optional<Bytes> plaintext = decrypt_checked(receiver, message);
  const auto& messages = conversation().messages;
  const bool real =
      std::any_of(messages.begin(), messages.end(), [&](const auto& m) { return same_bytes(m.bytes, message); });
  if (!plaintext) {
    check(!real, "every message of the fixed chain decrypts at a fresh receiver");
    return;
  }
  const Bytes prefix = sotto::fuzz::to_fixture_bytes(sotto::fuzz::kSenderKeySeedPrefix);
  check(plaintext->size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), plaintext->begin()),
        "only a message of the fixed chain decrypts");
  check(!decrypt_checked(receiver, message), "a message decrypts only once");
  receiver = SenderKeyReceiver::from_distribution(sotto::fuzz::fixed_chain().distribution());
}

// Part 2: the input as an edit of a conversation message.
void feed_edit(ByteView input) {
  static SenderKeyReceiver receiver = talking_receiver();
  if (input.empty()) return;
  const sotto::fuzz::ConversationMessage& real = conversation().messages[kPicks[input[0] % std::size(kPicks)]];
  const ByteView mask = input.subspan(1);
  Bytes edited = real.bytes;
  const std::size_t overlap = std::min(mask.size(), edited.size());
  for (std::size_t i = 0; i < overlap; ++i) edited[i] ^= mask[i];
  edited.insert(edited.end(), mask.begin() + static_cast<long>(overlap), mask.end());
  const bool unchanged = edited == real.bytes;

  const std::optional<Bytes> plaintext = decrypt_checked(receiver, edited);
  if (!plaintext) {
    check(!(unchanged && real.deliverable), "a conversation message not yet read decrypts");
    return;
  }
  check(unchanged, "an edited message never decrypts");
  check(real.deliverable, "a message already read never decrypts again");
  check(*plaintext == real.plaintext, "a message decrypts to its own plaintext");
  check(!decrypt_checked(receiver, edited), "a message decrypts only once");
  receiver = talking_receiver();
}

// Part 3: the input as a signed part, signed by the chain's owner.
void feed_signed_by_owner(ByteView signed_part) {
  static SenderKeyReceiver receiver = talking_receiver();
  static const sotto::crypto::Ed25519KeyPair signer =
      sotto::crypto::Ed25519KeyPair::from_seed(sotto::fuzz::counting(0x40, 32));
  // Past the parser's size checks only from here: shorter inputs are still
  // fed (and refused), just not worth a signature.
  Bytes message(signed_part.begin(), signed_part.end());
  if (message.size() >= sotto::crypto::kSenderKeyHeaderSize) {
    const sotto::crypto::Ed25519Signature sig = signer.sign(signed_part);
    message.insert(message.end(), sig.begin(), sig.end());
  }
  const std::optional<Bytes> plaintext = decrypt_checked(receiver, message);
  const auto& messages = conversation().messages;
  const auto real = std::find_if(messages.begin(), messages.end(), [&](const auto& m) { return m.bytes == message; });
  if (!plaintext) {
    check(real == messages.end() || !real->deliverable, "a conversation message not yet read decrypts");
    return;
  }
  check(real != messages.end(), "only a message the chain made decrypts, whoever signs");
  check(real->deliverable, "a message already read never decrypts again");
  check(*plaintext == real->plaintext, "a message decrypts to its own plaintext");
  check(!decrypt_checked(receiver, message), "a message decrypts only once");
  receiver = talking_receiver();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  feed_fresh_receiver(input);
  feed_edit(input);
  feed_signed_by_owner(input);
  return 0;
}
