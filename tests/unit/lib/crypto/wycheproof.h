#pragma once

// Loads Project Wycheproof vector files (tests/data/wycheproof/, see the README
// there) into a flat list, so that each test can walk every vector of a file
// and count them.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"

namespace sotto::crypto::wycheproof {

// What a vector's "result" field asks of an implementation. "acceptable"
// leaves the choice to the implementation; each test writes down its policy.
enum class Expectation { kValid, kInvalid, kAcceptable };

// One vector together with the parameters of the group that holds it.
struct Vector {
  int tc_id = 0;
  Expectation expectation = Expectation::kInvalid;
  std::vector<std::string> flags;
  nlohmann::json group;   // the group's own fields, without its "tests" array
  nlohmann::json fields;  // the vector's fields: "msg", "key", "tag", ...

  bool has_flag(std::string_view flag) const;
  // A hex-encoded field of the vector. Throws std::runtime_error naming the
  // field and the vector when it is absent, not a string, or not hex.
  Bytes bytes(const char* name) const;
  // An integer field of the group ("keySize", "tagSize"), with the same errors.
  int group_int(const char* name) const;
  // Names the vector in failure messages: "tcId 17 [ModifiedTag] Flipped bit 0 in tag".
  std::string label() const;
};

struct VectorFile {
  std::string algorithm;
  // The file's own "numberOfTests"; tests compare it with how many vectors they
  // ran, so a loader that silently drops vectors cannot pass.
  std::size_t declared_count = 0;
  std::vector<Vector> vectors;  // every vector of every group, in file order
};

// Reads SOTTO_TEST_DATA_DIR/wycheproof/<file_name>. Throws std::runtime_error
// naming the file when it cannot be read, is not JSON, lacks the expected
// structure, or a vector has no tcId or an unknown result.
VectorFile load(std::string_view file_name);

}  // namespace sotto::crypto::wycheproof
