#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include "common/protocol/protocol.h"
#include "common/support/result.h"
#include "server/storage/records.h"

namespace Server::Storage {
class Store;
}

// Applies terminal batches and serves change-log pages: the server half of DESIGN.md "Sync
// protocol" (wire format: docs/sync-protocol.md). The caller (server/api) has already
// authenticated the device and checked it is active; every method takes that device row.
//
// One SyncService per Store, i.e. per connection: build it per request from a StoreLease.
//
// push(): one write transaction per batch, durable when it returns. Exactly-once per
// (device, incarnation, seq) and per op_id; a gap, fork, stale epoch or retired incarnation
// refuses the whole batch (Refusal, nothing written). Each new op is applied (ledger movement +
// balance + order progress), or applied with a conflict record, or rejected with a rejection
// record — never dropped.
// Errors: Forbidden (ops of another device), InvalidInput (unknown incarnation), Storage.
namespace Server::Sync {

struct SyncLimits
{
    int defaultPageSize = 1000;
    int maxPageSize = 5000;
    std::size_t maxPageBytes = 512 * 1024;
};

using PushAnswer = std::variant<Common::Protocol::PushResponse, Common::Protocol::Refusal>;
using PullAnswer = std::variant<Common::Protocol::PullResponse, Common::Protocol::Refusal>;

class SyncService final
{
public:
    explicit SyncService(Storage::Store &store, SyncLimits limits = {})
        : m_store(store)
        , m_limits(limits)
    {}

    Common::Result<PushAnswer> push(const Storage::DeviceRecord &device, const Common::Protocol::PushRequest &request);

    // After a fork: raises the device's incarnation, records a `device_fork` conflict and an
    // audit row. The terminal renumbers its unacknowledged ops from seq 1.
    Common::Result<Common::Protocol::IncarnationResponse> newIncarnation(const Storage::DeviceRecord &device);

    // `cursor` is the previous next_cursor ("0" = from scratch); `limit` 0 = default.
    // Errors: InvalidInput (cursor or limit malformed), Storage.
    Common::Result<PullAnswer> pull(const Storage::DeviceRecord &device, std::string_view cursor, int limit,
                                    const std::optional<std::string> &epoch);

private:
    Common::Result<PushAnswer> pushOnce(const Storage::DeviceRecord &device,
                                        const Common::Protocol::PushRequest &request);
    Common::Result<Common::Protocol::IncarnationResponse> newIncarnationOnce(const Storage::DeviceRecord &device);

    Storage::Store &m_store;
    SyncLimits m_limits;
};

} // namespace Server::Sync
