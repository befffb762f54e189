# soko_terminal_core: the terminal's storage, scanning, workflows, sync, models and views
# (everything testable), plus the soko-terminal executable with its resources and translations.
# Included from client/CMakeLists.txt, so paths are relative to client/.
set(SOKO_TERMINAL_CORE_SOURCES
    storage/localdatabase.h storage/localdatabase.cpp
    storage/migrations.h storage/migrations.cpp
    storage/sqlsupport.h storage/sqlsupport.cpp
    storage/transactionguard.h storage/transactionguard.cpp
    storage/records.h
    storage/skurepository.h storage/skurepository.cpp
    storage/locationrepository.h storage/locationrepository.cpp
    storage/orderrepository.h storage/orderrepository.cpp
    storage/operatorrepository.h storage/operatorrepository.cpp
    storage/outboxrepository.h storage/outboxrepository.cpp
    storage/syncstaterepository.h storage/syncstaterepository.cpp
    scanning/scanevent.h scanning/scansource.h
    scanning/wedgescansource.h scanning/wedgescansource.cpp
    scanning/scanrouter.h scanning/scanrouter.cpp
    workflows/session.h
    workflows/loginworkflow.h workflows/loginworkflow.cpp
    workflows/pickingworkflow.h workflows/pickingworkflow.cpp
    workflows/packingworkflow.h workflows/packingworkflow.cpp
    sync/snapshotimporter.h sync/snapshotimporter.cpp
    models/orderlistmodel.h models/orderlistmodel.cpp
    models/picklistmodel.h models/picklistmodel.cpp
    models/outboxproblemmodel.h models/outboxproblemmodel.cpp
    views/theme.h views/theme.cpp
    views/messagebanner.h views/messagebanner.cpp
    views/enrollmentpage.h views/enrollmentpage.cpp
    views/loginpage.h views/loginpage.cpp
    views/orderlistpage.h views/orderlistpage.cpp
    views/pickingpage.h views/pickingpage.cpp
    views/packingpage.h views/packingpage.cpp
    views/statuspage.h views/statuspage.cpp
)
list(TRANSFORM SOKO_TERMINAL_CORE_SOURCES PREPEND "${CMAKE_CURRENT_SOURCE_DIR}/")

add_library(soko_terminal_core STATIC ${SOKO_TERMINAL_CORE_SOURCES})
add_library(soko::terminal_core ALIAS soko_terminal_core)
target_link_libraries(soko_terminal_core
    PUBLIC soko::build_settings soko::common Qt6::Widgets Qt6::Sql Qt6::Network
    PRIVATE PkgConfig::SODIUM)
