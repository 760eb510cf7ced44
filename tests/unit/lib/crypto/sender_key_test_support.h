#pragma once

// Shared set-up for the sender-key tests: fixed group ids and contexts.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sender_key_message.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto::testing {

inline GroupId group_id_from(std::uint8_t start) {
  GroupId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(start + i);
  return id;
}

// What msgd is expected to pass as the context: u8 username length ||
// username || u64 BE group epoch. Any unambiguous encoding would do.
inline Bytes group_context(std::string_view sender, std::uint64_t epoch) {
  Bytes out{static_cast<std::uint8_t>(sender.size())};
  append(out, as_bytes(sender));
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(epoch >> shift));
  return out;
}

}  // namespace sotto::crypto::testing
