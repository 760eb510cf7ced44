// Message content and envelopes arrive from other users (after decryption) and
// from the relay. Property: parsing never crashes and either refuses with
// ContentError or yields content that encodes back to exactly the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "daemon/service/e2e_content.h"

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
  } catch (const ContentError&) {
  }
  return 0;
}
