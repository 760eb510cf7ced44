#pragma once

#include <string_view>

namespace sotto::api {

// Where msgd lives on the session bus (DESIGN.md "Names"; stable).
inline constexpr std::string_view kDbusBusName = "org.sotto.Messenger1";
inline constexpr std::string_view kDbusObjectPath = "/org/sotto/Messenger1";
inline constexpr std::string_view kDbusInterface = "org.sotto.Messenger1";

}  // namespace sotto::api
