# soko-terminal end to end (included from tests/e2e/CMakeLists.txt): a real soko-server process
# (soko::test_serverprocess), the real soko-terminal binary and an in-process Terminal with its
# real window (offscreen), fed with sample images from ../shared/testdata/barcodes.
soko_add_test(tst_terminal_e2e SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tst_terminal_e2e.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2ehelpers.h
    LIBS soko::test_serverprocess soko::terminal_core Qt6::Sql Qt6::Widgets LABELS e2e client TIMEOUT 300)
target_compile_definitions(tst_terminal_e2e PRIVATE SOKO_TERMINAL_BINARY="$<TARGET_FILE:soko-terminal>")
add_dependencies(tst_terminal_e2e soko-terminal)
