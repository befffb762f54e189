#pragma once
#include <cstdint>
#include <string>
#include <vector>

// The answer of every import: how many rows were written, which were already there, and each
// refused row with its number (CSV: 1-based line; JSON: 0-based item index) and reason. Valid rows
// are written in one transaction even when others are refused.
namespace Server::Oms {

enum class ImportFormat { Json, Csv };

struct RowError
{
    long row = 0;
    std::string reason;
    friend bool operator==(const RowError &, const RowError &) = default;
};

struct ImportReport
{
    int imported = 0;
    int unchanged = 0;             // idempotent repeats (orders already known)
    std::vector<std::int64_t> ids; // order ids, in input order (imported and unchanged)
    std::vector<RowError> errors;
};

} // namespace Server::Oms
