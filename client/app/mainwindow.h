#pragma once
#include <QMainWindow>
#include "client/scanning/scanrouter.h"

class QLabel;
class QStackedWidget;
class CameraScanSource;
class EnrollmentPage;
class Feedback;
class LocalDatabase;
class LoginPage;
class LoginWorkflow;
class OrderListModel;
class OrderListPage;
class OrderRepository;
class OutboxRepository;
class PackingPage;
class PackingWorkflow;
class PickingPage;
class PickingWorkflow;
class Session;
class StatusPage;
class SyncClient;

// The terminal's one window: a stack of screens (enrollment, login, pick lists, picking, pack &
// ship, sync status) and a status bar (online/offline, pending ops, last sync, operator). It
// hands the ScanRouter to the workflow of the visible screen; on the pick-list screen a scanned
// pick slip opens that order. The scanning screens (login, pick lists, picking, packing) carry
// the camera switch when the terminal has a camera; the camera stops on the other screens.
// Built by the composition root, which owns everything it uses.
class MainWindow final : public QMainWindow, public ScanConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum class Page { Enrollment, Login, Orders, Picking, Packing, Status };
    Q_ENUM(Page)

    struct Dependencies
    {
        LocalDatabase &database;
        OrderRepository &orders;
        OutboxRepository &outbox;
        Session &session;
        ScanRouter &router;
        LoginWorkflow &login;
        PickingWorkflow &picking;
        PackingWorkflow &packing;
        SyncClient *sync;            // nullptr with --no-sync
        Feedback &feedback;
        CameraScanSource *camera = nullptr; // nullptr when built without Qt Multimedia
    };

    explicit MainWindow(const Dependencies &dependencies, QWidget *parent = nullptr);

    Page page() const { return m_page; }
    void showPage(Page page);
    // Opens the order on the picking screen. False (with a refusal shown) when it cannot be picked.
    bool openOrder(qint64 orderId);
    QWidget *pageWidget(Page page) const;
    LoginPage *loginPage() const { return m_loginPage; }
    EnrollmentPage *enrollmentPage() const { return m_enrollmentPage; }
    // Where the language choice is stored ("" = system).
    void setLanguageSetting(const QString &code);

    void handleScan(const ClassifiedScan &scan) override;

Q_SIGNALS:
    void languageChosen(const QString &code);
    // The operator chose the camera to scan with ("" = the system's default).
    void cameraChosen(const QByteArray &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateStatusBar();
    void setStatusText(QLabel *label, const QString &text);
    static void elide(QLabel *label);
    void onSessionChanged();
    void wireCamera();

    Dependencies m_deps;
    Page m_page = Page::Login;
    Page m_resumePage = Page::Orders; // where an idle-locked operator returns after the PIN
    QString m_resumeOperatorId;
    QStackedWidget *m_stack = nullptr;
    OrderListModel *m_orderModel = nullptr;
    EnrollmentPage *m_enrollmentPage = nullptr;
    LoginPage *m_loginPage = nullptr;
    OrderListPage *m_orderPage = nullptr;
    PickingPage *m_pickingPage = nullptr;
    PackingPage *m_packingPage = nullptr;
    StatusPage *m_statusPage = nullptr;
    QLabel *m_online = nullptr;
    QLabel *m_pending = nullptr;
    QLabel *m_lastSync = nullptr;
    QLabel *m_user = nullptr;
};
