#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "lib/config/config_error.h"

namespace sotto::config::testing {

// Runs `action`, which must throw ConfigError, and returns the error so a test
// can assert its exact position, key path and problem. A missing or different
// exception fails the calling test.
inline ConfigError capture_config_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError, but nothing was thrown";
  return ConfigError(Location{"<no error>", 0, 0}, "", "");
}

}  // namespace sotto::config::testing
