#include "lib/api/jsonrpc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sotto::api {
namespace {

using nlohmann::json;

JsonRpcRequest parsed_request(std::string_view line) {
  JsonRpcParse parsed = parse_jsonrpc_request(line);
  if (auto* bad = std::get_if<JsonRpcRequestError>(&parsed)) {
    ADD_FAILURE() << "refused " << line << ": " << bad->error.what();
    return {};
  }
  return std::get<JsonRpcRequest>(std::move(parsed));
}

JsonRpcRequestError refused(std::string_view line) {
  JsonRpcParse parsed = parse_jsonrpc_request(line);
  if (auto* bad = std::get_if<JsonRpcRequestError>(&parsed)) return *bad;
  ADD_FAILURE() << "accepted " << line.substr(0, 200);
  return {nullptr, ApiError(ErrorName::kInternal, "accepted")};
}

ErrorName refusal(std::string_view line) { return refused(line).error.name(); }

std::string nested(int arrays) { return std::string(arrays, '[') + std::string(arrays, ']'); }

std::string request_with_params_member(const std::string& value) {
  return R"({"jsonrpc":"2.0","id":7,"method":"send","params":{"x":)" + value + "}}";
}

TEST(ParseRequest, ReadsAFullRequest) {
  const JsonRpcRequest r =
      parsed_request(R"({"jsonrpc":"2.0","id":1,"method":"send","params":{"peer":"bob","text":"hi ✓"}})");
  ASSERT_TRUE(r.id.has_value());
  EXPECT_EQ(*r.id, 1);
  EXPECT_EQ(r.method, "send");
  EXPECT_EQ(r.params, json({{"peer", "bob"}, {"text", "hi ✓"}}));
}

TEST(ParseRequest, AcceptsEveryKindOfId) {
  EXPECT_EQ(*parsed_request(R"({"jsonrpc":"2.0","id":"a-1","method":"status"})").id, "a-1");
  EXPECT_EQ(*parsed_request(R"({"jsonrpc":"2.0","id":-5,"method":"status"})").id, -5);
  EXPECT_EQ(*parsed_request(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"status"})").id, UINT64_MAX);
  EXPECT_EQ(*parsed_request(R"({"jsonrpc":"2.0","id":1.5,"method":"status"})").id, 1.5);
  const JsonRpcRequest null_id = parsed_request(R"({"jsonrpc":"2.0","id":null,"method":"status"})");
  ASSERT_TRUE(null_id.id.has_value());  // an explicit null id is answered, unlike a notification
  EXPECT_TRUE(null_id.id->is_null());
}

TEST(ParseRequest, NoIdIsANotification) {
  const JsonRpcRequest r = parsed_request(R"({"jsonrpc":"2.0","method":"status"})");
  EXPECT_FALSE(r.id.has_value());
  EXPECT_EQ(r.method, "status");
  EXPECT_TRUE(r.params.is_null());
}

TEST(ParseRequest, AbsentOrNullParamsAreNull) {
  EXPECT_TRUE(parsed_request(R"({"jsonrpc":"2.0","id":1,"method":"status"})").params.is_null());
  EXPECT_TRUE(parsed_request(R"({"jsonrpc":"2.0","id":1,"method":"status","params":null})").params.is_null());
  EXPECT_EQ(parsed_request(R"({"jsonrpc":"2.0","id":1,"method":"status","params":{}})").params, json::object());
}

TEST(ParseRequest, ToleratesSurroundingWhitespace) {
  EXPECT_EQ(parsed_request(" \t{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\r").method, "status");
}

TEST(ParseRequest, NotJsonIsAParseError) {
  for (const std::string_view line : {"", "   ", "not json", "{", R"({"jsonrpc":"2.0")", R"({"a":1} x)",
                                      R"({"a":1}{"b":2})", R"({"jsonrpc":"2.0","id":1,"method":"status"} // comment)",
                                      "{'a':1}", R"({"a":01})", R"({"a":NaN})", R"({"a":1,})"}) {
    const JsonRpcRequestError e = refused(line);
    EXPECT_EQ(e.error.name(), ErrorName::kParseError) << line;
    EXPECT_TRUE(e.id.is_null()) << line;
  }
  EXPECT_EQ(refusal(std::string("{\"a\":\"x\0y\"}", 11)), ErrorName::kParseError);  // a raw NUL byte
}

TEST(ParseRequest, ParseErrorsNeverQuoteTheLine) {
  const JsonRpcRequestError e = refused(R"({"jsonrpc":"2.0","id":1,"method":"login","params":{"password":"hunter2)");
  EXPECT_EQ(e.error.name(), ErrorName::kParseError);
  EXPECT_EQ(std::string(e.error.what()).find("hunter2"), std::string::npos) << e.error.what();
}

TEST(ParseRequest, InvalidUtf8IsAParseError) {
  EXPECT_EQ(refusal("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"st\xff\"}"), ErrorName::kParseError);
  EXPECT_EQ(refusal("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc0\xaf\"}"), ErrorName::kParseError);  // overlong
  EXPECT_EQ(refusal("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xed\xa0\x80\"}"), ErrorName::kParseError);
  EXPECT_EQ(refusal(R"({"jsonrpc":"2.0","id":1,"method":"\ud800"})"), ErrorName::kParseError);  // lone surrogate
  EXPECT_EQ(refusal("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",\"params\":{\"\xfe\":1}}"),
            ErrorName::kParseError);
}

TEST(ParseRequest, NumbersTooLargeForADoubleAreAParseError) {
  EXPECT_EQ(refusal(R"({"jsonrpc":"2.0","id":1e400,"method":"status"})"), ErrorName::kParseError);
  EXPECT_EQ(refusal(request_with_params_member("-1e999")), ErrorName::kParseError);
}

TEST(ParseRequest, BatchesAndNonObjectsAreInvalidRequests) {
  const JsonRpcRequestError batch = refused(R"([{"jsonrpc":"2.0","id":1,"method":"status"}])");
  EXPECT_EQ(batch.error.name(), ErrorName::kInvalidRequest);
  EXPECT_NE(std::string(batch.error.what()).find("batches are not supported"), std::string::npos);
  EXPECT_EQ(refusal("[]"), ErrorName::kInvalidRequest);
  for (const std::string_view line : {"1", "\"status\"", "null", "true", "-0.5"}) {
    EXPECT_EQ(refusal(line), ErrorName::kInvalidRequest) << line;
  }
}

TEST(ParseRequest, WrongVersionIsAnInvalidRequestAnsweredWithTheId) {
  for (const std::string_view line :
       {R"({"id":3,"method":"status"})", R"({"jsonrpc":"1.0","id":3,"method":"status"})",
        R"({"jsonrpc":2.0,"id":3,"method":"status"})", R"({"jsonrpc":null,"id":3,"method":"status"})",
        R"({"jsonrpc":"2.0 ","id":3,"method":"status"})"}) {
    const JsonRpcRequestError e = refused(line);
    EXPECT_EQ(e.error.name(), ErrorName::kInvalidRequest) << line;
    EXPECT_EQ(e.id, 3) << line;
  }
}

TEST(ParseRequest, MethodMustBeAString) {
  for (const std::string_view line :
       {R"({"jsonrpc":"2.0","id":"x"})", R"({"jsonrpc":"2.0","id":"x","method":5})",
        R"({"jsonrpc":"2.0","id":"x","method":null})", R"({"jsonrpc":"2.0","id":"x","method":["status"]})",
        R"({"jsonrpc":"2.0","id":"x","method":{}})"}) {
    const JsonRpcRequestError e = refused(line);
    EXPECT_EQ(e.error.name(), ErrorName::kInvalidRequest) << line;
    EXPECT_EQ(e.id, "x") << line;
  }
}

TEST(ParseRequest, IdOfAWrongTypeIsAnsweredWithNull) {
  for (const std::string_view line :
       {R"({"jsonrpc":"2.0","id":{},"method":"status"})", R"({"jsonrpc":"2.0","id":[1],"method":"status"})",
        R"({"jsonrpc":"2.0","id":true,"method":"status"})"}) {
    const JsonRpcRequestError e = refused(line);
    EXPECT_EQ(e.error.name(), ErrorName::kInvalidRequest) << line;
    EXPECT_TRUE(e.id.is_null()) << line;
  }
}

TEST(ParseRequest, ParamsMustBeNamed) {
  const JsonRpcRequestError positional = refused(R"({"jsonrpc":"2.0","id":2,"method":"send","params":["bob","hi"]})");
  EXPECT_EQ(positional.error.name(), ErrorName::kInvalidParams);
  EXPECT_EQ(positional.id, 2);
  for (const std::string_view line : {R"({"jsonrpc":"2.0","id":2,"method":"send","params":"bob"})",
                                      R"({"jsonrpc":"2.0","id":2,"method":"send","params":5})",
                                      R"({"jsonrpc":"2.0","id":2,"method":"send","params":false})"}) {
    EXPECT_EQ(refusal(line), ErrorName::kInvalidRequest) << line;
  }
}

TEST(ParseRequest, UnknownMembersAreRefused) {
  const JsonRpcRequestError e = refused(R"({"jsonrpc":"2.0","id":2,"method":"send","param":{}})");
  EXPECT_EQ(e.error.name(), ErrorName::kInvalidRequest);
  EXPECT_NE(std::string(e.error.what()).find("'param'"), std::string::npos);
}

TEST(ParseRequest, NestingIsLimited) {
  // The request object and params are two levels; 62 more make the limit.
  EXPECT_EQ(parsed_request(request_with_params_member(nested(kMaxJsonDepth - 2))).method, "send");
  EXPECT_EQ(refusal(request_with_params_member(nested(kMaxJsonDepth - 1))), ErrorName::kInvalidRequest);
}

TEST(ParseRequest, HostileNestingIsRefusedWithoutCrashing) {
  EXPECT_EQ(refusal(std::string(100000, '[')), ErrorName::kInvalidRequest);
  EXPECT_EQ(refusal(nested(100000)), ErrorName::kInvalidRequest);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  EXPECT_EQ(refusal(objects), ErrorName::kInvalidRequest);
  // Unbalanced garbage that is not deep JSON stays a parse error.
  EXPECT_EQ(refusal(std::string(100000, ']')), ErrorName::kParseError);
}

TEST(ParseRequest, DuplicateMembersKeepTheLast) {
  EXPECT_EQ(parsed_request(R"({"jsonrpc":"2.0","id":1,"method":"send","method":"status"})").method, "status");
}

TEST(Encode, ResultIsOneJsonRpcLine) {
  const std::string line = encode_result(5, {{"id", "00ff"}, {"state", "queued"}});
  EXPECT_EQ(json::parse(line),
            json({{"jsonrpc", "2.0"}, {"id", 5}, {"result", {{"id", "00ff"}, {"state", "queued"}}}}));
}

TEST(Encode, ErrorCarriesCodeMessageAndName) {
  const std::string line = encode_error("k", ApiError(ErrorName::kInvalidParams, "missing parameter 'text'"));
  EXPECT_EQ(
      json::parse(line),
      json({{"jsonrpc", "2.0"},
            {"id", "k"},
            {"error",
             {{"code", -32602}, {"message", "missing parameter 'text'"}, {"data", {{"name", "InvalidParams"}}}}}}));
  EXPECT_TRUE(json::parse(encode_error(nullptr, ApiError(ErrorName::kParseError, "x")))["id"].is_null());
}

TEST(Encode, NotificationHasNoId) {
  const json n = json::parse(encode_notification("DeliveryChanged", {{"id", "ab"}, {"state", "sent"}}));
  EXPECT_EQ(n,
            json({{"jsonrpc", "2.0"}, {"method", "DeliveryChanged"}, {"params", {{"id", "ab"}, {"state", "sent"}}}}));
}

TEST(Encode, RequestLeavesOutNullParams) {
  EXPECT_EQ(json::parse(encode_request(3, "status", nullptr)),
            json({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "status"}}));
  EXPECT_EQ(json::parse(encode_request(3, "send", {{"peer", "b"}}))["params"], json({{"peer", "b"}}));
}

TEST(Encode, OutputIsAlwaysOneLine) {
  const std::string text = "line one\nline two\r\n\x01\x1f\u2028 end";
  for (const std::string& line :
       {encode_result(1, {{"text", text}}), encode_error(1, ApiError(ErrorName::kInternal, text)),
        encode_notification("MessageReceived", {{"text", text}}), encode_request(1, "send", {{"text", text}})}) {
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  }
  EXPECT_EQ(json::parse(encode_result(1, {{"text", text}}))["result"]["text"], text);
}

TEST(Encode, InvalidUtf8IsReplacedNotThrown) {
  const std::string broken = "ok \xff\xfe end";
  std::string line;
  ASSERT_NO_THROW(line = encode_result(1, {{"text", broken}}));
  const json back = json::parse(line);
  EXPECT_EQ(back["result"]["text"], "ok \xef\xbf\xbd\xef\xbf\xbd end");  // U+FFFD twice
  ASSERT_NO_THROW(line = encode_error(1, ApiError(ErrorName::kInternal, broken)));
  EXPECT_NO_THROW(json::parse(line));
}

TEST(ParseResponse, ReadsAResult) {
  const JsonRpcIncoming in = parse_jsonrpc_response(R"({"jsonrpc":"2.0","id":4,"result":{"a":1}})");
  const auto* r = std::get_if<JsonRpcResponse>(&in);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, 4);
  EXPECT_EQ(std::get<json>(r->outcome), json({{"a", 1}}));
  const JsonRpcIncoming list = parse_jsonrpc_response(R"({"jsonrpc":"2.0","id":4,"result":[]})");
  EXPECT_EQ(std::get<json>(std::get<JsonRpcResponse>(list).outcome), json::array());
}

TEST(ParseResponse, MapsErrorsByNameThenByCode) {
  const auto error_of = [](std::string_view line) {
    const JsonRpcIncoming in = parse_jsonrpc_response(line);
    const auto* r = std::get_if<JsonRpcResponse>(&in);
    if (r == nullptr) throw std::runtime_error("not a response");
    return std::get<ApiError>(r->outcome);
  };
  const ApiError named =
      error_of(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"m","data":{"name":"IdentityUntrusted"}}})");
  EXPECT_EQ(named.name(), ErrorName::kIdentityUntrusted);  // the name wins over the code
  EXPECT_STREQ(named.what(), "m");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32009,"message":"gone"}})").name(),
            ErrorName::kNotFound);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32009,"message":"x","data":{"name":"Nope"}}})").name(),
            ErrorName::kNotFound);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32099,"message":"x","data":"text"}})").name(),
            ErrorName::kInternal);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})").name(),
            ErrorName::kParseError);
}

TEST(ParseResponse, ReadsANotification) {
  const JsonRpcIncoming in =
      parse_jsonrpc_response(R"({"jsonrpc":"2.0","method":"ConnectionChanged","params":{"connected":true}})");
  const auto* n = std::get_if<JsonRpcNotification>(&in);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->method, "ConnectionChanged");
  EXPECT_EQ(n->params, json({{"connected", true}}));
  const JsonRpcIncoming bare = parse_jsonrpc_response(R"({"jsonrpc":"2.0","method":"X"})");
  EXPECT_EQ(std::get<JsonRpcNotification>(bare).params, json::object());
}

TEST(ParseResponse, RefusesWhatIsNotAResponse) {
  for (const std::string_view line :
       {"", "garbage", "[]", "5", R"({"id":1,"result":1})", R"({"jsonrpc":"1.0","id":1,"result":1})",
        R"({"jsonrpc":"2.0","result":1})", R"({"jsonrpc":"2.0","id":{},"result":1})", R"({"jsonrpc":"2.0","id":1})",
        R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}})",
        R"({"jsonrpc":"2.0","id":1,"error":"bad"})", R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})",
        R"({"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}})",
        R"({"jsonrpc":"2.0","id":1,"error":{"code":18446744073709551615,"message":"m"}})",
        R"({"jsonrpc":"2.0","id":1,"error":{"code":1}})", R"({"jsonrpc":"2.0","id":1,"method":"X"})",
        R"({"jsonrpc":"2.0","method":5})", R"({"jsonrpc":"2.0","method":"X","params":[1]})"}) {
    EXPECT_TRUE(std::holds_alternative<JsonRpcProtocolError>(parse_jsonrpc_response(line))) << line;
  }
  EXPECT_TRUE(std::holds_alternative<JsonRpcProtocolError>(parse_jsonrpc_response(std::string(100000, '['))));
}

TEST(RoundTrip, RequestToResponse) {
  const JsonRpcRequest request = parsed_request(encode_request("abc", "history", {{"peer", "bob"}, {"limit", 3}}));
  EXPECT_EQ(request.method, "history");
  EXPECT_EQ(request.params, json({{"peer", "bob"}, {"limit", 3}}));
  const json result = json::array({{{"id", "01"}, {"text", "hi\n"}}});
  const JsonRpcIncoming ok = parse_jsonrpc_response(encode_result(*request.id, result));
  EXPECT_EQ(std::get<JsonRpcResponse>(ok).id, "abc");
  EXPECT_EQ(std::get<json>(std::get<JsonRpcResponse>(ok).outcome), result);
  for (const ErrorInfo& info : error_table()) {
    const JsonRpcIncoming failed = parse_jsonrpc_response(encode_error(*request.id, ApiError(info.name, "why")));
    const ApiError& e = std::get<ApiError>(std::get<JsonRpcResponse>(failed).outcome);
    EXPECT_EQ(e.name(), info.name);
    EXPECT_STREQ(e.what(), "why");
  }
}

}  // namespace
}  // namespace sotto::api
