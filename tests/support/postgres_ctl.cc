// The test run's PostgreSQL server, for ctest's postgres fixture:
//   sotto_test_postgres_ctl start RUN_FILE   starts it, writes where it listens
//   sotto_test_postgres_ctl stop RUN_FILE    stops it and removes its folder
// Test processes find it through $SOTTO_TEST_POSTGRES_RUN (postgres_server.h).

#include <exception>
#include <iostream>
#include <string>

#include "tests/support/postgres_server.h"

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "start" && std::string(argv[1]) != "stop")) {
    std::cerr << "usage: sotto_test_postgres_ctl start|stop RUN_FILE\n";
    return 2;
  }
  try {
    if (std::string(argv[1]) == "start") {
      sotto::testing::PostgresServer::start_for_run(argv[2]);
    } else {
      sotto::testing::PostgresServer::stop_for_run(argv[2]);
    }
  } catch (const std::exception& e) {
    std::cerr << "sotto_test_postgres_ctl " << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
