// relayd: the Sotto relay server, and its admin commands.

#include "relayd/admin/relayd_cli.h"

int main(int argc, char** argv) { return sotto::relayd::relayd_main(argc, argv); }
