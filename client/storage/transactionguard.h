#pragma once
#include "common/support/result.h"

class LocalDatabase;

// RAII write transaction (Mumble's TransactionHolder idea): BEGIN IMMEDIATE on construction,
// ROLLBACK in the destructor unless commit() succeeded. Repository methods that write take a
// `TransactionGuard &` so a local change and its outbox op can only be written inside one
// transaction. Not nestable; GUI thread only, like the connection.
class TransactionGuard final
{
public:
    explicit TransactionGuard(LocalDatabase &database);
    ~TransactionGuard();
    TransactionGuard(const TransactionGuard &) = delete;
    TransactionGuard &operator=(const TransactionGuard &) = delete;

    // False when BEGIN failed (database locked or closed); writes must not proceed then.
    bool isActive() const { return m_active; }
    // Error from BEGIN, when !isActive().
    Common::Error beginError() const { return m_beginError; }
    // Commits and tells the database's listeners. Errors: Storage (the guard then rolls back).
    Common::Result<void> commit();
    LocalDatabase &database() { return m_database; }

private:
    LocalDatabase &m_database;
    bool m_active = false;
    Common::Error m_beginError;
};
