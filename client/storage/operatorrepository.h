#pragma once
#include <QList>
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// Operators who may log in on this terminal: badge + Argon2id PIN hash pulled from the server.
// PINs are verified locally with libsodium (crypto_pwhash_str_verify) so login works offline;
// a PIN is never stored or logged.
class OperatorRepository final
{
public:
    explicit OperatorRepository(LocalDatabase &database) : m_database(database) {}

    // Errors: InvalidInput (empty id/badge, hash not an Argon2id PHC string), Storage.
    Common::Result<void> upsertMany(TransactionGuard &transaction, const QList<OperatorRecord> &operators);
    // Active operators only. Errors: NotFound, Storage.
    Common::Result<OperatorRecord> findByBadge(const QString &badge) const;
    Common::Result<OperatorRecord> find(const QString &id) const;

    // True when `pin` matches the operator's hash (constant-time inside libsodium).
    static bool verifyPin(const OperatorRecord &record, const QString &pin);
    // An Argon2id PHC string (m=19456 KiB, t=2, p=1 as the server uses; REQUIREMENTS.md R06).
    // For tests and the demo import; the server is the normal source of hashes.
    static QString hashPin(const QString &pin);

private:
    LocalDatabase &m_database;
};
