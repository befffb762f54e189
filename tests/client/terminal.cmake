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
