#pragma once

#include <span>
#include <string_view>

#include "ctl/command.h"

namespace sotto::ctl {

// Every sub-command of msgctl, in the order `msgctl --help` lists them.
std::span<const CommandSpec> command_table();

// The one-line summary of a group of commands ("relay", "group") for
// `msgctl --help`; "" for a name that is no group.
std::string_view command_group_summary(std::string_view group);

// The command called `name` in `group` ("" for top level), or nullptr.
const CommandSpec* find_command(std::string_view group, std::string_view name);

}  // namespace sotto::ctl
