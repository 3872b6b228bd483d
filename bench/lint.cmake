# Linter benchmark (Google Benchmark). Included from bench/CMakeLists.txt: include(lint.cmake)
add_executable(lint_bench ${CMAKE_CURRENT_LIST_DIR}/lint_bench.cpp)
target_link_libraries(lint_bench PRIVATE stairway_verifier benchmark::benchmark stairway_warnings)
