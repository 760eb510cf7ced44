#include "lib/api/dbus/variant_conversion.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace sotto::api {
namespace {

using nlohmann::json;

void check_depth(std::size_t depth) {
  if (depth > kMaxVariantDepth) {
    throw std::invalid_argument("value nested deeper than " + std::to_string(kMaxVariantDepth) + " levels");
  }
}

bool fits_int64(const json& v) {
  return v.is_number_integer() &&
         (!v.is_number_unsigned() || v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
}

sdbus::Variant to_variant_at(const json& value, std::size_t depth);
VariantMap to_variant_map_at(const json& object, std::size_t depth);

template <typename T, typename Get>
sdbus::Variant vector_variant(const std::vector<const json*>& items, Get get) {
  std::vector<T> out;
  out.reserve(items.size());
  for (const json* item : items) out.push_back(get(*item));
  return sdbus::Variant(out);
}

sdbus::Variant array_to_variant(const json& array, std::size_t depth) {
  std::vector<const json*> items;
  for (const auto& item : array) {
    if (!item.is_null()) items.push_back(&item);
  }
  auto all = [&](auto pred) {
    return std::all_of(items.begin(), items.end(), [&](const json* j) { return pred(*j); });
  };
  if (all([](const json& j) { return j.is_string(); })) {  // also the empty array
    return vector_variant<std::string>(items,
                                       [](const json& j) { return to_dbus_string(j.get_ref<const std::string&>()); });
  }
  if (all([](const json& j) { return j.is_object(); })) {
    return vector_variant<VariantMap>(items, [&](const json& j) { return to_variant_map_at(j, depth + 1); });
  }
  if (all([](const json& j) { return fits_int64(j); })) {
    return vector_variant<std::int64_t>(items, [](const json& j) { return j.get<std::int64_t>(); });
  }
  if (all([](const json& j) { return j.is_boolean(); })) {
    return vector_variant<bool>(items, [](const json& j) { return j.get<bool>(); });
  }
  if (all([](const json& j) { return j.is_number(); })) {
    return vector_variant<double>(items, [](const json& j) { return j.get<double>(); });
  }
  return vector_variant<sdbus::Variant>(items, [&](const json& j) { return to_variant_at(j, depth); });
}

sdbus::Variant to_variant_at(const json& value, std::size_t depth) {
  check_depth(depth);
  switch (value.type()) {
    case json::value_t::string:
      return sdbus::Variant(to_dbus_string(value.get_ref<const std::string&>()));
    case json::value_t::number_integer:
      return sdbus::Variant(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      if (fits_int64(value)) return sdbus::Variant(value.get<std::int64_t>());
      return sdbus::Variant(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return sdbus::Variant(value.get<double>());
    case json::value_t::boolean:
      return sdbus::Variant(value.get<bool>());
    case json::value_t::object:
      return sdbus::Variant(to_variant_map_at(value, depth + 1));
    case json::value_t::array:
      return array_to_variant(value, depth + 1);
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  throw std::invalid_argument(std::string("a JSON ") + value.type_name() + " has no D-Bus form");
}

VariantMap to_variant_map_at(const json& object, std::size_t depth) {
  check_depth(depth);
  if (!object.is_object())
    throw std::invalid_argument(std::string("expected a JSON object, not ") + object.type_name());
  VariantMap out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_null()) continue;
    out.emplace(to_dbus_string(key), to_variant_at(value, depth));
  }
  return out;
}

json to_json_at(const sdbus::Variant& value, std::size_t depth);

json map_to_json(const VariantMap& map, std::size_t depth) {
  check_depth(depth);
  json out = json::object();
  for (const auto& [key, value] : map) out[key] = to_json_at(value, depth);
  return out;
}

template <typename T>
json array_to_json(const sdbus::Variant& value) {
  json out = json::array();
  for (const auto& item : value.get<std::vector<T>>()) out.push_back(item);
  return out;
}

json to_json_at(const sdbus::Variant& value, std::size_t depth) {
  check_depth(depth);
  const std::string sig = value.peekValueType();
  if (sig.size() == 1) {
    switch (sig[0]) {
      case 's':
        return value.get<std::string>();
      case 'o':
        return std::string(value.get<sdbus::ObjectPath>());
      case 'g':
        return std::string(value.get<sdbus::Signature>());
      case 'b':
        return value.get<bool>();
      case 'y':
        return value.get<std::uint8_t>();
      case 'n':
        return value.get<std::int16_t>();
      case 'q':
        return value.get<std::uint16_t>();
      case 'i':
        return value.get<std::int32_t>();
      case 'u':
        return value.get<std::uint32_t>();
      case 'x':
        return value.get<std::int64_t>();
      case 't':
        return value.get<std::uint64_t>();
      case 'd':
        return value.get<double>();
      case 'v':
        return to_json_at(value.get<sdbus::Variant>(), depth + 1);
      default:
        break;
    }
  }
  if (sig == "a{sv}") return map_to_json(value.get<VariantMap>(), depth + 1);
  if (sig == "aa{sv}") {
    check_depth(depth + 1);
    json out = json::array();
    for (const auto& map : value.get<std::vector<VariantMap>>()) out.push_back(map_to_json(map, depth + 2));
    return out;
  }
  if (sig == "av") {
    check_depth(depth + 1);
    json out = json::array();
    for (const auto& item : value.get<std::vector<sdbus::Variant>>()) out.push_back(to_json_at(item, depth + 1));
    return out;
  }
  if (sig == "as") return array_to_json<std::string>(value);
  if (sig == "ax") return array_to_json<std::int64_t>(value);
  if (sig == "at") return array_to_json<std::uint64_t>(value);
  if (sig == "ai") return array_to_json<std::int32_t>(value);
  if (sig == "au") return array_to_json<std::uint32_t>(value);
  if (sig == "ab") return array_to_json<bool>(value);
  if (sig == "ad") return array_to_json<double>(value);
  throw std::invalid_argument("D-Bus type '" + sig + "' has no JSON form here");
}

// Unicode noncharacters: valid in UTF-8 and JSON, refused by sd-bus.
bool is_noncharacter(std::uint32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; }

// Decodes one UTF-8 sequence at s[i]: its code point and length, or nullopt
// for a NUL byte, a malformed or overlong sequence, a surrogate or a value
// beyond U+10FFFF.
struct CodePoint {
  std::uint32_t value;
  std::size_t length;
};
std::optional<CodePoint> decode(const std::string& s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 == 0) return std::nullopt;
  if (b0 < 0x80) return CodePoint{b0, 1};
  std::size_t len = 0;
  std::uint32_t c = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07;
    min = 0x10000;
  } else {
    return std::nullopt;  // a continuation byte, or 0xF8..0xFF
  }
  if (s.size() - i < len) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
  return CodePoint{c, len};
}

}  // namespace

sdbus::Variant to_variant(const json& value) { return to_variant_at(value, 0); }

VariantMap to_variant_map(const json& object) { return to_variant_map_at(object, 1); }

std::vector<VariantMap> to_variant_map_list(const json& objects) {
  if (!objects.is_array())
    throw std::invalid_argument(std::string("expected a JSON array, not ") + objects.type_name());
  std::vector<VariantMap> out;
  out.reserve(objects.size());
  for (const auto& object : objects) out.push_back(to_variant_map_at(object, 2));
  return out;
}

json to_json(const sdbus::Variant& value) { return to_json_at(value, 0); }

json to_json(const VariantMap& map) { return map_to_json(map, 1); }

json to_json(const std::vector<VariantMap>& maps) {
  json out = json::array();
  for (const auto& map : maps) out.push_back(map_to_json(map, 2));
  return out;
}

bool is_dbus_string(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto cp = decode(s, i);
    if (!cp || is_noncharacter(cp->value)) return false;
    i += cp->length;
  }
  return true;
}

std::string to_dbus_string(const std::string& s) {
  std::string out;
  std::size_t copied = 0;  // s[copied, i) still to copy
  for (std::size_t i = 0; i < s.size();) {
    auto cp = decode(s, i);
    if (!cp) throw std::invalid_argument("a string with a NUL byte or invalid UTF-8 has no D-Bus form");
    if (is_noncharacter(cp->value)) {
      out.append(s, copied, i - copied);
      out += "\xEF\xBF\xBD";  // U+FFFD
      copied = i + cp->length;
    }
    i += cp->length;
  }
  if (copied == 0) return s;
  out.append(s, copied, std::string::npos);
  return out;
}

}  // namespace sotto::api
