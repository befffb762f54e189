#pragma once
#include <functional>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>
#include "common/support/result.h"

class QNetworkAccessManager;
class QNetworkReply;
class LocalDatabase;

// Syncs the terminal with soko-server (DESIGN.md "Sync protocol", docs/sync-protocol.md) over
// HTTPS with mutual TLS: the server is trusted only through the CA certificate pinned at
// enrollment (setCaCertificates replaces the system roots; SSL errors are never ignored), and
// the terminal presents the device certificate issued at enrollment.
//
// A round = push then pull. Push sends pending outbox ops in seq order in bounded batches, one
// request in flight; results are stored per op (acked / conflict / rejected with the server's
// reason); a `gap` answer resends from last_applied + 1, `fork`/`incarnation_retired` ask for a
// new incarnation and renumber the unacked ops, `epoch_changed` re-snapshots and re-pushes.
// Pull stores each page with its cursor in one transaction; `snapshot_required` restarts from
// cursor 0, and the snapshot's last page removes what the server no longer has (SnapshotSweep:
// never the outbox, never an order with unpushed ops or open on a screen). Rounds are woken by a timer with exponential backoff and jitter, by the network
// coming back and by new local ops. GUI thread only; owned by the composition root.
class SyncClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyncClient)
public:
    enum class State { NotEnrolled, Idle, Syncing, Offline };
    Q_ENUM(State)

    struct Settings
    {
        int maxBatchOps = 200;                 // ≤ 1000 (server limit)
        qint64 maxBatchBytes = 512 * 1024;     // payload bytes per push (server: 1 MiB per request)
        int pullPageLimit = 1000;              // changes per page, ≤ 5000
        int requestTimeoutMs = 30000;
        int idlePollMs = 60000;                // a round at least this often when all is well
        int minBackoffMs = 2000;
        int maxBackoffMs = 5 * 60 * 1000;
    };

    // `dataDirectory` holds the device key (device.key, mode 0600) next to the database.
    SyncClient(LocalDatabase &database, const QString &dataDirectory, QObject *parent = nullptr);
    ~SyncClient() override;

    void setSettings(const Settings &settings) { m_settings = settings; }
    // Ids of the orders open on a screen (picking, packing): a snapshot or a pulled deletion does
    // not remove them under the operator's hands, only once they are closed.
    void setOpenOrders(std::function<QList<qint64>()> openOrders) { m_openOrders = std::move(openOrders); }
    bool isEnrolled() const;
    State state() const { return m_state; }
    QString serverAddress() const;
    QDateTime lastSync() const;
    QString lastErrorText() const { return m_lastError; }
    // A request is in flight or another round is already due (script and test helpers wait on it).
    bool isBusy() const;

    // Enrollment (docs/api.md "Enrollment"): generates a P-256 key and CSR (common/crypto/pki.h)
    // and POSTs {"code","csr"} to <apiServer>/api/v1/enroll (the api listener) over TLS trusting
    // only `bootstrapCaPem` (the server-ca.pem the back office hands out). On 201 it stores the
    // device id, warehouse and certificate from the answer, pins the answer's `server_ca` (it
    // replaces the bootstrap CA for every later connection), writes the key to device.key (0600)
    // and syncs with `devicesServer` (the devices listener). enrollmentFinished() reports the
    // result; a refused code (401), a bad request (400) or an unconfigured server (503) leave the
    // terminal unenrolled.
    void enroll(const QUrl &apiServer, const QUrl &devicesServer, const QString &oneTimeCode,
                const QByteArray &bootstrapCaPem);
    // Starts the timers and runs a first round when enrolled.
    void start();

public Q_SLOTS:
    void syncNow();
    // New local ops were committed: push soon (an op created during a push goes out next round).
    void notifyLocalChange();

Q_SIGNALS:
    void stateChanged(SyncClient::State state);
    void enrollmentFinished(bool ok, const QString &message);
    void roundFinished(bool ok);
    // The server answered some ops with conflict or rejected (the status page lists them).
    void problemsReceived(int count);

private:
    enum class Phase { None, Push, Incarnation, Pull };
    void setState(State state);
    Common::Result<QSslConfiguration> sslConfiguration(bool withClientCertificate) const;
    // Sends to the stored devices address with the device certificate.
    QNetworkReply *send(const QString &method, const QString &path, const QByteArray &body);
    QNetworkReply *sendTo(QUrl url, const QSslConfiguration &configuration, const QString &method,
                          const QString &path, const QByteArray &body);
    void onEnrollReply(QNetworkReply *reply, const QByteArray &privateKey, const QByteArray &publicKeyPem,
                       const QString &devicesServer);
    void pushNext(qint64 fromSeq);
    void onPushReply(QNetworkReply *reply, qint64 pushedThrough);
    void requestIncarnation();
    void onIncarnationReply(QNetworkReply *reply);
    void pullNext();
    void onPullReply(QNetworkReply *reply);
    bool handleRefusal(const QByteArray &body);
    void finishRound(bool ok, const QString &error);
    void scheduleNext(bool failed);

    LocalDatabase &m_database;
    QString m_dataDirectory;
    Settings m_settings;
    std::function<QList<qint64>()> m_openOrders;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_inFlight;
    QTimer m_timer;
    State m_state = State::NotEnrolled;
    Phase m_phase = Phase::None;
    bool m_wakeAgain = false;            // woken while a round ran: run another right after
    bool m_snapshotting = false;         // pulling from cursor 0 after snapshot_required / epoch change
    int m_failures = 0;
    int m_problems = 0;
    QString m_lastError;
};
