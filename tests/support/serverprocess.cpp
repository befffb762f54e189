#include "tests/support/serverprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QThread>

#include "common/crypto/pki.h"

namespace TestSupport {

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QByteArray readWholeFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "key: value" line of an admin command's output.
QString outputField(const QByteArray &output, const char *key)
{
    const QByteArray prefix = QByteArray(key) + ": ";
    for (const QByteArray &line : output.split('\n'))
        if (line.startsWith(prefix))
            return QString::fromUtf8(line.mid(prefix.size()).trimmed());
    return {};
}

} // namespace

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

ServerProcess::ServerProcess()
{
    if (!m_root.isValid())
        qFatal("ServerProcess: no temporary folder");
}

ServerProcess::~ServerProcess()
{
    if (isRunning())
        kill();
}

QString ServerProcess::binaryPath()
{
    const QByteArray fromEnvironment = qgetenv("SOKO_SERVER_BINARY");
    if (!fromEnvironment.isEmpty())
        return QString::fromLocal8Bit(fromEnvironment);
    return QStringLiteral(SOKO_SERVER_BINARY);
}

QString ServerProcess::dataPath() const
{
    return m_root.filePath(QStringLiteral("data"));
}

QString ServerProcess::serverCaPath() const
{
    return dataPath() + QStringLiteral("/server-ca.pem");
}

QString ServerProcess::portsPath() const
{
    return m_root.filePath(QStringLiteral("ports"));
}

CommandResult ServerProcess::command(const QStringList &arguments, const QByteArray &input, int timeoutMs) const
{
    CommandResult result;
    QProcess process;
    process.start(binaryPath(), arguments);
    if (!process.waitForStarted(10000)) {
        result.err = "could not start " + binaryPath().toLocal8Bit();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = "timed out";
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

CommandResult ServerProcess::adminCommand(const QStringList &arguments, const QByteArray &input) const
{
    return command(arguments + QStringList{QStringLiteral("--data"), dataPath()}, input);
}

static bool succeeded(const CommandResult &result, const QStringList &arguments)
{
    if (result.exitCode == 0)
        return true;
    // A database URI's password stays out of the test log too.
    QString shown = arguments.join(QLatin1Char(' '));
    static const QRegularExpression password(QStringLiteral("(postgres(ql)?://[^:@/\\s]*:)[^@\\s]*@"));
    shown.replace(password, QStringLiteral("\\1***@"));
    qWarning("soko-server %s failed (%d): %s", qPrintable(shown), result.exitCode, result.err.constData());
    return false;
}

bool ServerProcess::init(const QString &warehouse)
{
    QStringList arguments{QStringLiteral("init"), QStringLiteral("--data"), dataPath(), QStringLiteral("--hostname"),
                          QStringLiteral("localhost")};
    if (!warehouse.isEmpty())
        arguments << QStringLiteral("--warehouse") << warehouse;
    if (!m_database.isEmpty())
        arguments << QStringLiteral("--db") << m_database;
    return succeeded(command(arguments), arguments);
}

bool ServerProcess::copyDataFolderFrom(const ServerProcess &other)
{
    const QDir source(other.dataPath());
    if (!source.exists() || !QDir().mkpath(dataPath()))
        return false;
    QFile::setPermissions(dataPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    for (const QString &name : source.entryList(QDir::Files)) {
        if (name.startsWith(QLatin1String("soko.db")))
            continue; // a SQLite database is not shared by copying
        if (!QFile::copy(source.filePath(name), dataPath() + QLatin1Char('/') + name)) {
            qWarning("cannot copy %s", qPrintable(name));
            return false;
        }
    }
    m_database = other.m_database;
    return true;
}

bool ServerProcess::addWarehouse(const QString &code, const QString &name)
{
    const QStringList arguments{QStringLiteral("warehouse"), QStringLiteral("add"), code, name};
    return succeeded(adminCommand(arguments), arguments);
}

bool ServerProcess::addOperator(const QString &warehouse, const QString &badge, const QString &pin)
{
    const QStringList arguments{QStringLiteral("operator"),    QStringLiteral("add"),
                                QStringLiteral("--warehouse"), warehouse,
                                QStringLiteral("--badge"),     badge,
                                QStringLiteral("--name"),      QStringLiteral("Tester"),
                                QStringLiteral("--role"),      QStringLiteral("picker"),
                                QStringLiteral("--pin-stdin")};
    return succeeded(adminCommand(arguments, pin.toUtf8() + "\n"), arguments);
}

bool ServerProcess::importFile(const QString &kind, const QString &fileName, const QByteArray &content)
{
    const QString path = m_root.filePath(fileName);
    if (!writeFile(path, content))
        return false;
    const QStringList arguments{QStringLiteral("import"), kind, path};
    return succeeded(adminCommand(arguments), arguments);
}

QString ServerProcess::createApiKey(const QString &store)
{
    QStringList arguments{QStringLiteral("api-key"), QStringLiteral("create")};
    if (store.isEmpty())
        arguments << QStringLiteral("--admin");
    else
        arguments << QStringLiteral("--store") << store;
    const CommandResult result = adminCommand(arguments);
    return succeeded(result, arguments) ? outputField(result.out, "token") : QString();
}

QString ServerProcess::enrollmentCode(const QString &warehouse, const QString &label)
{
    const QStringList arguments{QStringLiteral("enroll-code"), QStringLiteral("--warehouse"), warehouse,
                                QStringLiteral("--label"), label};
    const CommandResult result = adminCommand(arguments);
    return succeeded(result, arguments) ? outputField(result.out, "code") : QString();
}

bool ServerProcess::revokeDevice(const QString &deviceId)
{
    const QStringList arguments{QStringLiteral("revoke-device"), deviceId};
    return succeeded(adminCommand(arguments), arguments);
}

bool ServerProcess::start(const QStringList &extra)
{
    if (isRunning())
        return false;
    QFile::remove(portsPath());
    m_process = std::make_unique<QProcess>();
    m_process->setStandardOutputFile(m_root.filePath(QStringLiteral("server.out")), QIODevice::Append);
    m_process->setStandardErrorFile(m_root.filePath(QStringLiteral("server.log")), QIODevice::Append);
    m_process->setStandardInputFile(QProcess::nullDevice());
    const QStringList arguments = QStringList{QStringLiteral("run"),
                                              QStringLiteral("--data"),
                                              dataPath(),
                                              QStringLiteral("--devices-listen"),
                                              QStringLiteral("127.0.0.1:0"),
                                              QStringLiteral("--api-listen"),
                                              QStringLiteral("127.0.0.1:0"),
                                              // never the fixed default 8445: tests run in parallel
                                              QStringLiteral("--admin-listen"),
                                              QStringLiteral("127.0.0.1:0"),
                                              QStringLiteral("--ports-file"),
                                              portsPath()} +
                                  extra;
    m_process->start(binaryPath(), arguments);
    if (!m_process->waitForStarted(10000)) {
        qWarning("soko-server run did not start: %s", qPrintable(m_process->errorString()));
        return false;
    }
    QDeadlineTimer deadline(60000); // ASan start-up on a loaded machine
    while (!deadline.hasExpired()) {
        if (readPorts())
            return true;
        if (m_process->waitForFinished(20)) {
            noteExit();
            qWarning("soko-server run exited (%d): %s", m_lastExitCode, log().right(2000).constData());
            return false;
        }
    }
    qWarning("soko-server run wrote no ports file");
    return false;
}

bool ServerProcess::readPorts()
{
    const QByteArray text = readWholeFile(portsPath());
    quint16 devices = 0, api = 0, admin = 0;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("devices="))
            devices = line.mid(8).toUShort();
        if (line.startsWith("api="))
            api = line.mid(4).toUShort();
        if (line.startsWith("admin="))
            admin = line.mid(6).toUShort();
    }
    if (devices == 0 || api == 0 || admin == 0)
        return false;
    m_devicesPort = devices;
    m_apiPort = api;
    m_adminPort = admin;
    return true;
}

bool ServerProcess::stop(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return true;
    m_process->terminate(); // SIGTERM
    const bool exited = m_process->waitForFinished(timeoutMs);
    if (exited)
        noteExit();
    return exited;
}

void ServerProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill(); // SIGKILL
    if (m_process->waitForFinished(30000))
        noteExit();
}

void ServerProcess::noteExit() const
{
    m_lastExitCode = m_process->exitCode();
    m_lastExitStatus = m_process->exitStatus();
}

bool ServerProcess::restart(const QStringList &extra)
{
    if (isRunning() && !stop())
        return false;
    return start(extra);
}

bool ServerProcess::isRunning() const
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return false;
    // Without an event loop QProcess learns of the exit only while waiting.
    if (!m_process->waitForFinished(1))
        return true;
    noteExit();
    return false;
}

int ServerProcess::exitCode() const
{
    return m_lastExitCode;
}

QProcess::ExitStatus ServerProcess::exitStatus() const
{
    return m_lastExitStatus;
}

qint64 ServerProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QByteArray ServerProcess::log() const
{
    return readWholeFile(m_root.filePath(QStringLiteral("server.log")));
}

int ServerProcess::logCount(const QRegularExpression &pattern) const
{
    int count = 0;
    for (const QByteArray &line : log().split('\n'))
        if (pattern.match(QString::fromUtf8(line)).hasMatch())
            ++count;
    return count;
}

bool ServerProcess::waitForLog(const QRegularExpression &pattern, int atLeast, int timeoutMs) const
{
    QDeadlineTimer deadline(timeoutMs);
    do {
        if (logCount(pattern) >= atLeast)
            return true;
        QThread::msleep(20);
    } while (!deadline.hasExpired());
    return false;
}

std::optional<Device> ServerProcess::enrollDevice(const QString &warehouse, const QString &label)
{
    const QString code = enrollmentCode(warehouse, label);
    if (code.isEmpty())
        return std::nullopt;
    auto key = Common::Crypto::generateP256Key();
    auto csr = key ? Common::Crypto::makeCsr(*key, label.toStdString()) : Common::Result<std::string>();
    if (!key || !csr)
        return std::nullopt;
    const QJsonObject body{{QStringLiteral("code"), code}, {QStringLiteral("csr"), QString::fromStdString(*csr)}};
    const HttpResult answer =
        request(m_apiPort, "POST", "/api/v1/enroll", QJsonDocument(body).toJson(QJsonDocument::Compact),
                {{"Content-Type", "application/json"}});
    if (answer.status != 201) {
        qWarning("enroll answered %d %s %s", answer.status, answer.body.constData(), qPrintable(answer.error));
        return std::nullopt;
    }
    const QJsonObject enrolled = answer.json();
    Device device;
    device.id = enrolled.value(QStringLiteral("device_id")).toString();
    device.warehouse = enrolled.value(QStringLiteral("warehouse")).toString();
    const QByteArray certificatePem = enrolled.value(QStringLiteral("certificate")).toString().toUtf8();
    device.certificate = QSslCertificate(certificatePem, QSsl::Pem);
    device.key = QSslKey(QByteArray::fromStdString(key->privateKeyPem), QSsl::Ec, QSsl::Pem);
    auto info = Common::Crypto::inspectCertificate(certificatePem.toStdString());
    if (device.certificate.isNull() || device.key.isNull() || !info)
        return std::nullopt;
    device.serial = QString::fromStdString(info->serialHex);
    const int index = ++m_devices;
    device.certificatePath = m_root.filePath(QStringLiteral("device-%1.pem").arg(index));
    device.keyPath = m_root.filePath(QStringLiteral("device-%1.key").arg(index));
    if (!writeFile(device.certificatePath, certificatePem) ||
        !writeFile(device.keyPath, QByteArray::fromStdString(key->privateKeyPem)))
        return std::nullopt;
    return device;
}

std::unique_ptr<QSslSocket> ServerProcess::connect(quint16 port, const Device *device, int timeoutMs) const
{
    auto socket = std::make_unique<QSslSocket>();
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(serverCaPath())); // pinned: no system roots
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (device) {
        configuration.setLocalCertificate(device->certificate);
        configuration.setPrivateKey(device->key);
    }
    socket->setSslConfiguration(configuration);
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    socket->waitForEncrypted(timeoutMs);
    return socket;
}

QByteArray ServerProcess::requestBytes(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                       const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray bytes = method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    bool hasContentType = false;
    for (const auto &[name, value] : headers) {
        bytes += name + ": " + value + "\r\n";
        hasContentType = hasContentType || name.toLower() == "content-type";
    }
    if (!body.isEmpty()) {
        if (!hasContentType)
            bytes += "Content-Type: application/json\r\n";
        bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    return bytes + "\r\n" + body;
}

HttpResult ServerProcess::readResponse(QSslSocket &socket, int timeoutMs)
{
    HttpResult result;
    QByteArray data;
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        data += socket.readAll();
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QList<QByteArray> lines = data.left(end).split('\n');
            const int status = lines.value(0).trimmed().split(' ').value(1).toInt();
            QMap<QByteArray, QByteArray> headers;
            for (qsizetype index = 1; index < lines.size(); ++index) {
                const qsizetype colon = lines[index].indexOf(':');
                if (colon > 0)
                    headers.insert(lines[index].left(colon).trimmed().toLower(), lines[index].mid(colon + 1).trimmed());
            }
            if (status >= 100 && status < 200) {
                data.remove(0, end + 4);
                continue;
            }
            const qsizetype length = headers.value("content-length").toLongLong();
            if (data.size() >= end + 4 + length) {
                result.status = status;
                result.headers = headers;
                result.body = data.mid(end + 4, length);
                return result;
            }
        }
        if (deadline.hasExpired()) {
            result.error = QStringLiteral("timed out");
            return result;
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0) {
            result.error = socket.errorString();
            if (result.error.isEmpty())
                result.error = QStringLiteral("connection closed");
            return result;
        }
        if (socket.bytesAvailable() == 0)
            socket.waitForReadyRead(int(qMin<qint64>(100, qMax<qint64>(1, deadline.remainingTime()))));
    }
}

bool ServerProcess::send(QSslSocket &socket, const QByteArray &bytes, int timeoutMs)
{
    socket.write(bytes);
    QDeadlineTimer deadline(timeoutMs);
    while (socket.bytesToWrite() > 0 || socket.encryptedBytesToWrite() > 0) {
        if (deadline.hasExpired() || socket.state() != QAbstractSocket::ConnectedState)
            return false;
        socket.waitForBytesWritten(50);
    }
    return true;
}

HttpResult ServerProcess::raw(quint16 port, const QByteArray &bytes, const Device *device, int timeoutMs) const
{
    auto socket = connect(port, device);
    if (!socket->isEncrypted()) {
        HttpResult failed;
        failed.error = socket->errorString();
        return failed;
    }
    socket->write(bytes); // readResponse's waits transmit it
    return readResponse(*socket, timeoutMs);
}

HttpResult ServerProcess::request(quint16 port, const QByteArray &method, const QByteArray &target,
                                  const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                                  const Device *device, int timeoutMs) const
{
    return raw(port, requestBytes(method, target, body, headers), device, timeoutMs);
}

HttpResult ServerProcess::api(const QByteArray &method, const QByteArray &target, const QString &token,
                              const QByteArray &body) const
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return request(m_apiPort, method, target, body, headers);
}

HttpResult ServerProcess::sync(const Device &device, const QByteArray &method, const QByteArray &target,
                               const QByteArray &body) const
{
    return request(m_devicesPort, method, target, body, {}, &device);
}

} // namespace TestSupport
