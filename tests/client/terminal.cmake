# Tests of soko-terminal (client/storage, scanning, workflows, models, views). Included from
# tests/client/CMakeLists.txt.
set(_soko_terminal_tests "${CMAKE_CURRENT_SOURCE_DIR}/terminal")
set(_soko_fixture "${PROJECT_SOURCE_DIR}/tests/support/terminalfixture.h")
set(_soko_fake "${PROJECT_SOURCE_DIR}/tests/support/fakescansource.h")

soko_add_test(tst_localdatabase SOURCES ${_soko_terminal_tests}/tst_localdatabase.cpp ${_soko_fixture}
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_wedgescansource SOURCES ${_soko_terminal_tests}/tst_wedgescansource.cpp
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_scanrouter SOURCES ${_soko_terminal_tests}/tst_scanrouter.cpp ${_soko_fake}
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_pickingworkflow SOURCES ${_soko_terminal_tests}/tst_pickingworkflow.cpp ${_soko_fake} ${_soko_fixture}
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_killsafety SOURCES ${_soko_terminal_tests}/tst_killsafety.cpp ${_soko_fake} ${_soko_fixture}
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_models SOURCES ${_soko_terminal_tests}/tst_models.cpp ${_soko_fixture}
    LIBS soko::terminal_core LABELS client)
# Runs the real soko-terminal binary offscreen with a script of scans.
soko_add_test(tst_terminalscript SOURCES ${_soko_terminal_tests}/tst_terminalscript.cpp
    LIBS soko::terminal_core LABELS client TIMEOUT 600)
target_compile_definitions(tst_terminalscript PRIVATE SOKO_TERMINAL_BINARY="$<TARGET_FILE:soko-terminal>")
add_dependencies(tst_terminalscript soko-terminal)
soko_add_test(tst_pickingscreen SOURCES ${_soko_terminal_tests}/tst_pickingscreen.cpp
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_pullapply SOURCES ${_soko_terminal_tests}/tst_pullapply.cpp ${_soko_fixture}
    LIBS soko::terminal_core LABELS client)
soko_add_test(tst_translations SOURCES ${_soko_terminal_tests}/tst_translations.cpp LIBS Qt6::Core LABELS client)
soko_add_test(tst_imagescansource SOURCES ${_soko_terminal_tests}/tst_imagescansource.cpp
    LIBS soko::terminal_core LABELS client)
# SyncClient against a scripted local HTTPS server (certificates from the openssl tool).
soko_add_test(tst_syncclient SOURCES ${_soko_terminal_tests}/tst_syncclient.cpp ${_soko_fixture}
    LIBS soko::terminal_core LABELS client TIMEOUT 300)
# The camera source and its switch on the screens (Qt Multimedia builds only): frames made from
# ../shared/testdata/barcodes, no real camera needed.
if(TARGET Qt6::Multimedia)
    soko_add_test(tst_camerascansource SOURCES ${_soko_terminal_tests}/tst_camerascansource.cpp
        LIBS soko::terminal_core Qt6::Multimedia LABELS client TIMEOUT 300)
    soko_add_test(tst_camerascreen SOURCES ${_soko_terminal_tests}/tst_camerascreen.cpp
        LIBS soko::terminal_core Qt6::Multimedia LABELS client TIMEOUT 300)
endif()
