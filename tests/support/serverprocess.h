#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <optional>

class QSslSocket;

// A real soko-server process for end-to-end tests (tests/e2e, the terminal's e2e test): a
// temporary data folder made by `soko-server init`, admin commands, `soko-server run` on
// 127.0.0.1 port 0 with the ports read from --ports-file, device enrollment over real TLS
// (CSR from common/crypto → POST /api/v1/enroll), and a small HTTPS client pinned to the
// server CA (never ignoreSslErrors). The binary is SOKO_SERVER_BINARY (compile definition),
// or $SOKO_SERVER_BINARY at run time. Server stderr (its log) and stdout go to files in the
// temporary folder, appended across restarts, so tests can wait for log lines without an
// event loop. Blocking calls all have timeouts; nothing here needs a QCoreApplication loop.
namespace TestSupport {

struct HttpResult
{
    int status = 0;                       // 0: no HTTP answer (TLS refusal, connection closed); see error
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QString error;
    QJsonObject json() const;
    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
};

// An enrolled terminal: its certificate and key, as the server issued them.
struct Device
{
    QString id;
    QString warehouse;
    QSslCertificate certificate;
    QSslKey key;
    QString certificatePath; // PEM files in the fixture's folder (for openssl s_client)
    QString keyPath;
    QString serial; // upper-case hex
};

struct CommandResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

class ServerProcess final
{
public:
    ServerProcess();
    ~ServerProcess(); // SIGKILLs a server still running
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    static QString binaryPath();
    QString rootPath() const { return m_root.path(); } // scratch space for the test
    QString dataPath() const;                          // the data folder (<root>/data)
    QString serverCaPath() const;

    // `soko-server <arguments>` (with --data appended for commands that take it), stdin fed.
    CommandResult command(const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 60000) const;
    CommandResult adminCommand(const QStringList &arguments, const QByteArray &input = {}) const; // adds --data

    // The database `init` puts in the configuration: empty (default) = SQLite soko.db in the
    // data folder; "postgresql://…" = that PostgreSQL database (`init --db`). Call before init().
    void setDatabase(const QString &location) { m_database = location; }
    QString database() const { return m_database; }

    // `init` with hostname localhost and the warehouse (if any). False (with a warning) on failure.
    bool init(const QString &warehouse = QStringLiteral("TKY1"));
    // Instead of init(): copies `other`'s data folder (configuration, CAs, server certificate;
    // not a SQLite database), so this server shares its PostgreSQL database and trusts the same
    // device certificates, as several servers behind one load balancer do.
    bool copyDataFolderFrom(const ServerProcess &other);
    // Seeding helpers; each runs one admin command and checks its exit code.
    bool addWarehouse(const QString &code, const QString &name);
    bool addOperator(const QString &warehouse, const QString &badge, const QString &pin = QStringLiteral("1234"));
    bool importFile(const QString &kind, const QString &fileName, const QByteArray &content);
    QString createApiKey(const QString &store = {}); // empty store = admin key; returns the token or ""
    QString enrollmentCode(const QString &warehouse, const QString &label = QStringLiteral("handheld"));
    bool revokeDevice(const QString &deviceId);

    // `run` on 127.0.0.1 port 0 for all three listeners (devices, api, admin); waits for the ports
    // file. `extra` are more run arguments (e.g. --set revocation_refresh_seconds=1); a listen
    // option in `extra` overrides the default one.
    bool start(const QStringList &extra = {});
    bool stop(int timeoutMs = 30000); // SIGTERM, waits; true when it exited
    void kill();                      // SIGKILL, waits
    bool restart(const QStringList &extra = {});
    bool isRunning() const;
    int exitCode() const; // of the last run that ended
    QProcess::ExitStatus exitStatus() const;
    quint16 devicesPort() const { return m_devicesPort; }
    quint16 apiPort() const { return m_apiPort; }
    quint16 adminPort() const { return m_adminPort; }
    qint64 pid() const;

    QByteArray log() const; // everything the server wrote to stderr, all runs
    int logCount(const QRegularExpression &pattern) const;
    bool waitForLog(const QRegularExpression &pattern, int atLeast = 1, int timeoutMs = 20000) const;

    // Enrolls a new terminal of `warehouse` through POST /api/v1/enroll; nullopt on failure.
    std::optional<Device> enrollDevice(const QString &warehouse, const QString &label = QStringLiteral("handheld"));

    // One HTTPS request on a fresh connection (Connection: close), pinned to the server CA.
    HttpResult request(quint16 port, const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                       const QList<QPair<QByteArray, QByteArray>> &headers = {}, const Device *device = nullptr,
                       int timeoutMs = 30000) const;
    HttpResult api(const QByteArray &method, const QByteArray &target, const QString &token,
                   const QByteArray &body = {}) const;
    HttpResult sync(const Device &device, const QByteArray &method, const QByteArray &target,
                    const QByteArray &body = {}) const;
    // Sends raw bytes on a fresh TLS connection and reads one response.
    HttpResult raw(quint16 port, const QByteArray &bytes, const Device *device = nullptr, int timeoutMs = 30000) const;

    // A connected, encrypted socket (or one that failed: check isEncrypted()/errorString()).
    std::unique_ptr<QSslSocket> connect(quint16 port, const Device *device = nullptr, int timeoutMs = 15000) const;
    static HttpResult readResponse(QSslSocket &socket, int timeoutMs);
    // Writes `bytes` and waits until all of it left the socket (without an event loop Qt only
    // transmits inside waitFor… calls). False on timeout or a closed connection.
    static bool send(QSslSocket &socket, const QByteArray &bytes, int timeoutMs = 15000);
    static QByteArray requestBytes(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                   const QList<QPair<QByteArray, QByteArray>> &headers);

private:
    QString portsPath() const;
    bool readPorts();

    QTemporaryDir m_root;
    QString m_database;
    std::unique_ptr<QProcess> m_process;
    quint16 m_devicesPort = 0;
    quint16 m_apiPort = 0;
    quint16 m_adminPort = 0;
    void noteExit() const;
    mutable int m_lastExitCode = -1;
    mutable QProcess::ExitStatus m_lastExitStatus = QProcess::NormalExit;
    int m_devices = 0;
};

} // namespace TestSupport
