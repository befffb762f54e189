#include "client/app/mainwindow.h"

#include <QApplication>
#include <QEvent>
#include <QLabel>
#include <QStackedWidget>
#include <QStatusBar>

#include "client/app/feedback.h"
#include "client/models/orderlistmodel.h"
#ifdef SOKO_HAVE_CAMERA
#include "client/scanning/camerascansource.h"
#include "client/views/camerabutton.h"
#endif
#include "client/models/outboxproblemmodel.h"
#include "client/models/picklistmodel.h"
#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/sync/syncclient.h"
#include "client/views/enrollmentpage.h"
#include "client/views/loginpage.h"
#include "client/views/orderlistpage.h"
#include "client/views/packingpage.h"
#include "client/views/pickingpage.h"
#include "client/views/statuspage.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/packingworkflow.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"

namespace {

QString syncStateText(const SyncClient *sync)
{
    if (!sync)
        return MainWindow::tr("No server");
    switch (sync->state()) {
    case SyncClient::State::NotEnrolled: return MainWindow::tr("Not connected");
    case SyncClient::State::Idle: return MainWindow::tr("Online");
    case SyncClient::State::Syncing: return MainWindow::tr("Syncing…");
    case SyncClient::State::Offline: return MainWindow::tr("Offline");
    }
    return {};
}

} // namespace

MainWindow::MainWindow(const Dependencies &dependencies, QWidget *parent)
    : QMainWindow(parent)
    , m_deps(dependencies)
{
    setWindowTitle(tr("Soko terminal"));
    m_stack = new QStackedWidget(this);
    setCentralWidget(m_stack);

    m_orderModel = new OrderListModel(m_deps.database, m_deps.orders, this);
    m_orderModel->setStates({QStringLiteral("allocated"), QStringLiteral("released"), QStringLiteral("picking"),
                             QStringLiteral("picked")});
    auto *pickListModel = new PickListModel(m_deps.picking, this);
    auto *problemModel = new OutboxProblemModel(m_deps.database, m_deps.outbox, this);

    m_enrollmentPage = new EnrollmentPage(m_stack);
    m_loginPage = new LoginPage(m_deps.login, m_stack);
    m_orderPage = new OrderListPage(m_orderModel, m_stack);
    m_pickingPage = new PickingPage(m_deps.picking, pickListModel, m_stack);
    m_packingPage = new PackingPage(m_deps.packing, m_stack);
    m_statusPage = new StatusPage(problemModel, m_stack);
    for (QWidget *page : {static_cast<QWidget *>(m_enrollmentPage), static_cast<QWidget *>(m_loginPage),
                          static_cast<QWidget *>(m_orderPage), static_cast<QWidget *>(m_pickingPage),
                          static_cast<QWidget *>(m_packingPage), static_cast<QWidget *>(m_statusPage)})
        m_stack->addWidget(page);

    m_online = new QLabel(this);
    m_pending = new QLabel(this);
    m_lastSync = new QLabel(this);
    m_user = new QLabel(this);
    for (QLabel *label : {m_online, m_pending, m_lastSync, m_user}) {
        // Status text must never widen a 480-pixel handheld screen: it is elided instead.
        label->setMinimumWidth(0);
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    }
    statusBar()->addWidget(m_online, 2);
    statusBar()->addWidget(m_pending, 2);
    statusBar()->addWidget(m_lastSync, 3);
    statusBar()->addPermanentWidget(m_user, 2);
    statusBar()->setSizeGripEnabled(false);
    // The last label would otherwise touch (and on 480 px, cross) the screen's right edge.
    statusBar()->setContentsMargins(0, 0, 8, 0);

    connect(m_orderPage, &OrderListPage::pickRequested, this, &MainWindow::openOrder);
    connect(m_orderPage, &OrderListPage::packRequested, this, [this] { showPage(Page::Packing); });
    connect(m_orderPage, &OrderListPage::statusRequested, this, [this] { showPage(Page::Status); });
    connect(m_orderPage, &OrderListPage::logoutRequested, &m_deps.login, &LoginWorkflow::logOut);
    connect(m_pickingPage, &PickingPage::backRequested, this, [this] {
        m_deps.picking.closeOrder();
        showPage(Page::Orders);
    });
    connect(m_packingPage, &PackingPage::backRequested, this, [this] { showPage(Page::Orders); });
    connect(m_statusPage, &StatusPage::backRequested, this,
            [this] { showPage(m_deps.session.isLoggedIn() ? Page::Orders : Page::Login); });
    connect(m_statusPage, &StatusPage::languageChosen, this, &MainWindow::languageChosen);
    connect(m_enrollmentPage, &EnrollmentPage::skipRequested, this, [this] { showPage(Page::Login); });
    connect(&m_deps.session, &Session::changed, this, &MainWindow::onSessionChanged);
    connect(&m_deps.database, &LocalDatabase::committed, this, &MainWindow::updateStatusBar);

    connect(&m_deps.login, &LoginWorkflow::accepted, &m_deps.feedback, &Feedback::accepted);
    connect(&m_deps.login, &LoginWorkflow::refused, &m_deps.feedback, &Feedback::refused);
    connect(&m_deps.picking, &PickingWorkflow::accepted, &m_deps.feedback, &Feedback::accepted);
    connect(&m_deps.picking, &PickingWorkflow::refused, &m_deps.feedback, &Feedback::refused);
    connect(&m_deps.packing, &PackingWorkflow::accepted, &m_deps.feedback, &Feedback::accepted);
    connect(&m_deps.packing, &PackingWorkflow::refused, &m_deps.feedback, &Feedback::refused);
    connect(&m_deps.router, &ScanRouter::routed, &m_deps.login, &LoginWorkflow::noteActivity);

    if (m_deps.sync) {
        connect(m_deps.sync, &SyncClient::stateChanged, this, &MainWindow::updateStatusBar);
        connect(m_deps.sync, &SyncClient::roundFinished, this, &MainWindow::updateStatusBar);
        // Conflicts and rejections are never silent: the operator is told where to read them.
        connect(m_deps.sync, &SyncClient::problemsReceived, this, [this](int count) {
            m_deps.feedback.refused();
            statusBar()->showMessage(tr("%n action(s) need attention: see Sync status.", nullptr, count), 15000);
        });
        connect(m_statusPage, &StatusPage::syncRequested, m_deps.sync, &SyncClient::syncNow);
        connect(m_deps.sync, &SyncClient::enrollmentFinished, m_enrollmentPage, &EnrollmentPage::showResult);
        connect(m_deps.sync, &SyncClient::enrollmentFinished, this, [this](bool ok, const QString &) {
            if (ok)
                showPage(Page::Login);
        });
    }
    wireCamera();
    // Any touch or key anywhere in the app counts as activity for the idle lock.
    qApp->installEventFilter(this);
    showPage(m_deps.sync && !m_deps.sync->isEnrolled() ? Page::Enrollment : Page::Login);
    updateStatusBar();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize) {
        for (QLabel *label : {m_online, m_pending, m_lastSync, m_user}) {
            if (watched == label)
                elide(label);
        }
    }
    if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::KeyPress)
        m_deps.login.noteActivity();
    return QMainWindow::eventFilter(watched, event);
}

QWidget *MainWindow::pageWidget(Page page) const
{
    return m_stack->widget(int(page));
}

void MainWindow::setLanguageSetting(const QString &code)
{
    m_statusPage->setLanguage(code);
}

void MainWindow::showPage(Page page)
{
    // Only the login and enrollment screens are reachable without an open session.
    if (!m_deps.session.isLoggedIn() && page != Page::Enrollment && page != Page::Status)
        page = Page::Login;
    m_page = page;
    m_stack->setCurrentIndex(int(page));
    // The pick list reloads on commits only while it is on screen (and when it comes back).
    m_orderModel->setAutoRefresh(page == Page::Orders);
    switch (page) {
    case Page::Login: m_deps.router.setConsumer(&m_deps.login); break;
    case Page::Orders:
        m_deps.router.setConsumer(this);
        break;
    case Page::Picking: m_deps.router.setConsumer(&m_deps.picking); break;
    case Page::Packing: m_deps.router.setConsumer(&m_deps.packing); break;
    case Page::Enrollment:
    case Page::Status: m_deps.router.setConsumer(nullptr); break;
    }
    if (page == Page::Status)
        updateStatusBar();
#ifdef SOKO_HAVE_CAMERA
    // Only scanning screens have a use for the camera; elsewhere it would drain the battery. On
    // a scanning screen the switch follows a camera plugged in or out meanwhile.
    if (m_deps.camera) {
        if (page == Page::Enrollment || page == Page::Status)
            m_deps.camera->stop();
        m_deps.camera->refreshCameras();
    }
#endif
}

bool MainWindow::openOrder(qint64 orderId)
{
    auto started = m_deps.picking.startOrder(orderId);
    if (!started) {
        m_deps.feedback.refused();
        statusBar()->showMessage(tr("This order cannot be picked now."), 5000);
        return false;
    }
    showPage(Page::Picking);
    return true;
}

void MainWindow::handleScan(const ClassifiedScan &scan)
{
    // Pick-list screen: the pick slip's barcode opens the order.
    auto order = m_deps.orders.findByNumber(scan.code);
    if (!order) {
        m_deps.feedback.refused();
        statusBar()->showMessage(tr("Scan a pick slip to open its order."), 5000);
        return;
    }
    if (order->state == QLatin1String("picked")) {
        showPage(Page::Packing);
        m_deps.packing.handleScan(scan);
        return;
    }
    openOrder(order->id);
}

void MainWindow::onSessionChanged()
{
    if (m_deps.session.isLoggedIn()) {
        if (m_page == Page::Login) {
            const Page resume = std::exchange(m_resumePage, Page::Orders);
            showPage(m_deps.session.operatorId() == m_resumeOperatorId ? resume : Page::Orders);
        }
    } else if (m_page != Page::Enrollment && m_page != Page::Status) {
        // An idle lock keeps the open order: the same operator resumes where he was.
        m_resumePage = m_deps.session.isLocked() && (m_page == Page::Picking || m_page == Page::Packing) ? m_page
                                                                                                          : Page::Orders;
        m_resumeOperatorId = m_deps.session.operatorId();
        showPage(Page::Login);
    }
    updateStatusBar();
}

void MainWindow::wireCamera()
{
#ifdef SOKO_HAVE_CAMERA
    CameraScanSource *camera = m_deps.camera;
    if (!camera)
        return;
    m_loginPage->setCameraButton(new CameraButton(*camera));
    m_orderPage->setCameraButton(new CameraButton(*camera));
    m_pickingPage->setCameraButton(new CameraButton(*camera));
    m_packingPage->setCameraButton(new CameraButton(*camera));
    // No camera, a camera error: told once, in words, where the operator looks.
    connect(camera, &CameraScanSource::statusChanged, this, [this, camera] {
        if (camera->statusText().isEmpty())
            return;
        m_deps.feedback.refused();
        statusBar()->showMessage(camera->statusText(), 8000);
    });
    auto offerCameras = [this, camera] {
        QList<QPair<QByteArray, QString>> cameras;
        for (const CameraScanSource::Camera &entry : camera->cameras())
            cameras.append({entry.id, entry.description});
        m_statusPage->setCameras(cameras, camera->cameraId());
    };
    connect(camera, &CameraScanSource::camerasChanged, this, offerCameras);
    offerCameras();
    connect(m_statusPage, &StatusPage::cameraChosen, this, [this, camera](const QByteArray &id) {
        camera->setCameraId(id);
        Q_EMIT cameraChosen(id);
    });
#endif
}

void MainWindow::setStatusText(QLabel *label, const QString &text)
{
    label->setProperty("fullText", text);
    label->setToolTip(text);
    elide(label);
}

void MainWindow::elide(QLabel *label)
{
    // A 480-pixel handheld has no room for long names or dates: cut with "…", never mid-glyph.
    const QString full = label->property("fullText").toString();
    const int width = label->contentsRect().width() - 4;
    label->setText(width > 16 ? label->fontMetrics().elidedText(full, Qt::ElideRight, width) : full);
}

void MainWindow::updateStatusBar()
{
    const bool online = m_deps.sync && m_deps.sync->state() != SyncClient::State::Offline
        && m_deps.sync->state() != SyncClient::State::NotEnrolled;
    setStatusText(m_online, syncStateText(m_deps.sync));
    m_online->setStyleSheet(online ? QStringLiteral("color: #3fb950; font-weight: bold;")
                                   : QStringLiteral("color: #ff7b72; font-weight: bold;"));
    const int pending = m_deps.outbox.pendingCount();
    setStatusText(m_pending, tr("%n to send", nullptr, pending));
    const QDateTime last = m_deps.sync ? m_deps.sync->lastSync().toLocalTime() : QDateTime();
    const QString lastText = last.isValid() ? QLocale().toString(last, QLocale::ShortFormat) : QString();
    // The status bar shows only the time for today's syncs; the status page the full date.
    const QString lastShort = !last.isValid() ? QString()
        : last.date() == QDate::currentDate() ? QLocale().toString(last.time(), QLocale::ShortFormat)
                                              : lastText;
    setStatusText(m_lastSync, lastShort.isEmpty() ? tr("Never synced") : tr("Synced %1").arg(lastShort));
    setStatusText(m_user, m_deps.session.isLoggedIn() ? m_deps.session.operatorName()
                                                      : (m_deps.session.isLocked() ? tr("Locked") : tr("Not logged in")));
    SyncStatusInfo info;
    info.deviceId = SyncStateRepository(m_deps.database).value(SyncStateRepository::DeviceId);
    info.server = m_deps.sync ? m_deps.sync->serverAddress() : QString();
    info.state = syncStateText(m_deps.sync);
    info.pendingOps = pending;
    info.lastSync = lastText;
    info.lastError = m_deps.sync ? m_deps.sync->lastErrorText() : QString();
    m_statusPage->setInfo(info);
}
