// Widths (wcwidth) follow LC_CTYPE and times follow TZ: the tests pin both,
// before any test runs, so that they mean the same on every machine.
#include <gtest/gtest.h>

#include <clocale>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace {

class TuiTestEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (std::setlocale(LC_ALL, "C.UTF-8") == nullptr) throw std::runtime_error("no C.UTF-8 locale");
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

[[maybe_unused]] const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new TuiTestEnvironment);

}  // namespace
