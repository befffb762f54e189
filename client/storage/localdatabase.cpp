#include "client/storage/localdatabase.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include "client/storage/migrations.h"
#include "client/storage/sqlsupport.h"

LocalDatabase::LocalDatabase(const QString &connectionName, QObject *parent)
    : QObject(parent)
    , m_connectionName(connectionName)
{
}

LocalDatabase::~LocalDatabase()
{
    close();
}

namespace {

// SQLite file format §1.3: every database file starts with this 16-byte string and a 100-byte header.
constexpr char s_sqliteMagic[] = "SQLite format 3";
constexpr qint64 s_headerBytes = 100;

} // namespace

Common::Error LocalDatabase::damaged(const QString &filePath, const QString &detail)
{
    return Common::Error::make(
        Common::ErrorCode::Storage,
        tr("The terminal's database %1 is damaged (%2). It was not used: nothing in it was changed. "
           "Call your supervisor to restore the terminal.")
            .arg(filePath, detail)
            .toStdString());
}

Common::Result<void> LocalDatabase::checkHeader(const QString &filePath)
{
    QFile file(filePath);
    if (!file.exists() || file.size() == 0)
        return {}; // a new database (SQLite treats an empty file as one)
    if (!file.open(QIODevice::ReadOnly))
        return Common::fail(Common::ErrorCode::Storage,
                            tr("The terminal's database %1 cannot be read.").arg(filePath).toStdString());
    const QByteArray header = file.read(s_headerBytes);
    if (header.size() < s_headerBytes)
        return tl::unexpected(damaged(filePath, tr("the file is cut short")));
    if (!header.startsWith(QByteArray(s_sqliteMagic, sizeof s_sqliteMagic)))
        return tl::unexpected(damaged(filePath, tr("the file is not a SQLite database")));
    return {};
}

Common::Result<void> LocalDatabase::open(const QString &filePath)
{
    auto opened = openChecked(filePath);
    if (!opened)
        close(); // a refused database leaves no connection behind
    return opened;
}

Common::Result<void> LocalDatabase::openChecked(const QString &filePath)
{
    close();
    // A corrupted or truncated file is refused before SQLite writes to it (it would otherwise be
    // opened, journalled into and used until the first read of a bad page).
    if (auto header = checkHeader(filePath); !header)
        return header;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(filePath);
        // Another writer (a second app instance) waits instead of failing at once.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return tl::unexpected(Storage::toError(db.lastError(), "open database"));
    }
    m_filePath = filePath;
    QSqlDatabase db = database();
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        QSqlQuery query(db);
        if (!query.exec(QString::fromLatin1(pragma)))
            return tl::unexpected(query.lastError().nativeErrorCode() == QLatin1String("26")
                                          || query.lastError().nativeErrorCode() == QLatin1String("11")
                                      ? damaged(filePath, query.lastError().databaseText())
                                      : Storage::toError(query.lastError(), pragma));
    }
    // Pages overwritten or missing (a bad flash sector, a copy cut short) are detected here, at
    // start, and the database is refused rather than used (quick_check: O(size), no index compare).
    {
        QSqlQuery check(db);
        check.setForwardOnly(true);
        if (!check.exec(QStringLiteral("PRAGMA quick_check(5)")))
            return tl::unexpected(damaged(filePath, check.lastError().databaseText()));
        QStringList problems;
        while (check.next()) {
            // quick_check reports "*** in database main ***\nPage 44: …" lines; keep the pages.
            const QString problem = check.value(0).toString().remove(QStringLiteral("*** in database main ***"));
            problems << problem.simplified();
        }
        if (problems != QStringList{QStringLiteral("ok")})
            return tl::unexpected(damaged(filePath, problems.join(QStringLiteral("; ")).left(300)));
    }
    return Storage::migrate(db);
}

void LocalDatabase::close()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_filePath.clear();
}

bool LocalDatabase::isOpen() const
{
    return QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen();
}

QSqlDatabase LocalDatabase::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

int LocalDatabase::schemaVersion() const
{
    QSqlQuery query(database());
    if (query.exec(QStringLiteral("PRAGMA user_version")) && query.next())
        return query.value(0).toInt();
    return -1;
}
