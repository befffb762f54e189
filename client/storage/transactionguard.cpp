#include "client/storage/transactionguard.h"

#include <QSqlQuery>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"

TransactionGuard::TransactionGuard(LocalDatabase &database)
    : m_database(database)
{
    // IMMEDIATE takes the write lock now, so a busy database fails here rather than mid-change.
    auto begun = Storage::execSql(m_database.database(), QStringLiteral("BEGIN IMMEDIATE"), "begin transaction");
    m_active = begun.has_value();
    if (!m_active)
        m_beginError = begun.error();
}

TransactionGuard::~TransactionGuard()
{
    if (m_active)
        (void)Storage::execSql(m_database.database(), QStringLiteral("ROLLBACK"), "rollback");
}

Common::Result<void> TransactionGuard::commit()
{
    if (!m_active)
        return tl::unexpected(m_beginError);
    auto committed = Storage::execSql(m_database.database(), QStringLiteral("COMMIT"), "commit");
    if (!committed)
        return committed; // destructor rolls back
    m_active = false;
    m_database.notifyCommitted();
    return {};
}
