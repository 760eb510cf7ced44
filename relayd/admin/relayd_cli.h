#pragma once

namespace sotto::relayd {

// The whole relayd command line: serve (the default), check-config,
// cert-fingerprint, user list|add|remove|passwd|revoke, invite create.
// Returns the process exit status (0 ok, 1 failure, 2 usage or config error).
int relayd_main(int argc, char** argv);

}  // namespace sotto::relayd
