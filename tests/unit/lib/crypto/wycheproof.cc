#include "tests/unit/lib/crypto/wycheproof.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "lib/crypto/error.h"

namespace sotto::crypto::wycheproof {

namespace {

Expectation parse_expectation(const std::string& result) {
  if (result == "valid") return Expectation::kValid;
  if (result == "invalid") return Expectation::kInvalid;
  if (result == "acceptable") return Expectation::kAcceptable;
  throw std::runtime_error("unknown Wycheproof result \"" + result + "\"");
}

const nlohmann::json& member(const nlohmann::json& object, const char* name, const std::string& where) {
  if (!object.is_object() || !object.contains(name)) {
    throw std::runtime_error(where + ": missing \"" + name + "\"");
  }
  return object.at(name);
}

VectorFile from_json(const nlohmann::json& root, const std::string& path) {
  VectorFile file;
  file.algorithm = member(root, "algorithm", path).get<std::string>();
  file.declared_count = member(root, "numberOfTests", path).get<std::size_t>();
  const nlohmann::json& groups = member(root, "testGroups", path);
  if (!groups.is_array()) throw std::runtime_error(path + ": \"testGroups\" is not an array");

  for (const nlohmann::json& group : groups) {
    const nlohmann::json& tests = member(group, "tests", path + " group");
    if (!tests.is_array()) throw std::runtime_error(path + ": a group's \"tests\" is not an array");
    nlohmann::json params = group;
    params.erase("tests");
    for (const nlohmann::json& test : tests) {
      Vector v;
      v.tc_id = member(test, "tcId", path + " vector").get<int>();
      const std::string where = path + " tcId " + std::to_string(v.tc_id);
      v.expectation = parse_expectation(member(test, "result", where).get<std::string>());
      if (test.contains("flags")) v.flags = test.at("flags").get<std::vector<std::string>>();
      v.group = params;
      v.fields = test;
      file.vectors.push_back(std::move(v));
    }
  }
  return file;
}

}  // namespace

bool Vector::has_flag(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

Bytes Vector::bytes(const char* name) const {
  const nlohmann::json& value = member(fields, name, label());
  if (!value.is_string()) throw std::runtime_error(label() + ": \"" + name + "\" is not a string");
  try {
    return from_hex(value.get<std::string>());
  } catch (const CryptoError& e) {
    throw std::runtime_error(label() + ": \"" + name + "\" is not hex: " + e.what());
  }
}

int Vector::group_int(const char* name) const {
  const nlohmann::json& value = member(group, name, label() + " group");
  if (!value.is_number_integer()) throw std::runtime_error(label() + ": group \"" + name + "\" is not an integer");
  return value.get<int>();
}

// Built by appending only: g++ 12 at -O3 reports a false -Wrestrict for
// `"literal" + std::string&&` (GCC bug 105329), which -Werror turns into a failure.
std::string Vector::label() const {
  std::string out = "tcId ";
  out += std::to_string(tc_id);
  out += " [";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out += ",";
    out += flags[i];
  }
  out += "]";
  if (fields.contains("comment") && fields.at("comment").is_string()) {
    out += ' ';
    out += fields.at("comment").get<std::string>();
  }
  return out;
}

VectorFile load(std::string_view file_name) {
  const std::string path = std::string(SOTTO_TEST_DATA_DIR) + "/wycheproof/" + std::string(file_name);
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  try {
    return from_json(nlohmann::json::parse(in), path);
  } catch (const nlohmann::json::exception& e) {
    // Malformed JSON or a field of the wrong type: report it as a data error
    // naming the file, like the structural checks above.
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace sotto::crypto::wycheproof
