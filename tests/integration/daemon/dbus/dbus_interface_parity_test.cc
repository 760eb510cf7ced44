// lib/api/org.sotto.Messenger1.xml is the D-Bus interface's source of truth
// and method_table.cc the API's; this keeps them the same in both directions.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "lib/api/dbus/dbus_names.h"
#include "lib/api/method_table.h"

namespace sotto::api {
namespace {

struct XmlArg {
  std::string name, type, direction;
};

struct XmlMember {
  std::vector<XmlArg> args;
  std::vector<std::string> annotations;  // "name=value"
};

struct XmlInterface {
  std::string name;
  std::map<std::string, XmlMember> methods, signals;
  std::vector<std::string> duplicates;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string attribute(const std::string& tag, const std::string& name) {
  std::smatch m;
  if (std::regex_search(tag, m, std::regex("\\b" + name + "=\"([^\"]*)\""))) return m[1];
  return {};
}

// A text scan, not an XML parser: enough for a file we write ourselves, and
// it fails loudly (an empty result) on anything it does not understand.
XmlInterface scan(std::string xml) {
  xml = std::regex_replace(xml, std::regex("<!--[\\s\\S]*?-->"), "");
  XmlInterface out;
  std::smatch iface;
  if (std::regex_search(xml, iface, std::regex("<interface\\s+name=\"([^\"]+)\""))) out.name = iface[1];
  const std::regex member("<(method|signal)\\s+name=\"([^\"]+)\"\\s*(/>|>([\\s\\S]*?)</\\1>)");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), member); it != std::sregex_iterator(); ++it) {
    XmlMember parsed;
    const std::string body = (*it)[4];
    const std::regex tag("<(arg|annotation)\\b[^>]*>");
    for (auto t = std::sregex_iterator(body.begin(), body.end(), tag); t != std::sregex_iterator(); ++t) {
      const std::string text = (*t)[0];
      if ((*t)[1] == "arg") {
        parsed.args.push_back({attribute(text, "name"), attribute(text, "type"), attribute(text, "direction")});
      } else {
        parsed.annotations.push_back(attribute(text, "name") + "=" + attribute(text, "value"));
      }
    }
    auto& members = (*it)[1] == "method" ? out.methods : out.signals;
    if (!members.emplace((*it)[2], parsed).second) out.duplicates.push_back((*it)[2]);
  }
  return out;
}

class DbusInterfaceXml : public ::testing::Test {
 protected:
  XmlInterface xml_ = scan(read_file(SOTTO_DBUS_INTERFACE_XML));
};

TEST_F(DbusInterfaceXml, DeclaresTheInterface) {
  EXPECT_EQ(xml_.name, kDbusInterface);
  EXPECT_TRUE(xml_.duplicates.empty()) << "declared twice: " << ::testing::PrintToString(xml_.duplicates);
}

TEST_F(DbusInterfaceXml, EveryTableMethodIsDeclaredWithTheTablesArguments) {
  int served = 0;
  for (const auto& method : method_table()) {
    if (method.dbus_name.empty()) continue;
    ++served;
    SCOPED_TRACE(std::string(method.dbus_name));
    auto it = xml_.methods.find(std::string(method.dbus_name));
    ASSERT_NE(it, xml_.methods.end()) << "the XML lacks the method";
    const auto& args = it->second.args;
    ASSERT_EQ(args.size(), method.params.size() + 1) << "in args then one out arg";
    for (std::size_t i = 0; i < method.params.size(); ++i) {
      EXPECT_EQ(args[i].name, method.params[i].name) << "arg " << i;
      EXPECT_EQ(args[i].type, dbus_signature(method.params[i].type)) << "arg " << i;
      EXPECT_EQ(args[i].direction, "in") << "arg " << i;
    }
    EXPECT_EQ(args.back().name, "result");
    EXPECT_EQ(args.back().type, dbus_signature(method.result));
    EXPECT_EQ(args.back().direction, "out");
    EXPECT_EQ(it->second.annotations, std::vector<std::string>{"org.freedesktop.DBus.Method.Async=server"});
  }
  EXPECT_EQ(xml_.methods.size(), static_cast<std::size_t>(served));
}

TEST_F(DbusInterfaceXml, DeclaresNoMethodTheTableLacks) {
  for (const auto& [name, member] : xml_.methods) {
    bool in_table = false;
    for (const auto& method : method_table())
      in_table = in_table || (!method.dbus_name.empty() && method.dbus_name == name);
    EXPECT_TRUE(in_table) << name << " is in the XML but not in method_table()";
  }
  // subscribe stays socket-only: on D-Bus, signals are the subscription.
  EXPECT_EQ(xml_.methods.count("Subscribe"), 0u);
}

TEST_F(DbusInterfaceXml, EveryEventIsASignalWithOneDataArgument) {
  for (const auto& event : event_table()) {
    SCOPED_TRACE(std::string(event.name));
    auto it = xml_.signals.find(std::string(event.name));
    ASSERT_NE(it, xml_.signals.end()) << "the XML lacks the signal";
    ASSERT_EQ(it->second.args.size(), 1u);
    EXPECT_EQ(it->second.args[0].name, "data");
    EXPECT_EQ(it->second.args[0].type, "a{sv}");
  }
  for (const auto& [name, member] : xml_.signals) {
    EXPECT_NE(find_event(name), nullptr) << name << " is in the XML but not in event_table()";
  }
  EXPECT_EQ(xml_.signals.size(), event_table().size());
}

TEST(DbusInterfaceXmlScan, CatchesADriftedFile) {
  // The scan itself must see a missing or mistyped argument, or the parity
  // tests above would pass vacuously.
  const XmlInterface drifted = scan(R"(<node><interface name="org.sotto.Messenger1">
      <!-- <method name="Commented"/> -->
      <method name="Send"><arg name="peer" type="x" direction="in"/><arg name="result" type="a{sv}" direction="out"/></method>
      <method name="Status"/>
      <signal name="MessageReceived"><arg name="data" type="a{sv}"/></signal>
      </interface></node>)");
  EXPECT_EQ(drifted.methods.size(), 2u);
  EXPECT_EQ(drifted.methods.count("Commented"), 0u);
  ASSERT_EQ(drifted.methods.at("Send").args.size(), 2u);
  EXPECT_EQ(drifted.methods.at("Send").args[0].type, "x");
  EXPECT_TRUE(drifted.methods.at("Status").args.empty());
  EXPECT_EQ(drifted.signals.size(), 1u);
}

}  // namespace
}  // namespace sotto::api
