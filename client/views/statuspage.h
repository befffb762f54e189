#pragma once
#include <QList>
#include <QPair>
#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class OutboxProblemModel;

// What the status page shows about sync (filled by MainWindow from SyncClient).
struct SyncStatusInfo
{
    QString deviceId;
    QString server;
    QString state;                   // translated: online / offline / syncing / not connected
    int pendingOps = 0;
    QString lastSync;                // local time text, empty = never
    QString lastError;               // translated explanation, empty = none
};

// Sync status and the ops the server answered with conflict or rejected (with its reason), so
// nothing is silently dropped; "Sync now", the language and the camera settings live here.
class StatusPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusPage)
public:
    StatusPage(OutboxProblemModel *problems, QWidget *parent = nullptr);
    void setInfo(const SyncStatusInfo &info);
    // "" = follow the system, "en", "ja".
    void setLanguage(const QString &code);
    // The cameras to choose from (id, description) and the chosen id ("" = the system's default).
    // The choice is hidden while there is no camera.
    void setCameras(const QList<QPair<QByteArray, QString>> &cameras, const QByteArray &current);

Q_SIGNALS:
    void syncRequested();
    void backRequested();
    void languageChosen(const QString &code);
    void cameraChosen(const QByteArray &id);

private:
    QLabel *m_summary = nullptr;
    QComboBox *m_language = nullptr;
    QWidget *m_cameraChoice = nullptr;
    QComboBox *m_camera = nullptr;
    QTableView *m_table = nullptr;
};
