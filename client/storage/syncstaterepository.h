#pragma once
#include <QString>
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// Small key/value state of the terminal: device identity, sync cursor and epoch, enrollment
// results, last sync time. Values that change together are written in the caller's transaction
// (a pulled page and its cursor commit together: DESIGN.md durability rules).
class SyncStateRepository final
{
public:
    // Well-known keys.
    static constexpr const char *DeviceId = "device_id";          // UUID, created on first open
    static constexpr const char *Incarnation = "incarnation";     // starts at 1; +1 after a fork
    static constexpr const char *NextSeq = "next_seq";            // next outbox seq of this incarnation
    static constexpr const char *Cursor = "cursor";               // pull cursor (opaque text)
    static constexpr const char *Epoch = "epoch";                 // server database epoch
    static constexpr const char *ServerUrl = "server_url";
    static constexpr const char *CaCertificate = "ca_pem";        // server CA pinned at enrollment
    static constexpr const char *ClientCertificate = "client_cert_pem";
    static constexpr const char *Warehouse = "warehouse";
    static constexpr const char *LastSync = "last_sync";          // ISO 8601 UTC of the last good round

    explicit SyncStateRepository(LocalDatabase &database) : m_database(database) {}

    QString value(const char *key, const QString &fallback = {}) const;
    qint64 integer(const char *key, qint64 fallback = 0) const;
    Common::Result<void> setValue(TransactionGuard &transaction, const char *key, const QString &value);
    // Creates the device id, incarnation 1 and next_seq 1 when missing (first start).
    Common::Result<void> ensureIdentity();

private:
    LocalDatabase &m_database;
};
