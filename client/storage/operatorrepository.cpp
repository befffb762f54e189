#include "client/storage/operatorrepository.h"

#include <QSqlQuery>

#include <sodium.h>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"

namespace {

bool sodiumReady()
{
    static const bool ready = sodium_init() >= 0;
    return ready;
}

Common::Result<OperatorRecord> findOne(const QSqlDatabase &db, const QString &column, const QString &value)
{
    QSqlQuery query(db);
    // `column` is one of our two literals, never user input.
    query.prepare(QStringLiteral("SELECT id, name, badge, pin_hash, active FROM operators WHERE %1 = ? AND active = 1")
                      .arg(column));
    query.addBindValue(value);
    if (auto done = Storage::exec(query, "find operator"); !done)
        return tl::unexpected(done.error());
    if (!query.next())
        return Common::fail(Common::ErrorCode::NotFound, "unknown operator");
    return OperatorRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                          query.value(3).toString(), query.value(4).toBool()};
}

} // namespace

Common::Result<void> OperatorRepository::upsertMany(TransactionGuard &transaction,
                                                    const QList<OperatorRecord> &operators)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral(
        "INSERT INTO operators (id, name, badge, pin_hash, active) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
        " SET name = excluded.name, badge = excluded.badge, pin_hash = excluded.pin_hash, active = excluded.active"));
    for (const OperatorRecord &record : operators) {
        if (record.id.isEmpty() || record.badge.isEmpty())
            return Common::fail(Common::ErrorCode::InvalidInput, "operator without id or badge");
        if (!record.pinHash.startsWith(QStringLiteral("$argon2id$")))
            return Common::fail(Common::ErrorCode::InvalidInput, "operator PIN hash is not Argon2id");
        for (const QVariant &value : {QVariant(record.id), QVariant(record.name), QVariant(record.badge),
                                      QVariant(record.pinHash), QVariant(record.active ? 1 : 0)})
            query.addBindValue(value);
        if (auto done = Storage::exec(query, "upsert operator"); !done)
            return done;
    }
    return {};
}

Common::Result<OperatorRecord> OperatorRepository::findByBadge(const QString &badge) const
{
    return findOne(m_database.database(), QStringLiteral("badge"), badge);
}

Common::Result<OperatorRecord> OperatorRepository::find(const QString &id) const
{
    return findOne(m_database.database(), QStringLiteral("id"), id);
}

bool OperatorRepository::verifyPin(const OperatorRecord &record, const QString &pin)
{
    if (!sodiumReady() || pin.isEmpty() || pin.size() > 64)
        return false;
    const QByteArray hash = record.pinHash.toLatin1();
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    const QByteArray secret = pin.toUtf8();
    return crypto_pwhash_str_verify(hash.constData(), secret.constData(),
                                    static_cast<unsigned long long>(secret.size()))
        == 0;
}

QString OperatorRepository::hashPin(const QString &pin)
{
    if (!sodiumReady())
        return {};
    char out[crypto_pwhash_STRBYTES] = {};
    const QByteArray secret = pin.toUtf8();
    if (crypto_pwhash_str_alg(out, secret.constData(), static_cast<unsigned long long>(secret.size()), 2,
                              19456u * 1024u, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return {};
    return QString::fromLatin1(out);
}
