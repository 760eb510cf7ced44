#include "lib/api/api_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sotto::api {
namespace {

constexpr int kLastName = static_cast<int>(ErrorName::kTimeout);

TEST(ApiErrorTable, CoversEveryNameOnceWithUniqueIdsAndCodes) {
  std::set<int> names;
  std::set<std::string_view> ids;
  std::set<int> codes;
  for (const ErrorInfo& info : error_table()) {
    EXPECT_TRUE(names.insert(static_cast<int>(info.name)).second);
    EXPECT_TRUE(ids.insert(info.id).second) << info.id;
    EXPECT_TRUE(codes.insert(info.jsonrpc_code).second) << info.jsonrpc_code;
    EXPECT_FALSE(info.id.empty());
  }
  EXPECT_EQ(error_table().size(), static_cast<std::size_t>(kLastName + 1));
  for (int n = 0; n <= kLastName; ++n) {
    const auto name = static_cast<ErrorName>(n);
    EXPECT_TRUE(names.contains(n)) << n;
    EXPECT_EQ(error_info(name).name, name);
  }
}

TEST(ApiErrorTable, UsesTheJsonRpcCodesOfTheSpec) {
  EXPECT_EQ(error_info(ErrorName::kParseError).jsonrpc_code, -32700);
  EXPECT_EQ(error_info(ErrorName::kInvalidRequest).jsonrpc_code, -32600);
  EXPECT_EQ(error_info(ErrorName::kUnknownMethod).jsonrpc_code, -32601);
  EXPECT_EQ(error_info(ErrorName::kInvalidParams).jsonrpc_code, -32602);
  EXPECT_EQ(error_info(ErrorName::kInternal).jsonrpc_code, -32603);
  for (const ErrorInfo& info : error_table()) {
    if (info.jsonrpc_code > -32600) {
      EXPECT_GE(info.jsonrpc_code, -32099) << info.id;  // the implementation-defined server range
      EXPECT_LE(info.jsonrpc_code, -32000) << info.id;
    }
  }
}

TEST(ApiErrorTable, DbusNamesRoundTrip) {
  for (const ErrorInfo& info : error_table()) {
    const std::string dbus = dbus_error_name(info.name);
    EXPECT_EQ(dbus, "org.sotto.Messenger1.Error." + std::string(info.id));
    EXPECT_EQ(error_from_dbus_name(dbus), info.name);
    EXPECT_EQ(error_from_id(info.id), info.name);
  }
  EXPECT_EQ(dbus_error_name(ErrorName::kInvalidParams), "org.sotto.Messenger1.Error.InvalidParams");
}

TEST(ApiErrorTable, UnknownNamesAreNotGuessed) {
  EXPECT_EQ(error_from_id(""), std::nullopt);
  EXPECT_EQ(error_from_id("invalidparams"), std::nullopt);
  EXPECT_EQ(error_from_id("InvalidParams "), std::nullopt);
  EXPECT_EQ(error_from_dbus_name("InvalidParams"), std::nullopt);
  EXPECT_EQ(error_from_dbus_name("org.freedesktop.DBus.Error.ServiceUnknown"), std::nullopt);
  EXPECT_EQ(error_from_dbus_name("org.sotto.Messenger1.Error."), std::nullopt);
  EXPECT_EQ(error_from_dbus_name("org.sotto.Messenger1.Error.Nope"), std::nullopt);
}

TEST(ApiError, CarriesItsNameAndMessage) {
  const ApiError e(ErrorName::kNotFound, "no message 00ff");
  EXPECT_EQ(e.name(), ErrorName::kNotFound);
  EXPECT_EQ(e.id(), "NotFound");
  EXPECT_STREQ(e.what(), "no message 00ff");
}

}  // namespace
}  // namespace sotto::api
