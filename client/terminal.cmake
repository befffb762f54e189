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
    sync/snapshotsweep.h sync/snapshotsweep.cpp
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
    scanning/scriptscansource.h
    scanning/imagescansource.h scanning/imagescansource.cpp
    sync/syncclient.h sync/syncclient.cpp
    app/feedback.h app/feedback.cpp
    app/options.h app/options.cpp
    app/mainwindow.h app/mainwindow.cpp
    app/terminal.h app/terminal.cpp
    app/scriptrunner.h app/scriptrunner.cpp
)
list(TRANSFORM SOKO_TERMINAL_CORE_SOURCES PREPEND "${CMAKE_CURRENT_SOURCE_DIR}/")

add_library(soko_terminal_core STATIC ${SOKO_TERMINAL_CORE_SOURCES})
add_library(soko::terminal_core ALIAS soko_terminal_core)
target_link_libraries(soko_terminal_core
    PUBLIC soko::build_settings soko::common soko::terminal Qt6::Widgets Qt6::Sql Qt6::Network
    PRIVATE PkgConfig::SODIUM)
# Sounds and the camera through Qt Multimedia when installed; the system beep and no camera
# switch otherwise. lupdate reads the camera files either way, so the translations stay complete.
set(SOKO_TERMINAL_CAMERA_SOURCES
    scanning/camerascansource.h scanning/camerascansource.cpp
    views/camerabutton.h views/camerabutton.cpp
)
list(TRANSFORM SOKO_TERMINAL_CAMERA_SOURCES PREPEND "${CMAKE_CURRENT_SOURCE_DIR}/")
if(TARGET Qt6::Multimedia)
    target_sources(soko_terminal_core PRIVATE ${SOKO_TERMINAL_CAMERA_SOURCES})
    target_link_libraries(soko_terminal_core PRIVATE Qt6::Multimedia)
    target_compile_definitions(soko_terminal_core PRIVATE SOKO_HAVE_MULTIMEDIA SOKO_HAVE_CAMERA)
endif()

# The executable: main only, plus its resources (icons, sounds) and translations.
add_executable(soko-terminal app/main.cpp)
target_link_libraries(soko-terminal PRIVATE soko::build_settings soko::terminal_core)
qt_add_resources(soko-terminal "assets" PREFIX "/" BASE "${PROJECT_SOURCE_DIR}/resources" FILES
    "${PROJECT_SOURCE_DIR}/resources/icons/soko.svg"
    "${PROJECT_SOURCE_DIR}/resources/icons/scan-ok.svg"
    "${PROJECT_SOURCE_DIR}/resources/icons/scan-error.svg"
    "${PROJECT_SOURCE_DIR}/resources/sounds/accepted.wav"
    "${PROJECT_SOURCE_DIR}/resources/sounds/rejected.wav")
qt_add_translations(soko-terminal
    TS_FILES "${PROJECT_SOURCE_DIR}/translations/soko_ja.ts" "${PROJECT_SOURCE_DIR}/translations/soko_en.ts"
    SOURCES ${SOKO_TERMINAL_CORE_SOURCES} ${SOKO_TERMINAL_CAMERA_SOURCES}
    RESOURCE_PREFIX "/i18n")
