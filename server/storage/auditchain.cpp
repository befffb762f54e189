#include "server/storage/auditchain.h"

#include <algorithm>
#include <array>
#include <vector>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>

namespace Server::Storage {

namespace {

namespace json = boost::json;
using Common::ErrorCode;

void appendString(std::string &out, std::string_view text)
{
    out += json::serialize(json::string_view(text.data(), text.size()));
}

void appendCanonical(std::string &out, const json::value &value)
{
    switch (value.kind()) {
    case json::kind::object: {
        const json::object &object = value.get_object();
        std::vector<const json::key_value_pair *> members;
        members.reserve(object.size());
        for (const auto &member : object)
            members.push_back(&member);
        // std::string_view compares with char_traits<char>, i.e. memcmp: UTF-8 byte order.
        std::sort(members.begin(), members.end(), [](const auto *left, const auto *right) {
            return std::string_view(left->key().data(), left->key().size()) <
                   std::string_view(right->key().data(), right->key().size());
        });
        out += '{';
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i)
                out += ',';
            appendString(out, std::string_view(members[i]->key().data(), members[i]->key().size()));
            out += ':';
            appendCanonical(out, members[i]->value());
        }
        out += '}';
        return;
    }
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const json::value &element : value.get_array()) {
            if (!first)
                out += ',';
            first = false;
            appendCanonical(out, element);
        }
        out += ']';
        return;
    }
    case json::kind::string:
        appendString(out, std::string_view(value.get_string().data(), value.get_string().size()));
        return;
    default: // numbers, booleans, null: Boost.JSON's own spelling
        out += json::serialize(value);
        return;
    }
}

Common::Result<json::value> parseJson(std::string_view text)
{
    boost::system::error_code error;
    json::value value = json::parse(json::string_view(text.data(), text.size()), error);
    if (error)
        return Common::fail(ErrorCode::InvalidInput, "not JSON: " + error.message());
    return value;
}

Common::Result<json::object> parseDetails(std::string_view details)
{
    auto value = parseJson(details.empty() ? std::string_view("{}") : details);
    if (!value || !value->is_object())
        return Common::fail(ErrorCode::InvalidInput, "audit details must be a JSON object");
    return std::move(value->get_object());
}

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
void limitText(std::string &text, std::size_t limit)
{
    if (text.size() <= limit)
        return;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    text.resize(end);
}

std::string roleOfActor(std::string_view actor)
{
    if (actor.starts_with("cli:"))
        return "cli_admin";
    if (actor.starts_with("device:"))
        return "device";
    if (actor.starts_with("apikey:") || actor.starts_with("api_key:"))
        return "api_key";
    if (actor == "system")
        return "system";
    if (actor == "unauthenticated")
        return "anonymous";
    return {};
}

std::string outcomeOfEvent(std::string_view event)
{
    const bool failed = event.find("_fail") != std::string_view::npos || event.ends_with("_exceeded") ||
                        event.starts_with("malicious_") || event == "authn_token_reuse";
    return failed ? "failure" : "success";
}

void liftString(std::string &field, const json::object &details, std::string_view key)
{
    if (!field.empty())
        return;
    const json::value *value = details.if_contains(json::string_view(key.data(), key.size()));
    if (value && value->is_string())
        field = std::string(value->get_string().data(), value->get_string().size());
}

} // namespace

std::string sha256HexOf(std::string_view data)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
        return {}; // never matches a stored hash, so a failure cannot pass verification
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0x0f];
    }
    return out;
}

Common::Result<std::string> canonicalJson(std::string_view text)
{
    auto value = parseJson(text);
    if (!value)
        return tl::unexpected(value.error());
    std::string out;
    appendCanonical(out, *value);
    return out;
}

Common::Result<std::string> canonicalAuditJson(const AuditRecord &entry)
{
    auto details = parseDetails(entry.details);
    if (!details)
        return tl::unexpected(details.error());
    json::object object;
    object["actor"] = entry.actor;
    object["details"] = std::move(*details);
    object["event"] = entry.event;
    object["listener"] = entry.listener;
    object["outcome"] = entry.outcome;
    object["request_id"] = entry.requestId;
    object["role"] = entry.role;
    object["seq"] = entry.id;
    object["source_ip"] = entry.sourceIp;
    object["target"] = entry.target;
    object["ts"] = entry.at;
    std::string out;
    appendCanonical(out, object);
    return out;
}

Common::Result<std::string> auditEntryHash(std::string_view previousHash, const AuditRecord &entry)
{
    auto canonical = canonicalAuditJson(entry);
    if (!canonical)
        return tl::unexpected(canonical.error());
    std::string input(previousHash);
    input += *canonical;
    return sha256HexOf(input);
}

std::string auditCheckpointMessage(std::int64_t seq, std::string_view hash, std::string_view at)
{
    json::object object;
    object["hash"] = json::string_view(hash.data(), hash.size());
    object["seq"] = seq;
    object["ts"] = json::string_view(at.data(), at.size());
    object["type"] = "soko.audit.checkpoint.v1";
    std::string out;
    appendCanonical(out, object);
    return out;
}

Common::Result<AuditRecord> prepareAuditRecord(AuditRecord record, const std::string &now)
{
    if (record.details.size() > maxAuditDetailsBytes)
        return Common::fail(ErrorCode::TooLarge, "audit details are larger than 64 KiB");
    auto details = parseDetails(record.details);
    if (!details)
        return tl::unexpected(details.error());
    liftString(record.sourceIp, *details, "ip");
    liftString(record.listener, *details, "listener");
    liftString(record.requestId, *details, "request_id");
    std::string canonical;
    appendCanonical(canonical, *details);
    record.details = std::move(canonical);
    if (record.at.empty())
        record.at = now;
    if (record.role.empty())
        record.role = roleOfActor(record.actor);
    if (record.outcome.empty())
        record.outcome = outcomeOfEvent(record.event);
    limitText(record.at, 64);
    limitText(record.actor, 256);
    limitText(record.role, 64);
    limitText(record.sourceIp, 64);
    limitText(record.listener, 32);
    limitText(record.requestId, 128);
    limitText(record.event, 128);
    limitText(record.outcome, 32);
    limitText(record.target, 2048);
    record.id = 0;
    record.prevHash.clear();
    record.hash.clear();
    return record;
}

} // namespace Server::Storage
