#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sotto::api {

// JSON values <-> D-Bus variants, the a{sv} form of the API's objects
// (docs/local-api.md "Calling").
//
// JSON -> D-Bus: string s, integer x (t above INT64_MAX), bool b, other
// number d, object a{sv}; arrays by their items: all strings as, all objects
// aa{sv}, all integers ax, all bools ab, all numbers ad, empty as, anything
// else av. null means "absent": a null member or array item is left out
// (D-Bus has no null, and the API never sends one on purpose).
//
// D-Bus -> JSON peeks the variant's signature: every integer type becomes a
// JSON integer, s/o/g strings, d a double, b a bool, a{sv} an object, arrays
// of those and av arrays. Other signatures (structs, other dicts, fds) throw.
//
// Strings: D-Bus carries UTF-8 without NUL bytes and without Unicode
// noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF; sd-bus refuses them).
// Noncharacters travel as U+FFFD, so a message text containing one (a peer
// can send anything) still reaches D-Bus frontends; a NUL byte or invalid
// UTF-8 throws (msgd never holds such text: it would not be valid JSON).
//
// Both directions throw std::invalid_argument for what has no form on the
// other side or is hostile: more than kMaxVariantDepth nested objects and
// arrays (the stack stays bounded whatever a peer sends), a string as above,
// an unsupported signature.
using VariantMap = std::map<std::string, sdbus::Variant>;

inline constexpr std::size_t kMaxVariantDepth = 32;

sdbus::Variant to_variant(const nlohmann::json& value);                      // value must not be null
VariantMap to_variant_map(const nlohmann::json& object);                     // a JSON object
std::vector<VariantMap> to_variant_map_list(const nlohmann::json& objects);  // a JSON array of objects

nlohmann::json to_json(const sdbus::Variant& value);
nlohmann::json to_json(const VariantMap& map);
nlohmann::json to_json(const std::vector<VariantMap>& maps);

// True if sd-bus accepts s as it is: valid UTF-8 without NUL bytes or noncharacters.
bool is_dbus_string(const std::string& s);
// s with each noncharacter replaced by U+FFFD; throws std::invalid_argument
// for a NUL byte or invalid UTF-8.
std::string to_dbus_string(const std::string& s);

}  // namespace sotto::api
