#include "common/domain/order.h"

#include <array>
#include <utility>

namespace Common::Domain {

namespace {
constexpr std::array<std::pair<OrderState, std::string_view>, 8> s_names{{
    {OrderState::Imported, "imported"},
    {OrderState::Allocated, "allocated"},
    {OrderState::Released, "released"},
    {OrderState::Picking, "picking"},
    {OrderState::Picked, "picked"},
    {OrderState::Packed, "packed"},
    {OrderState::Shipped, "shipped"},
    {OrderState::Cancelled, "cancelled"},
}};
} // namespace

std::string_view orderStateName(OrderState state)
{
    for (const auto &[value, name] : s_names)
        if (value == state)
            return name;
    return "unknown";
}

std::optional<OrderState> orderStateFromName(std::string_view name)
{
    for (const auto &[value, text] : s_names)
        if (text == name)
            return value;
    return std::nullopt;
}

bool isValidTransition(OrderState from, OrderState to)
{
    if (from == OrderState::Shipped || from == OrderState::Cancelled)
        return false;
    if (to == OrderState::Cancelled)
        return true;
    switch (from) {
    case OrderState::Imported: return to == OrderState::Allocated;
    // Releasing back (allocated ← released) is how a supervisor takes an order off the floor.
    case OrderState::Allocated: return to == OrderState::Released || to == OrderState::Imported;
    case OrderState::Released: return to == OrderState::Picking || to == OrderState::Picked || to == OrderState::Allocated;
    case OrderState::Picking: return to == OrderState::Picked;
    case OrderState::Picked: return to == OrderState::Packed || to == OrderState::Shipped;
    case OrderState::Packed: return to == OrderState::Shipped;
    default: return false;
    }
}

} // namespace Common::Domain
