#pragma once
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include "common/support/result.h"

// The terminal's own SQLite database (QSQLITE, WAL journal). Owns one named connection, opened
// and used on the GUI thread only (Qt allows a connection only in the thread that created it);
// a background worker must open its own connection. Keeps the connection *name*, never a
// QSqlDatabase member, so removeDatabase() in the destructor leaves no dangling handle.
// Owned by the composition root (client/app); repositories hold a reference to it.
class LocalDatabase final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalDatabase)
public:
    explicit LocalDatabase(const QString &connectionName, QObject *parent = nullptr);
    ~LocalDatabase() override;

    // Opens (creating if needed) the database file, switches to WAL with synchronous=FULL (a
    // handheld can lose power at any time), enables foreign keys and runs pending migrations.
    // A damaged file is detected first and refused, never used: a header that is not SQLite's or
    // is cut short (SQLite file format §1.3), then PRAGMA quick_check over every page.
    // Errors: Storage (cannot open, migration failed; the message names the step; a damaged
    // database gets a translated message for the operator naming the file and the damage).
    Common::Result<void> open(const QString &filePath);
    void close();
    bool isOpen() const;

    QString connectionName() const { return m_connectionName; }
    QString filePath() const { return m_filePath; }
    // The live connection; valid while open. Use only from client/storage.
    QSqlDatabase database() const;
    // PRAGMA user_version after migration.
    int schemaVersion() const;

    // Called by TransactionGuard after a successful commit so models can refresh.
    void notifyCommitted() { Q_EMIT committed(); }

Q_SIGNALS:
    // A write transaction was committed (local action or pulled page).
    void committed();

private:
    Common::Result<void> openChecked(const QString &filePath);
    static Common::Error damaged(const QString &filePath, const QString &detail);
    static Common::Result<void> checkHeader(const QString &filePath);

    QString m_connectionName;
    QString m_filePath;
};
