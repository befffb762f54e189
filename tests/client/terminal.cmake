# Tests of soko-terminal (client/storage, scanning, workflows, models, views). Included from
# tests/client/CMakeLists.txt.
set(_soko_terminal_tests "${CMAKE_CURRENT_SOURCE_DIR}/terminal")
