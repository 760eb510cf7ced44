// Message content and envelopes arrive from other users (after decryption) and
// from the relay. Property: parsing never crashes and either refuses with
// ContentError or yields content that encodes back to exactly the input. A
// group envelope's body (the input, or the body of an input that is a type-3
// envelope) encodes back behind its type byte, and the sender-key message it
// carries names the envelope's group.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "daemon/service/e2e_content.h"
#include "lib/crypto/sender_key_message.h"

namespace {

// body: what follows the type byte of a type-3 envelope.
void check_group_envelope(sotto::crypto::ByteView body) {
  using namespace sotto::msgd;  // NOLINT(google-build-using-namespace): a fuzz target's helper
  try {
    const GroupEnvelope g = parse_group_envelope(body);
    sotto::crypto::Bytes expected{static_cast<std::uint8_t>(EnvelopeType::kGroup)};
    expected.insert(expected.end(), body.begin(), body.end());
    if (encode_group_envelope(g) != expected) std::abort();
    if (sotto::crypto::parse_sender_key_message(g.message).header.group_id != g.group_id) std::abort();
  } catch (const ContentError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::msgd;  // NOLINT(google-build-using-namespace): a fuzz target's entry point
  const sotto::crypto::ByteView input(data, size);
  try {
    const Content c = parse_content(input);
    if (encode_content(c) != sotto::crypto::Bytes(data, data + size)) std::abort();
  } catch (const ContentError&) {
  }
  try {
    const Envelope e = parse_envelope(input);
    if (encode_envelope(e.type, e.body) != sotto::crypto::Bytes(data, data + size)) std::abort();
    if (e.type == EnvelopeType::kGroup) check_group_envelope(e.body);
  } catch (const ContentError&) {
  }
  check_group_envelope(input);
  return 0;
}
