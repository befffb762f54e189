#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "common/protocol/protocol.h"

// The op every push benchmark sends (push_bench, sync_bench): a receipt of 1…7 units of one of
// 50 SKUs (SKU-0…SKU-49) into one of 20 bins (A-0…A-19), chosen by `seq`, by operator OP-1.
inline Common::Protocol::PushOp benchReceipt(std::int64_t seq, std::string opId)
{
    Common::Protocol::PushOp op;
    op.seq = seq;
    op.opId = std::move(opId);
    op.payload = Common::Protocol::ReceivePayload{"SKU-" + std::to_string(seq % 50),
                                                  "A-" + std::to_string(seq % 20),
                                                  std::nullopt,
                                                  std::nullopt,
                                                  1 + seq % 7,
                                                  std::nullopt};
    op.operatorId = "OP-1";
    op.createdAt = "2026-11-29T21:40:00Z";
    return op;
}
