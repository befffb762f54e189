#include "client/sync/syncclient.h"

#include <algorithm>

#include <QFile>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkInformation>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslKey>
#include <QUrlQuery>
#include <QUuid>

#include "client/storage/localdatabase.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/sync/snapshotimporter.h"
#include "client/sync/snapshotsweep.h"
#include "common/protocol/protocol.h"
#include "common/crypto/pki.h"

Q_LOGGING_CATEGORY(lcSync, "soko.sync")

namespace {

constexpr qint64 s_maxResponseBytes = 2 * 1024 * 1024; // server pages are ≤ 512 KiB of data
const QString s_keyFile = QStringLiteral("/device.key");

std::string toStd(const QByteArray &bytes)
{
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

} // namespace

SyncClient::SyncClient(LocalDatabase &database, const QString &dataDirectory, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_dataDirectory(dataDirectory)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // never follow a redirect elsewhere
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SyncClient::syncNow);
    m_state = isEnrolled() ? State::Idle : State::NotEnrolled;
}

SyncClient::~SyncClient()
{
    if (m_inFlight) {
        // Its finished handler must not run inside the destructor (it would read an aborted reply
        // and touch a half-destroyed client): disconnect first, then abort.
        m_inFlight->disconnect(this);
        m_inFlight->abort();
    }
    // Idle keep-alive TLS connections are closed now, not left to the network thread at exit.
    m_network->clearConnectionCache();
}

bool SyncClient::isEnrolled() const
{
    const SyncStateRepository state(m_database);
    return !state.value(SyncStateRepository::ClientCertificate).isEmpty()
        && !state.value(SyncStateRepository::ServerUrl).isEmpty()
        && !state.value(SyncStateRepository::CaCertificate).isEmpty();
}

bool SyncClient::isBusy() const
{
    return !m_inFlight.isNull() || m_wakeAgain;
}

QString SyncClient::serverAddress() const
{
    return SyncStateRepository(m_database).value(SyncStateRepository::ServerUrl);
}

QDateTime SyncClient::lastSync() const
{
    return QDateTime::fromString(SyncStateRepository(m_database).value(SyncStateRepository::LastSync), Qt::ISODate);
}

void SyncClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SyncClient::start()
{
    // The network coming back wakes a round at once (when the platform reports reachability).
    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability reachability) {
                    if (reachability == QNetworkInformation::Reachability::Online
                        || reachability == QNetworkInformation::Reachability::Site)
                        syncNow();
                });
    }
    if (isEnrolled())
        m_timer.start(0);
}

void SyncClient::notifyLocalChange()
{
    if (!isEnrolled())
        return;
    if (m_inFlight) {
        m_wakeAgain = true; // an op created during a push goes out in the next round
        return;
    }
    // Coalesce a burst of scans into one round, but do not wait out a long backoff for new ops.
    if (!m_timer.isActive() || m_timer.remainingTime() > 1000)
        m_timer.start(500);
}

Common::Result<QSslConfiguration> SyncClient::sslConfiguration(bool withClientCertificate) const
{
    const SyncStateRepository state(m_database);
    const QList<QSslCertificate> roots =
        QSslCertificate::fromData(state.value(SyncStateRepository::CaCertificate).toLatin1(), QSsl::Pem);
    if (roots.isEmpty())
        return Common::fail(Common::ErrorCode::Crypto, "no pinned server CA");
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    // Replaces the system roots (and switches off their on-demand loading): only our CA counts.
    configuration.setCaCertificates(roots);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    if (withClientCertificate) {
        QFile keyFile(m_dataDirectory + s_keyFile);
        if (!keyFile.open(QIODevice::ReadOnly))
            return Common::fail(Common::ErrorCode::Crypto, "device key missing");
        const QSslKey key(keyFile.readAll(), QSsl::Ec, QSsl::Pem);
        const QList<QSslCertificate> certificate =
            QSslCertificate::fromData(state.value(SyncStateRepository::ClientCertificate).toLatin1(), QSsl::Pem);
        if (key.isNull() || certificate.isEmpty())
            return Common::fail(Common::ErrorCode::Crypto, "device certificate or key unreadable");
        configuration.setPrivateKey(key);
        configuration.setLocalCertificate(certificate.first());
    }
    return configuration;
}

QNetworkReply *SyncClient::send(const QString &method, const QString &path, const QByteArray &body)
{
    auto configuration = sslConfiguration(true);
    if (!configuration) {
        m_lastError = tr("The terminal's certificate is missing: connect it again.");
        qCWarning(lcSync) << configuration.error().message.c_str();
        return nullptr;
    }
    return sendTo(QUrl(SyncStateRepository(m_database).value(SyncStateRepository::ServerUrl)), *configuration, method,
                  path, body);
}

QNetworkReply *SyncClient::sendTo(QUrl url, const QSslConfiguration &configuration, const QString &method,
                                  const QString &path, const QByteArray &body)
{
    if (url.scheme() != QLatin1String("https")) {
        // QNetworkAccessManager would silently ignore the TLS configuration for http://.
        m_lastError = tr("The server address must start with https://.");
        return nullptr;
    }
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    request.setSslConfiguration(configuration);
    request.setTransferTimeout(m_settings.requestTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    // The terminal's report of itself (docs/sync-protocol.md "Terminal report"): its version and
    // how many ops wait in its outbox, shown to the back office on the dashboard.
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("soko-terminal/" SOKO_VERSION));
    request.setRawHeader("Soko-Pending-Ops", QByteArray::number(OutboxRepository(m_database).pendingCount()));
    QNetworkReply *reply = method == QLatin1String("GET") ? m_network->get(request) : m_network->post(request, body);
    // A response larger than any valid page is cut off, never buffered.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > s_maxResponseBytes)
            reply->abort();
    });
    m_inFlight = reply;
    return reply;
}

void SyncClient::syncNow()
{
    if (m_inFlight) {
        m_wakeAgain = true;
        return;
    }
    if (!isEnrolled()) {
        setState(State::NotEnrolled);
        return;
    }
    m_timer.stop();
    m_problems = 0;
    m_wakeAgain = false;
    setState(State::Syncing);
    pushNext(1);
}

void SyncClient::pushNext(qint64 fromSeq)
{
    m_phase = Phase::Push;
    OutboxRepository outbox(m_database);
    auto batch = outbox.pendingFrom(fromSeq, m_settings.maxBatchOps, m_settings.maxBatchBytes);
    if (!batch)
        return finishRound(false, tr("The local database could not be read."));
    if (batch->isEmpty())
        return pullNext();
    const SyncStateRepository state(m_database);
    Common::Protocol::PushRequest request;
    request.deviceId = state.value(SyncStateRepository::DeviceId).toStdString();
    request.incarnation = state.integer(SyncStateRepository::Incarnation, 1);
    if (const QString epoch = state.value(SyncStateRepository::Epoch); !epoch.isEmpty())
        request.epoch = epoch.toStdString();
    for (const OutboxEntry &entry : std::as_const(*batch)) {
        const auto type = Common::Protocol::operationTypeFromName(entry.type.toStdString());
        auto payload = type ? Common::Protocol::decodePayload(*type, toStd(entry.payload))
                            : Common::Result<Common::Protocol::Payload>(
                                  Common::fail(Common::ErrorCode::InvalidInput, "unknown op type"));
        if (!payload) {
            // Cannot happen for ops we encoded ourselves; stop rather than leave a seq gap.
            qCWarning(lcSync) << "op" << entry.seq << "has an invalid payload:" << payload.error().message.c_str();
            return finishRound(false, tr("An action on this terminal cannot be sent. Call your supervisor."));
        }
        Common::Protocol::PushOp op;
        op.seq = entry.seq;
        op.opId = entry.opId.toStdString();
        op.payload = *payload;
        op.operatorId = entry.operatorId.toStdString();
        op.createdAt = entry.createdAt.toStdString();
        if (!op.createdAt.empty() && op.createdAt.back() != 'Z')
            op.createdAt += 'Z';
        request.ops.push_back(std::move(op));
    }
    QNetworkReply *reply = send(QStringLiteral("POST"), QStringLiteral("/api/v1/sync/push"),
                                QByteArray::fromStdString(Common::Protocol::encode(request)));
    if (!reply)
        return finishRound(false, m_lastError);
    const qint64 pushedThrough = request.ops.empty() ? 0 : request.ops.back().seq;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, pushedThrough] { onPushReply(reply, pushedThrough); });
}

void SyncClient::onPushReply(QNetworkReply *reply, qint64 pushedThrough)
{
    reply->deleteLater();
    m_inFlight = nullptr;
    const int status = httpStatus(reply);
    const QByteArray body = reply->readAll();
    if (status == 409 && handleRefusal(body))
        return;
    if (status != 200) {
        qCInfo(lcSync) << "push failed:" << status << reply->errorString();
        return finishRound(false, status == 0 ? tr("The server cannot be reached.")
                                              : tr("The server refused the upload (HTTP %1).").arg(status));
    }
    auto response = Common::Protocol::decodePushResponse(toStd(body));
    if (!response)
        return finishRound(false, tr("The server sent an answer this terminal does not understand."));
    OutboxRepository outbox(m_database);
    SyncStateRepository state(m_database);
    TransactionGuard transaction(m_database);
    if (!transaction.isActive())
        return finishRound(false, tr("The local database is busy."));
    for (const auto &result : response->results) {
        OutboxState outcome = OutboxState::Acked;
        QString reason;
        if (result.outcome != Common::Protocol::OperationOutcome::Applied) {
            outcome = result.outcome == Common::Protocol::OperationOutcome::Conflict ? OutboxState::Conflict
                                                                                     : OutboxState::Rejected;
            reason = QString::fromStdString(result.reason.value_or(""));
            if (result.message)
                reason += QStringLiteral(": ") + QString::fromStdString(*result.message);
            ++m_problems;
        }
        if (auto stored = outbox.setResult(transaction, QString::fromStdString(result.opId), outcome, reason); !stored)
            qCWarning(lcSync) << "result for unknown op" << result.seq;
    }
    // Only what this batch carried: the server's last_applied can be higher than anything pushed
    // here (a terminal restored from an older copy resends ops the server already has, and its
    // newer ops reuse seqs the server holds for other op ids). Acking up to last_applied would mark
    // those never-sent ops acked — lost; the next push finds the fork instead (soak seed 20261130).
    const qint64 ackedThrough = std::min<qint64>(response->lastApplied, pushedThrough);
    if (!outbox.ackThrough(transaction, ackedThrough)
        || !state.setValue(transaction, SyncStateRepository::Epoch, QString::fromStdString(response->epoch))
        || !transaction.commit())
        return finishRound(false, tr("The local database could not be written."));
    pushNext(ackedThrough + 1);
}

bool SyncClient::handleRefusal(const QByteArray &body)
{
    auto refusal = Common::Protocol::decodeRefusal(toStd(body));
    if (!refusal)
        return false;
    OutboxRepository outbox(m_database);
    SyncStateRepository state(m_database);
    using Code = Common::Protocol::RefusalCode;
    qCInfo(lcSync) << "refusal" << Common::Protocol::refusalCodeName(refusal->error).data() << "last_applied"
                   << refusal->lastApplied;
    switch (refusal->error) {
    case Code::Gap:
    case Code::EpochChanged: {
        TransactionGuard transaction(m_database);
        const bool epochChanged = refusal->error == Code::EpochChanged;
        // The server lacks every op after last_applied: they become pending again (op ids keep
        // it exactly-once); after a restore the scope is downloaded again from cursor 0.
        if (!transaction.isActive() || !outbox.ackThrough(transaction, refusal->lastApplied)
            || !outbox.requeueAfter(transaction, refusal->lastApplied)
            || !state.setValue(transaction, SyncStateRepository::Epoch, QString::fromStdString(refusal->epoch))
            || (epochChanged && !SnapshotSweep::begin(transaction, m_database)) || !transaction.commit()) {
            finishRound(false, tr("The local database could not be written."));
            return true;
        }
        if (epochChanged)
            m_snapshotting = true;
        pushNext(refusal->lastApplied + 1);
        return true;
    }
    case Code::Fork:
    case Code::IncarnationRetired:
        requestIncarnation();
        return true;
    case Code::SnapshotRequired: {
        // The scope again from cursor 0; what it no longer carries is removed with its last page.
        TransactionGuard transaction(m_database);
        if (!transaction.isActive() || !SnapshotSweep::begin(transaction, m_database)
            || !state.setValue(transaction, SyncStateRepository::Epoch, QString::fromStdString(refusal->epoch))
            || !transaction.commit()) {
            finishRound(false, tr("The local database could not be written."));
            return true;
        }
        m_snapshotting = true;
        pullNext();
        return true;
    }
    }
    return false;
}

void SyncClient::requestIncarnation()
{
    m_phase = Phase::Incarnation;
    QNetworkReply *reply = send(QStringLiteral("POST"), QStringLiteral("/api/v1/sync/incarnation"),
                                QByteArrayLiteral("{\"protocol\":1}"));
    if (!reply)
        return finishRound(false, m_lastError);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onIncarnationReply(reply); });
}

void SyncClient::onIncarnationReply(QNetworkReply *reply)
{
    reply->deleteLater();
    m_inFlight = nullptr;
    auto response = httpStatus(reply) == 200
        ? Common::Protocol::decodeIncarnationResponse(toStd(reply->readAll()))
        : Common::Result<Common::Protocol::IncarnationResponse>(
              Common::fail(Common::ErrorCode::Io, "incarnation request failed"));
    if (!response)
        return finishRound(false, tr("The server did not give this terminal a new identity."));
    TransactionGuard transaction(m_database);
    OutboxRepository outbox(m_database);
    SyncStateRepository state(m_database);
    // One transaction: the new incarnation and the renumbered unacked ops (1, 2, 3, …).
    if (!transaction.isActive() || !outbox.startNewIncarnation(transaction, response->incarnation)
        || !state.setValue(transaction, SyncStateRepository::Epoch, QString::fromStdString(response->epoch))
        || !transaction.commit())
        return finishRound(false, tr("The local database could not be written."));
    pushNext(1);
}

void SyncClient::pullNext()
{
    m_phase = Phase::Pull;
    if (SnapshotSweep::needsRestart(m_database)) {
        // A snapshot cut short by a restart: its earlier pages cannot tell what the server
        // dropped any more, so the scope is downloaded again from the start.
        qCInfo(lcSync) << "unfinished snapshot: downloading the scope again from cursor 0";
        TransactionGuard transaction(m_database);
        if (!transaction.isActive() || !SnapshotSweep::begin(transaction, m_database) || !transaction.commit())
            return finishRound(false, tr("The local database could not be written."));
        m_snapshotting = true;
    }
    const SyncStateRepository state(m_database);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("cursor"), state.value(SyncStateRepository::Cursor, QStringLiteral("0")));
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_settings.pullPageLimit));
    if (const QString epoch = state.value(SyncStateRepository::Epoch); !epoch.isEmpty())
        query.addQueryItem(QStringLiteral("epoch"), epoch);
    QNetworkReply *reply = send(QStringLiteral("GET"), QStringLiteral("/api/v1/sync/pull?") + query.toString(QUrl::FullyEncoded),
                                {});
    if (!reply)
        return finishRound(false, m_lastError);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPullReply(reply); });
}

void SyncClient::onPullReply(QNetworkReply *reply)
{
    reply->deleteLater();
    m_inFlight = nullptr;
    const int status = httpStatus(reply);
    const QByteArray body = reply->readAll();
    if (status == 409 && handleRefusal(body))
        return;
    if (status != 200)
        return finishRound(false, status == 0 ? tr("The server cannot be reached.")
                                              : tr("The server refused the download (HTTP %1).").arg(status));
    auto page = Common::Protocol::decodePullResponse(toStd(body));
    if (!page)
        return finishRound(false, tr("The server sent an answer this terminal does not understand."));
    SyncStateRepository state(m_database);
    TransactionGuard transaction(m_database);
    if (!transaction.isActive())
        return finishRound(false, tr("The local database is busy."));
    // The page and its cursor commit together: the cursor never runs ahead of durable data.
    const QList<qint64> openOrders = m_openOrders ? m_openOrders() : QList<qint64>();
    auto toApply = SnapshotSweep::notePage(transaction, m_database, page->changes, openOrders);
    auto applied = toApply ? SnapshotImporter::applyChanges(transaction, m_database, *toApply)
                           : Common::Result<int>(tl::unexpected(toApply.error()));
    // The last page of a snapshot also removes what it did not carry (same transaction).
    auto swept = applied && !page->hasMore ? SnapshotSweep::finishPull(transaction, m_database, openOrders)
                                           : Common::Result<SnapshotSweep::Removed>();
    if (!applied || !swept) {
        qCWarning(lcSync) << "pull page not applied:"
                          << (!applied ? applied.error() : swept.error()).message.c_str();
        return finishRound(false, tr("Data from the server could not be stored."));
    }
    if (!state.setValue(transaction, SyncStateRepository::Cursor, QString::fromStdString(page->nextCursor))
        || !state.setValue(transaction, SyncStateRepository::Epoch, QString::fromStdString(page->epoch))
        || !transaction.commit())
        return finishRound(false, tr("The local database could not be written."));
    if (page->hasMore)
        return pullNext();
    m_snapshotting = false;
    finishRound(true, {});
}

void SyncClient::finishRound(bool ok, const QString &error)
{
    m_phase = Phase::None;
    m_inFlight = nullptr;
    if (ok) {
        m_failures = 0;
        m_lastError.clear();
        TransactionGuard transaction(m_database);
        if (transaction.isActive()) {
            (void)SyncStateRepository(m_database)
                .setValue(transaction, SyncStateRepository::LastSync,
                          QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
            (void)transaction.commit();
        }
        setState(State::Idle);
    } else {
        ++m_failures;
        m_lastError = error;
        setState(isEnrolled() ? State::Offline : State::NotEnrolled);
    }
    if (m_problems > 0)
        Q_EMIT problemsReceived(m_problems);
    Q_EMIT roundFinished(ok);
    scheduleNext(!ok);
}

void SyncClient::scheduleNext(bool failed)
{
    if (m_wakeAgain && !failed) {
        m_wakeAgain = false;
        m_timer.start(0);
        return;
    }
    if (!failed) {
        m_timer.start(m_settings.idlePollMs);
        return;
    }
    // Exponential backoff with full jitter, so a warehouse of terminals does not retry in step.
    const qint64 ceiling = std::min<qint64>(m_settings.maxBackoffMs,
                                            qint64(m_settings.minBackoffMs) << std::min(m_failures, 16));
    const qint64 delay = m_settings.minBackoffMs / 2 + QRandomGenerator::global()->bounded(std::max<qint64>(1, ceiling));
    m_timer.start(int(std::min<qint64>(delay, m_settings.maxBackoffMs)));
}

void SyncClient::enroll(const QUrl &apiServer, const QUrl &devicesServer, const QString &oneTimeCode,
                        const QByteArray &bootstrapCaPem)
{
    if (m_inFlight) {
        Q_EMIT enrollmentFinished(false, tr("A connection is already running. Try again in a moment."));
        return;
    }
    const QList<QSslCertificate> roots = QSslCertificate::fromData(bootstrapCaPem, QSsl::Pem);
    if (roots.isEmpty()) {
        Q_EMIT enrollmentFinished(false, tr("The CA certificate file is not a PEM certificate."));
        return;
    }
    if (apiServer.scheme() != QLatin1String("https") || devicesServer.scheme() != QLatin1String("https")
        || apiServer.host().isEmpty() || devicesServer.host().isEmpty()) {
        Q_EMIT enrollmentFinished(false, tr("The server address must start with https://."));
        return;
    }
    // The code is 32 hex digits (docs/api.md); anything else would only cost a refused request.
    static const QRegularExpression codePattern(QStringLiteral("^[0-9a-fA-F]{32}$"));
    const QString code = oneTimeCode.trimmed().remove(QLatin1Char(' ')).remove(QLatin1Char('-'));
    if (!codePattern.match(code).hasMatch()) {
        Q_EMIT enrollmentFinished(false, tr("The enrollment code has 32 characters (0-9, a-f)."));
        return;
    }
    auto key = Common::Crypto::generateP256Key();
    auto csr = key ? Common::Crypto::makeCsr(*key, QHostInfo::localHostName().left(64).toStdString())
                   : Common::Result<std::string>(tl::unexpected(key.error()));
    if (!csr) {
        qCWarning(lcSync) << "key/CSR:" << csr.error().message.c_str();
        Q_EMIT enrollmentFinished(false, tr("The terminal could not create its key."));
        return;
    }
    // Server-auth TLS only (the api listener asks for no client certificate), trusting nothing
    // but the CA the operator chose.
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(roots);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    const QJsonObject body{{QStringLiteral("code"), code.toLower()}, {QStringLiteral("csr"), QString::fromStdString(*csr)}};
    QNetworkReply *reply = sendTo(apiServer, configuration, QStringLiteral("POST"), QStringLiteral("/api/v1/enroll"),
                                  QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!reply) {
        Q_EMIT enrollmentFinished(false, m_lastError);
        return;
    }
    const QByteArray privateKey = QByteArray::fromStdString(key->privateKeyPem);
    const QByteArray publicKey = QByteArray::fromStdString(key->publicKeyPem);
    const QString devices = devicesServer.toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, privateKey, publicKey, devices] { onEnrollReply(reply, privateKey, publicKey, devices); });
}

void SyncClient::onEnrollReply(QNetworkReply *reply, const QByteArray &privateKey, const QByteArray &publicKeyPem,
                               const QString &devicesServer)
{
    reply->deleteLater();
    m_inFlight = nullptr;
    const int status = httpStatus(reply);
    const QByteArray bytes = reply->read(s_maxResponseBytes);
    if (status != 201) {
        qCInfo(lcSync) << "enrollment refused:" << status << reply->errorString();
        QString message;
        switch (status) {
        case 0: message = tr("The server cannot be reached."); break;
        case 401: message = tr("The server refused the code. Ask for a new one."); break;
        case 503: message = tr("The server does not enroll terminals yet. Call your supervisor."); break;
        default: message = tr("The server refused the request (HTTP %1).").arg(status); break;
        }
        Q_EMIT enrollmentFinished(false, message);
        return;
    }
    // 201 {"device_id","warehouse","certificate","server_ca","device_ca"} (docs/api.md).
    const QJsonObject answer = QJsonDocument::fromJson(bytes).object();
    const QString deviceId = answer.value(QStringLiteral("device_id")).toString();
    const QString warehouse = answer.value(QStringLiteral("warehouse")).toString();
    const QString certificate = answer.value(QStringLiteral("certificate")).toString();
    const QString serverCa = answer.value(QStringLiteral("server_ca")).toString();
    const QList<QSslCertificate> issued = QSslCertificate::fromData(certificate.toLatin1(), QSsl::Pem);
    // The certificate must carry our key (a server bug or a mix-up would lock the terminal out).
    const QSslKey publicKey(publicKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PublicKey);
    if (QUuid::fromString(deviceId).isNull() || issued.isEmpty() || publicKey.isNull()
        || issued.first().publicKey().toPem() != publicKey.toPem()
        || QSslCertificate::fromData(serverCa.toLatin1(), QSsl::Pem).isEmpty()) {
        Q_EMIT enrollmentFinished(false, tr("The server sent an answer this terminal does not understand."));
        return;
    }
    QFile keyFile(m_dataDirectory + s_keyFile);
    if (!keyFile.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !keyFile.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || keyFile.write(privateKey) != privateKey.size() || !keyFile.flush()) {
        Q_EMIT enrollmentFinished(false, tr("The terminal could not store its key."));
        return;
    }
    keyFile.close();
    TransactionGuard transaction(m_database);
    SyncStateRepository state(m_database);
    // Ops made before enrollment go out under the server's device id (the request names it). The
    // CA the server names is pinned from now on; a new device starts reading from cursor 0.
    const bool stored = transaction.isActive() && state.setValue(transaction, SyncStateRepository::DeviceId, deviceId)
        && state.setValue(transaction, SyncStateRepository::Warehouse, warehouse)
        && state.setValue(transaction, SyncStateRepository::ClientCertificate, certificate)
        && state.setValue(transaction, SyncStateRepository::CaCertificate, serverCa)
        && state.setValue(transaction, SyncStateRepository::ServerUrl, devicesServer)
        && state.setValue(transaction, SyncStateRepository::Cursor, QStringLiteral("0"))
        && state.setValue(transaction, SyncStateRepository::Epoch, QString()) && transaction.commit();
    if (!stored) {
        Q_EMIT enrollmentFinished(false, tr("The local database could not be written."));
        return;
    }
    setState(State::Idle);
    Q_EMIT enrollmentFinished(true, tr("This terminal is connected."));
    syncNow();
}
