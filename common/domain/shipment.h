#pragma once
#include <cstdint>
#include <string>

namespace Common::Domain {

// A shipped parcel: the order it carries and the carrier's tracking number (in Japan often a
// Codabar/NW-7 label). `shippedAt` is UTC, stamped by the server.
struct Shipment
{
    std::int64_t orderId = 0;
    std::string trackingNumber;
    std::string carrier;
    std::string shippedAt;           // ISO 8601 UTC, "2026-11-29T21:40:00Z"
    friend bool operator==(const Shipment &, const Shipment &) = default;
};

} // namespace Common::Domain
