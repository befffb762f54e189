#include "common/protocol/strictjson.h"

#include <cmath>
#include <limits>
#include <vector>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

namespace Common::Protocol {

namespace {

using boost::json::error_code;
using boost::json::string_view;

// First pass over the text: Boost.JSON's SAX parser with a handler that enforces what the DOM
// parser would silently accept (duplicate keys, 1e400, 2^70) and names the field path.
class Checker
{
public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    explicit Checker(std::size_t maxDepth) : m_maxDepth(maxDepth) {}

    std::string reason;
    std::string path;
    std::string detail;

    bool on_document_begin(error_code &) { return true; }
    bool on_document_end(error_code &) { return true; }
    bool on_array_begin(error_code &ec) { return open(true, ec); }
    bool on_array_end(std::size_t, error_code &) { return close(); }
    bool on_object_begin(error_code &ec) { return open(false, ec); }
    bool on_object_end(std::size_t, error_code &) { return close(); }
    bool on_string_part(string_view, std::size_t, error_code &) { return true; }
    bool on_string(string_view, std::size_t, error_code &)
    {
        valueStarts();
        return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code &)
    {
        m_key.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code &ec)
    {
        m_key.append(s.data(), s.size());
        Frame &frame = m_frames.back();
        if (!frame.keys.insert(m_key).second) {
            const std::string parent = currentPath(false);
            fail("duplicate_key", parent == "$" ? m_key : parent + '.' + m_key, "the key appears twice in one object", ec);
            return false;
        }
        frame.key = std::move(m_key);
        m_key.clear();
        return true;
    }
    bool on_number_part(string_view s, error_code &)
    {
        m_number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t, string_view, error_code &)
    {
        valueStarts();
        m_number.clear();
        return true;
    }
    bool on_uint64(std::uint64_t, string_view, error_code &)
    {
        valueStarts();
        m_number.clear();
        return true;
    }
    bool on_double(double d, string_view s, error_code &ec)
    {
        valueStarts();
        m_number.append(s.data(), s.size());
        const bool integerSyntax = m_number.find_first_of(".eE") == std::string::npos;
        m_number.clear();
        if (!std::isfinite(d)) {
            fail("not_finite", currentPath(), "the number is too large to represent", ec);
            return false;
        }
        if (integerSyntax) {
            fail("out_of_range", currentPath(), "the integer does not fit in 64 bits", ec);
            return false;
        }
        return true;
    }
    bool on_bool(bool, error_code &)
    {
        valueStarts();
        return true;
    }
    bool on_null(error_code &)
    {
        valueStarts();
        return true;
    }
    bool on_comment_part(string_view, error_code &) { return true; }
    bool on_comment(string_view, error_code &) { return true; }

private:
    struct Frame
    {
        bool isArray = false;
        std::size_t count = 0;       // values seen in an array
        std::string key;             // current key in an object
        std::set<std::string, std::less<>> keys;
    };

    void valueStarts()
    {
        if (!m_frames.empty() && m_frames.back().isArray)
            ++m_frames.back().count;
    }
    bool open(bool isArray, error_code &ec)
    {
        valueStarts();
        if (m_frames.size() + 1 > m_maxDepth) {
            fail("too_deep", currentPath(), "nesting deeper than " + std::to_string(m_maxDepth), ec);
            return false;
        }
        m_frames.push_back(Frame{isArray, 0, {}, {}});
        return true;
    }
    bool close()
    {
        m_frames.pop_back();
        return true;
    }
    // The path of the value being parsed; without the innermost object's key while a key is read.
    std::string currentPath(bool withLastKey = true) const
    {
        std::string out;
        for (std::size_t i = 0; i < m_frames.size(); ++i) {
            const Frame &frame = m_frames[i];
            if (!withLastKey && i + 1 == m_frames.size() && !frame.isArray)
                break;
            if (frame.isArray) {
                out += '[' + std::to_string(frame.count == 0 ? 0 : frame.count - 1) + ']';
            } else if (!frame.key.empty()) {
                if (!out.empty())
                    out += '.';
                out += frame.key;
            }
        }
        return out.empty() ? std::string("$") : out;
    }
    void fail(std::string r, std::string p, std::string d, error_code &ec)
    {
        reason = std::move(r);
        path = std::move(p);
        detail = std::move(d);
        ec = boost::json::error::syntax;
    }

    std::size_t m_maxDepth;
    std::vector<Frame> m_frames;
    std::string m_key;
    std::string m_number;
};

bool hasControlCharacter(std::string_view text)
{
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            return true;
    }
    return false;
}

bool isDigits(std::string_view text)
{
    for (const char c : text)
        if (c < '0' || c > '9')
            return false;
    return !text.empty();
}

} // namespace

Error decodeError(std::string_view reason, std::string_view path, std::string_view detail, long position)
{
    std::string message(reason);
    message += " at ";
    message += path.empty() ? std::string_view("$") : path;
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    const ErrorCode code = (reason == "too_large" || reason == "too_many") ? ErrorCode::TooLarge : ErrorCode::InvalidInput;
    return Error::make(code, std::move(message), position);
}

void DecodeContext::fail(std::string_view reason, std::string_view path, std::string_view detail)
{
    if (!error)
        error = decodeError(reason, path, detail);
}

Result<boost::json::value> parseStrict(std::string_view text, const ParseLimits &limits)
{
    if (text.size() > limits.maxBytes)
        return tl::unexpected(decodeError("too_large", "$", "message larger than " + std::to_string(limits.maxBytes) + " bytes"));
    boost::json::parse_options options;
    options.max_depth = limits.maxDepth + 1; // our checker reports depth with a path first
    {
        boost::json::basic_parser<Checker> checker(options, limits.maxDepth);
        error_code ec;
        const std::size_t used = checker.write_some(false, text.data(), text.size(), ec);
        if (ec) {
            const Checker &handler = checker.handler();
            if (!handler.reason.empty())
                return tl::unexpected(decodeError(handler.reason, handler.path, handler.detail, static_cast<long>(used)));
            return tl::unexpected(decodeError("bad_json", "$", ec.message(), static_cast<long>(used)));
        }
        if (used != text.size())
            return tl::unexpected(decodeError("bad_json", "$", "trailing data after the JSON value", static_cast<long>(used)));
    }
    error_code ec;
    boost::json::value value = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
    if (ec)
        return tl::unexpected(decodeError("bad_json", "$", ec.message()));
    return value;
}

ObjectReader::ObjectReader(DecodeContext &context, const boost::json::value &value, std::string path)
    : m_context(context), m_object(value.if_object()), m_path(std::move(path))
{
    if (!m_object)
        m_context.fail("wrong_type", m_path.empty() ? "$" : m_path, "expected an object");
}

std::string ObjectReader::path(std::string_view key) const
{
    if (m_path.empty())
        return std::string(key);
    return m_path + '.' + std::string(key);
}

bool ObjectReader::has(std::string_view key) const
{
    return m_object && m_object->contains(boost::json::string_view(key.data(), key.size()));
}

const boost::json::value *ObjectReader::find(std::string_view key, bool required)
{
    if (!m_object)
        return nullptr;
    m_read.emplace(key);
    const boost::json::value *value = m_object->if_contains(boost::json::string_view(key.data(), key.size()));
    if (!value && required)
        m_context.fail("missing_field", path(key), "required");
    return value;
}

const boost::json::value *ObjectReader::value(std::string_view key, bool required)
{
    return find(key, required);
}

bool checkString(DecodeContext &context, const boost::json::value &value, const std::string &path, StringRule rule,
                 std::string &out)
{
    const boost::json::string *text = value.if_string();
    if (!text) {
        context.fail("wrong_type", path, "expected a string");
        return false;
    }
    const std::string_view view(text->data(), text->size());
    if (hasControlCharacter(view)) {
        context.fail("control_character", path, "control characters are not allowed");
        return false;
    }
    if (view.size() > rule.maxLength) {
        context.fail("too_long", path, "longer than " + std::to_string(rule.maxLength) + " bytes");
        return false;
    }
    if (view.size() < rule.minLength) {
        context.fail("bad_value", path, rule.minLength == 1 ? "must not be empty" : "too short");
        return false;
    }
    out.assign(view);
    return true;
}

bool checkInteger(DecodeContext &context, const boost::json::value &value, const std::string &path,
                  std::int64_t minimum, std::int64_t maximum, std::int64_t &out)
{
    if (value.is_int64()) {
        out = value.get_int64();
    } else if (value.is_uint64()) {
        context.fail("out_of_range", path, "the integer does not fit in 64 bits");
        return false;
    } else if (value.is_double()) {
        context.fail("not_integer", path, "expected an integer");
        return false;
    } else {
        context.fail("wrong_type", path, "expected an integer");
        return false;
    }
    if (out < minimum || out > maximum) {
        context.fail("out_of_range", path,
                     "must be between " + std::to_string(minimum) + " and " + std::to_string(maximum));
        return false;
    }
    return true;
}

std::string ObjectReader::string(std::string_view key, StringRule rule)
{
    std::string out;
    if (const boost::json::value *value = find(key, true))
        checkString(m_context, *value, path(key), rule, out);
    return out;
}

std::optional<std::string> ObjectReader::optionalString(std::string_view key, StringRule rule)
{
    const boost::json::value *value = find(key, false);
    if (!value)
        return std::nullopt;
    std::string out;
    if (!checkString(m_context, *value, path(key), rule, out))
        return std::nullopt;
    return out;
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t minimum, std::int64_t maximum)
{
    std::int64_t out = 0;
    if (const boost::json::value *value = find(key, true))
        checkInteger(m_context, *value, path(key), minimum, maximum, out);
    return out;
}

std::optional<std::int64_t> ObjectReader::optionalInteger(std::string_view key, std::int64_t minimum, std::int64_t maximum)
{
    const boost::json::value *value = find(key, false);
    if (!value)
        return std::nullopt;
    std::int64_t out = 0;
    if (!checkInteger(m_context, *value, path(key), minimum, maximum, out))
        return std::nullopt;
    return out;
}

bool ObjectReader::boolean(std::string_view key)
{
    const boost::json::value *value = find(key, true);
    if (!value)
        return false;
    if (!value->is_bool()) {
        m_context.fail("wrong_type", path(key), "expected true or false");
        return false;
    }
    return value->get_bool();
}

std::optional<bool> ObjectReader::optionalBoolean(std::string_view key)
{
    if (!has(key)) {
        find(key, false);
        return std::nullopt;
    }
    return boolean(key);
}

const boost::json::array *ObjectReader::array(std::string_view key, std::size_t maxItems, bool required)
{
    const boost::json::value *value = find(key, required);
    if (!value)
        return nullptr;
    const boost::json::array *items = value->if_array();
    if (!items) {
        m_context.fail("wrong_type", path(key), "expected an array");
        return nullptr;
    }
    if (items->size() > maxItems) {
        m_context.fail("too_many", path(key), "more than " + std::to_string(maxItems) + " items");
        return nullptr;
    }
    return items;
}

void ObjectReader::finish()
{
    if (!m_object)
        return;
    for (const auto &member : *m_object) {
        const std::string_view key(member.key().data(), member.key().size());
        if (!m_read.contains(key)) {
            m_context.fail("unknown_field", path(key), "field not allowed here");
            return;
        }
    }
}

bool isUuid(std::string_view text)
{
    if (text.size() != 36)
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool isIsoDate(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    if (!isDigits(text.substr(0, 4)) || !isDigits(text.substr(5, 2)) || !isDigits(text.substr(8, 2)))
        return false;
    const int year = std::stoi(std::string(text.substr(0, 4)));
    const int month = std::stoi(std::string(text.substr(5, 2)));
    const int day = std::stoi(std::string(text.substr(8, 2)));
    if (month < 1 || month > 12 || day < 1)
        return false;
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int limit = days[month - 1] + ((month == 2 && leap) ? 1 : 0);
    return day <= limit;
}

bool isUtcTimestamp(std::string_view text)
{
    if (text.size() < 20 || text.back() != 'Z' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
        return false;
    if (!isIsoDate(text.substr(0, 10)))
        return false;
    if (!isDigits(text.substr(11, 2)) || !isDigits(text.substr(14, 2)) || !isDigits(text.substr(17, 2)))
        return false;
    if (std::stoi(std::string(text.substr(11, 2))) > 23 || std::stoi(std::string(text.substr(14, 2))) > 59
        || std::stoi(std::string(text.substr(17, 2))) > 60)
        return false;
    const std::string_view rest = text.substr(19, text.size() - 20);
    if (rest.empty())
        return true;
    return rest.size() >= 2 && rest.size() <= 10 && rest[0] == '.' && isDigits(rest.substr(1));
}

} // namespace Common::Protocol
