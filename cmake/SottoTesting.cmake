include(GoogleTest)

# Where the test run's PostgreSQL server says where it listens (tests/support,
# postgres.start); tests declared with POSTGRES find it through this.
set(SOTTO_TEST_POSTGRES_RUN ${CMAKE_BINARY_DIR}/test-postgres.run)

# sotto_unit_test(NAME SOURCES a.cc b.cc LIBS x y [LABELS l] [POSTGRES]): one
# gtest binary; each TEST becomes its own ctest entry. POSTGRES: the cases share the run's PostgreSQL
# server (started once by the postgres.start fixture).
function(sotto_unit_test name)
  cmake_parse_arguments(T "POSTGRES" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest GTest::gtest_main sotto_warnings)
  target_compile_definitions(${name} PRIVATE SOTTO_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(T_POSTGRES)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
      PROPERTIES LABELS "${T_LABELS}" FIXTURES_REQUIRED sotto_postgres
                 ENVIRONMENT "SOTTO_TEST_POSTGRES_RUN=${SOTTO_TEST_POSTGRES_RUN}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# Every fuzz target, so that a build can make just those: `cmake --build
# --preset fuzz` (its default target) or `ninja fuzz-targets` in any build.
add_custom_target(fuzz-targets)

# sotto_fuzz_target(NAME SOURCES a.cc LIBS x):
# With SOTTO_FUZZ=ON (clang) a libFuzzer binary. Otherwise the same entry point
# linked to a replay driver that runs the checked-in corpus plus a bounded,
# seeded run of mutations, registered as a ctest test so every build fuzzes a little.
function(sotto_fuzz_target name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} sotto_warnings)
  add_dependencies(fuzz-targets ${name})
  if(SOTTO_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    # bench/run-fuzz-campaign finds the targets and their binaries here.
    file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzz-targets/${name} CONTENT "$<TARGET_FILE:${name}>\n")
  else()
    target_link_libraries(${name} PRIVATE sotto_fuzz_driver)
    # Under a sanitizer every execution costs 5-20 times more (msgctl_args_fuzz
    # took 40 s of the ASan suite at 20,000), and the libFuzzer campaigns
    # (bench/run-fuzz-campaign) are where the millions of executions happen:
    # there the in-suite run replays the whole corpus and 5,000 mutations.
    if(SOTTO_SANITIZE)
      set(iterations 5000)
    else()
      set(iterations 20000)
    endif()
    add_test(NAME fuzz.${name} COMMAND ${name} --iterations=${iterations} --seed=1 ${corpus})
    set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endfunction()
