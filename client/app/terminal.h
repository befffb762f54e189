#pragma once
#include <QObject>
#include <memory>
#include "client/scanning/camerascansource.h"
#include "client/app/options.h"
#include "common/support/result.h"

class Feedback;
class ImageScanSource;
class LocalDatabase;
class LocationRepository;
class LoginWorkflow;
class MainWindow;
class OperatorRepository;
class OrderRepository;
class OutboxRepository;
class PackingWorkflow;
class PickingWorkflow;
class ScanRouter;
class ScriptScanSource;
class Session;
class SkuRepository;
class SyncClient;
class WedgeScanSource;

// The composition root (STYLE.md §6): creates the database, repositories, scan sources, router,
// workflows, sync client and the main window, and wires them. QObjects are its children; the
// repositories and the top-level window are members. No singletons.
class Terminal final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Terminal)
public:
    explicit Terminal(const TerminalOptions &options, QObject *parent = nullptr);
    ~Terminal() override;

    // Opens <data>/terminal.sqlite, applies --import, builds and shows the window, starts sync.
    // Errors: Storage, Io/InvalidInput (import file).
    Common::Result<void> start();

    MainWindow &window() { return *m_window; }
    LocalDatabase &database() { return *m_database; }
    OrderRepository &orders() { return *m_orders; }
    OutboxRepository &outbox() { return *m_outbox; }
    LoginWorkflow &login() { return *m_login; }
    PickingWorkflow &picking() { return *m_picking; }
    PackingWorkflow &packing() { return *m_packing; }
    ScriptScanSource &scriptSource() { return *m_scriptSource; }
    ImageScanSource &imageSource() { return *m_imageSource; }
    SyncClient *sync() { return m_sync; }
    // The camera source; nullptr when built without Qt Multimedia.
    CameraScanSource *camera() { return m_camera; }
    // Which cameras exist (default: Qt Multimedia's list); set before start(). Tests use it to
    // stand for a terminal with or without a camera.
    void setCameraLister(CameraScanSource::CameraLister lister) { m_cameraLister = std::move(lister); }

    // The language override stored in <data>/settings.ini: "" (system), "en" or "ja".
    static QString languageSetting(const QString &dataDirectory);
    static void setLanguageSetting(const QString &dataDirectory, const QString &code);
    // The camera chosen in settings.ini (its id; "" = the system's default camera).
    static QByteArray cameraSetting(const QString &dataDirectory);
    static void setCameraSetting(const QString &dataDirectory, const QByteArray &id);

    // Enrolls with the one-time code (SyncClient::enroll; the result arrives as
    // SyncClient::enrollmentFinished and on the enrollment page). An empty address, sync address
    // or CA file takes the one given on the command line.
    void enroll(const QString &server, const QString &syncAddress, const QString &code, const QString &caFile);
    void enrollWithCode(const QString &code) { enroll(m_options.server, m_options.devices, code, m_options.caFile); }

private:
    Common::Result<void> importFile(const QString &path);

    TerminalOptions m_options;
    LocalDatabase *m_database = nullptr;
    std::unique_ptr<SkuRepository> m_skus;
    std::unique_ptr<LocationRepository> m_locations;
    std::unique_ptr<OrderRepository> m_orders;
    std::unique_ptr<OperatorRepository> m_operators;
    std::unique_ptr<OutboxRepository> m_outbox;
    Session *m_session = nullptr;
    ScanRouter *m_router = nullptr;
    WedgeScanSource *m_wedge = nullptr;
    ScriptScanSource *m_scriptSource = nullptr;
    ImageScanSource *m_imageSource = nullptr;
    CameraScanSource *m_camera = nullptr;
    CameraScanSource::CameraLister m_cameraLister;
    LoginWorkflow *m_login = nullptr;
    PickingWorkflow *m_picking = nullptr;
    PackingWorkflow *m_packing = nullptr;
    SyncClient *m_sync = nullptr;
    Feedback *m_feedback = nullptr;
    std::unique_ptr<MainWindow> m_window; // top-level widget: no QObject parent; destroyed first
};
