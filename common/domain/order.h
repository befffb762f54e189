#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/domain/quantity.h"

namespace Common::Domain {

// Order life cycle (DESIGN.md "Order states"): imported → allocated → released → picking → picked →
// packed → shipped; cancelled from any state before shipped.
enum class OrderState { Imported, Allocated, Released, Picking, Picked, Packed, Shipped, Cancelled };

std::string_view orderStateName(OrderState state);                 // "imported", …
std::optional<OrderState> orderStateFromName(std::string_view name);
// True when the server may move an order from `from` to `to`.
bool isValidTransition(OrderState from, OrderState to);

// One line of an order: a SKU and the quantity ordered, in base units.
struct OrderLine
{
    int lineNumber = 0;              // 1-based within the order
    std::string skuCode;
    Quantity quantity = 0;           // ordered, > 0
    Quantity picked = 0;             // picked so far
    friend bool operator==(const OrderLine &, const OrderLine &) = default;
};

// A customer order from an online store. (store, orderNumber) identifies it: importing the same
// pair twice is idempotent.
struct Order
{
    std::int64_t id = 0;             // server-assigned
    std::string store;
    std::string orderNumber;
    std::string customer;
    std::string address;
    std::string warehouse;           // empty until allocated
    OrderState state = OrderState::Imported;
    std::vector<OrderLine> lines;
    friend bool operator==(const Order &, const Order &) = default;
};

} // namespace Common::Domain
