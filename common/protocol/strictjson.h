#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <boost/json/value.hpp>
#include "common/support/result.h"

// Strict JSON reading for every JSON input of Soko (REQUIREMENTS.md §5.2, R28), on Boost.JSON.
// parseStrict() refuses what Boost.JSON accepts but we must not: duplicate keys (Boost keeps the
// last), nesting deeper than maxDepth, numbers that are not finite, a BOM, trailing data, more
// than maxBytes. ObjectReader then reads typed fields with per-field limits and reports the first
// problem with its field path; finish() refuses every field nobody read (unknown_field).
// This header exposes Boost.JSON: include it only where Boost::json is linked (server, common).
namespace Common::Protocol {

struct ParseLimits
{
    std::size_t maxBytes = 1024 * 1024;
    std::size_t maxDepth = 16;
};

Result<boost::json::value> parseStrict(std::string_view text, const ParseLimits &limits = {});

// Builds the standard decode error: Error{InvalidInput, "<reason> at <path>: <detail>"}.
Error decodeError(std::string_view reason, std::string_view path, std::string_view detail, long position = -1);

// Collects the first error of a decode; every reader sharing it stops reporting after that.
struct DecodeContext
{
    std::optional<Error> error;
    bool ok() const { return !error.has_value(); }
    void fail(std::string_view reason, std::string_view path, std::string_view detail);
};

// Rules for one string field. Lengths are in bytes of UTF-8.
struct StringRule
{
    std::size_t minLength = 1;
    std::size_t maxLength = 64;
};

class ObjectReader
{
public:
    // Fails the context with wrong_type when `value` is not an object.
    ObjectReader(DecodeContext &context, const boost::json::value &value, std::string path);

    bool isObject() const { return m_object != nullptr; }
    bool has(std::string_view key) const;
    std::string string(std::string_view key, StringRule rule = {});
    std::optional<std::string> optionalString(std::string_view key, StringRule rule = {});
    // An integer (JSON number without fraction/exponent that fits int64) in [minimum, maximum].
    std::int64_t integer(std::string_view key, std::int64_t minimum, std::int64_t maximum);
    std::optional<std::int64_t> optionalInteger(std::string_view key, std::int64_t minimum, std::int64_t maximum);
    bool boolean(std::string_view key);
    std::optional<bool> optionalBoolean(std::string_view key);
    // Raw access; the field counts as read. nullptr (and missing_field) when absent and required.
    const boost::json::value *value(std::string_view key, bool required = true);
    const boost::json::array *array(std::string_view key, std::size_t maxItems, bool required = true);
    std::string path(std::string_view key) const;
    // Refuses any field that was not read: unknown_field at path.key.
    void finish();

private:
    const boost::json::value *find(std::string_view key, bool required);
    DecodeContext &m_context;
    const boost::json::object *m_object = nullptr;
    std::string m_path;
    std::set<std::string, std::less<>> m_read;
};

// Checks a string value read some other way (array items …) against a rule.
bool checkString(DecodeContext &context, const boost::json::value &value, const std::string &path, StringRule rule,
                 std::string &out);
bool checkInteger(DecodeContext &context, const boost::json::value &value, const std::string &path,
                  std::int64_t minimum, std::int64_t maximum, std::int64_t &out);

// Format checks used by several messages.
bool isUuid(std::string_view text);                 // lower-case 8-4-4-4-12 hex
bool isUtcTimestamp(std::string_view text);         // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
bool isIsoDate(std::string_view text);              // YYYY-MM-DD with a real calendar day

} // namespace Common::Protocol
