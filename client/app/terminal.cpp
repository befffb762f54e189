#include "client/app/terminal.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include "client/app/feedback.h"
#include "client/app/mainwindow.h"
#include "client/scanning/imagescansource.h"
#include "client/scanning/scanrouter.h"
#include "client/scanning/scriptscansource.h"
#include "client/scanning/wedgescansource.h"
#include "client/storage/localdatabase.h"
#include "client/storage/locationrepository.h"
#include "client/storage/operatorrepository.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/sync/snapshotimporter.h"
#include "client/sync/syncclient.h"
#include "client/views/enrollmentpage.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/packingworkflow.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"

namespace {
constexpr qint64 s_maxImportBytes = 256 * 1024 * 1024;
constexpr qint64 s_maxCaBytes = 64 * 1024;
constexpr int s_defaultDevicesPort = 8443; // soko-server's default devices listener (docs/server.md)
} // namespace

Terminal::Terminal(const TerminalOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
}

Terminal::~Terminal()
{
    m_window.reset(); // before the workflows and the database it shows
}

QString Terminal::languageSetting(const QString &dataDirectory)
{
    return QSettings(dataDirectory + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        .value(QStringLiteral("language"))
        .toString();
}

void Terminal::setLanguageSetting(const QString &dataDirectory, const QString &code)
{
    QSettings(dataDirectory + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        .setValue(QStringLiteral("language"), code);
}

QByteArray Terminal::cameraSetting(const QString &dataDirectory)
{
    return QSettings(dataDirectory + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        .value(QStringLiteral("camera"))
        .toString()
        .toUtf8();
}

void Terminal::setCameraSetting(const QString &dataDirectory, const QByteArray &id)
{
    QSettings(dataDirectory + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        .setValue(QStringLiteral("camera"), QString::fromUtf8(id));
}

Common::Result<void> Terminal::start()
{
    if (!QDir().mkpath(m_options.dataDirectory))
        return Common::fail(Common::ErrorCode::Io, "cannot create the data folder");
    m_database = new LocalDatabase(QStringLiteral("terminal"), this);
    if (auto opened = m_database->open(m_options.dataDirectory + QStringLiteral("/terminal.sqlite")); !opened)
        return opened;
    if (auto identity = SyncStateRepository(*m_database).ensureIdentity(); !identity)
        return identity;
    m_skus = std::make_unique<SkuRepository>(*m_database);
    m_locations = std::make_unique<LocationRepository>(*m_database);
    m_orders = std::make_unique<OrderRepository>(*m_database);
    m_operators = std::make_unique<OperatorRepository>(*m_database);
    m_outbox = std::make_unique<OutboxRepository>(*m_database);
    if (!m_options.importFile.isEmpty()) {
        if (auto imported = importFile(m_options.importFile); !imported)
            return imported;
    }

    m_session = new Session(this);
    m_router = new ScanRouter(this);
    WedgeScanSource::Settings wedgeSettings;
    wedgeSettings.maxKeyGapMs = m_options.wedgeGapMs;
    if (!m_options.gsSubstitute.isEmpty())
        wedgeSettings.gsSubstitute = m_options.gsSubstitute.at(0);
    m_wedge = new WedgeScanSource(wedgeSettings, this);
    qApp->installEventFilter(m_wedge);
    m_scriptSource = new ScriptScanSource(this);
    m_imageSource = new ImageScanSource(this);
    for (ScanSource *source : {static_cast<ScanSource *>(m_wedge), static_cast<ScanSource *>(m_scriptSource),
                               static_cast<ScanSource *>(m_imageSource)})
        m_router->addSource(source);
#ifdef SOKO_HAVE_CAMERA
    m_camera = new CameraScanSource(this, m_cameraLister);
    m_camera->setCameraId(cameraSetting(m_options.dataDirectory));
    m_router->addSource(m_camera);
#endif

    m_login = new LoginWorkflow(*m_operators, *m_session, this);
    m_picking = new PickingWorkflow(*m_database, *m_orders, *m_skus, *m_outbox, *m_session, this);
    m_packing = new PackingWorkflow(*m_database, *m_orders, *m_outbox, *m_session, this);
    m_packing->setCarrier(m_options.carrier);
    if (!m_options.noSync) {
        m_sync = new SyncClient(*m_database, m_options.dataDirectory, this);
        // New ops go out soon after they are committed.
        connect(m_picking, &PickingWorkflow::changed, m_sync, &SyncClient::notifyLocalChange);
        connect(m_packing, &PackingWorkflow::shipped, m_sync, &SyncClient::notifyLocalChange);
        // A re-downloaded scope never removes the order in the picker's or packer's hands.
        m_sync->setOpenOrders([this] { return QList<qint64>{m_picking->order().id, m_packing->order().id}; });
    }
    m_feedback = new Feedback(m_options.muted, this);

    m_window = std::make_unique<MainWindow>(MainWindow::Dependencies{*m_database, *m_orders, *m_outbox, *m_session,
                                                                     *m_router, *m_login, *m_picking, *m_packing,
                                                                     m_sync, *m_feedback, m_camera});
    m_window->resize(m_options.windowSize);
    m_window->setLanguageSetting(languageSetting(m_options.dataDirectory));
    m_window->enrollmentPage()->setServerAddress(m_options.server);
    m_window->enrollmentPage()->setSyncAddress(m_options.devices);
    m_window->enrollmentPage()->setCaFile(m_options.caFile);
    connect(m_window.get(), &MainWindow::languageChosen, this,
            [this](const QString &code) { setLanguageSetting(m_options.dataDirectory, code); });
    connect(m_window.get(), &MainWindow::cameraChosen, this,
            [this](const QByteArray &id) { setCameraSetting(m_options.dataDirectory, id); });
    connect(m_window->enrollmentPage(), &EnrollmentPage::enrollRequested, this, &Terminal::enroll);
    m_window->show();
    if (m_sync)
        m_sync->start();
    return {};
}

Common::Result<void> Terminal::importFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Common::fail(Common::ErrorCode::Io, "cannot read " + path.toStdString());
    if (file.size() > s_maxImportBytes)
        return Common::fail(Common::ErrorCode::TooLarge, path.toStdString() + " is too large");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject())
        return Common::fail(Common::ErrorCode::InvalidInput,
                            path.toStdString() + ": " + parseError.errorString().toStdString(), parseError.offset);
    TransactionGuard transaction(*m_database);
    if (!transaction.isActive())
        return tl::unexpected(transaction.beginError());
    if (auto applied = SnapshotImporter::apply(transaction, *m_database, document.object()); !applied)
        return tl::unexpected(applied.error());
    return transaction.commit();
}

void Terminal::enroll(const QString &server, const QString &syncAddress, const QString &code, const QString &caFile)
{
    QFile file(caFile);
    if (caFile.isEmpty() || !file.open(QIODevice::ReadOnly) || file.size() > s_maxCaBytes) {
        m_window->enrollmentPage()->showResult(false, tr("Choose the server's CA certificate file (PEM)."));
        return;
    }
    const QUrl url = QUrl::fromUserInput(server);
    QUrl devices = syncAddress.isEmpty() ? url : QUrl::fromUserInput(syncAddress);
    if (syncAddress.isEmpty())
        devices.setPort(s_defaultDevicesPort);
    if (!url.isValid() || url.scheme() != QLatin1String("https") || !devices.isValid()
        || devices.scheme() != QLatin1String("https")) {
        m_window->enrollmentPage()->showResult(false, tr("The server address must start with https://."));
        return;
    }
    if (!m_sync) {
        m_window->enrollmentPage()->showResult(false, tr("Sync is switched off (--no-sync)."));
        return;
    }
    m_sync->enroll(url, devices, code, file.readAll());
}
