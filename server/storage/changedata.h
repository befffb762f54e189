#pragma once
#include <string>
#include "server/storage/records.h"

// The `data` objects of change-log rows (docs/sync-protocol.md "Entities and their data"), as
// compact JSON text. Shared by every Store implementation so terminals see one format.
namespace Server::Storage::ChangeData {

inline constexpr const char *skuEntity = "sku";
inline constexpr const char *lotEntity = "lot";
inline constexpr const char *locationEntity = "location";
inline constexpr const char *orderEntity = "order";
inline constexpr const char *stockEntity = "stock";
inline constexpr const char *operatorEntity = "operator";

std::string ofSku(const Common::Domain::Sku &value);
std::string ofLot(const Common::Domain::Lot &value);
std::string ofLocation(const Common::Domain::Location &value);
std::string ofOrder(const Common::Domain::Order &value);
std::string ofStock(const BalanceRecord &value);
std::string ofOperator(const OperatorRecord &value);
std::string stockKey(const std::string &sku, const std::string &location, const std::string &lot); // "sku|location|lot"
std::string lotKey(const std::string &sku, const std::string &lot);

} // namespace Server::Storage::ChangeData
