#pragma once

#include <filesystem>

namespace sotto::api {

// Default locations (DESIGN.md "Names"). Each throws std::runtime_error with a
// clear message when neither the XDG variable nor HOME says where to go.
std::filesystem::path default_socket_path();       // $XDG_RUNTIME_DIR/sotto/msgd.sock
std::filesystem::path default_data_dir();          // $XDG_DATA_HOME/sotto, else ~/.local/share/sotto
std::filesystem::path default_msgd_config_path();  // $XDG_CONFIG_HOME/sotto/msgd.yaml, else ~/.config/sotto/msgd.yaml

}  // namespace sotto::api
