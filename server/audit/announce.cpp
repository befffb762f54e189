#include "server/audit/announce.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace Server::Audit {

namespace {

namespace json = boost::json;

std::size_t utf8Length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 1; // a stray continuation byte or invalid lead: one byte at a time
}

std::string titleOfEvent(const Storage::AuditRecord &entry)
{
    const std::string &event = entry.event;
    const bool apiKey = entry.target.starts_with("api_key:");
    const bool enrollmentCode = entry.target.starts_with("enrollment_code:");
    if (event == "authn_token_created")
        return apiKey ? "API key created" : enrollmentCode ? "Enrollment code created" : "Token created";
    if (event == "authn_token_revoked")
        return apiKey ? "API key revoked" : "Token revoked";
    if (event == "device_revoked")
        return "Device revoked";
    if (event == "device_enrolled")
        return "Device enrolled";
    if (event == "device_registered")
        return "Device registered";
    if (event == "config_change")
        return "Configuration changed";
    // Anything else: the event name as words, first letter upper-case ("user_created" → "User created").
    std::string title = event;
    for (char &c : title)
        if (c == '_')
            c = ' ';
    if (!title.empty() && title[0] >= 'a' && title[0] <= 'z')
        title[0] = static_cast<char>(title[0] - 'a' + 'A');
    return title.empty() ? std::string("Audit event") : title;
}

// "key=value key=value" of the details' scalar members, at most ~400 bytes.
std::string detailsText(const std::string &details)
{
    boost::system::error_code error;
    const json::value value = json::parse(details, error);
    if (error || !value.is_object())
        return {};
    std::string out;
    for (const auto &member : value.get_object()) {
        std::string text;
        if (member.value().is_string())
            text = std::string(member.value().get_string().data(), member.value().get_string().size());
        else if (member.value().is_number() || member.value().is_bool())
            text = json::serialize(member.value());
        else
            continue;
        if (!out.empty())
            out += ' ';
        out += std::string(member.key().data(), member.key().size()) + "=" + text;
        if (out.size() > 400)
            break;
    }
    return out;
}

} // namespace

std::string escapeSlackText(std::string_view text, std::size_t maxBytes)
{
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6"; // …
    std::string out;
    std::size_t lastFit = 0; // length at the last piece boundary that leaves room for the ellipsis
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = std::min(utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
        std::string_view piece = text.substr(i, length);
        switch (text[i]) {
        case '&':
            piece = "&amp;";
            break;
        case '<':
            piece = "&lt;";
            break;
        case '>':
            piece = "&gt;";
            break;
        case '\r':
        case '\n':
        case '\t':
            piece = " ";
            break;
        default:
            break;
        }
        if (out.size() + piece.size() + ellipsis.size() <= maxBytes)
            lastFit = out.size() + piece.size();
        out += piece;
        i += length;
        if (out.size() > maxBytes) {
            out.resize(lastFit);
            out += ellipsis;
            break;
        }
    }
    return out;
}

std::string slackPayload(const Announcement &announcement)
{
    const std::string title = escapeSlackText(announcement.title, 200);
    const std::string summary = escapeSlackText(announcement.summary, 2600);
    json::object section;
    section["type"] = "section";
    section["text"] = json::object{{"type", "mrkdwn"}, {"text", "*" + title + "* " + summary}};
    json::object payload;
    payload["text"] = title + " " + summary;
    payload["blocks"] = json::array{std::move(section)};
    return json::serialize(payload);
}

Common::Result<std::int64_t> announce(Storage::Store &store, const Announcement &announcement)
{
    Storage::AlertRecord alert;
    alert.kind = announcement.kind.empty() ? std::string("announcement") : announcement.kind;
    alert.text = escapeSlackText(announcement.title, 200) + " " + escapeSlackText(announcement.summary, 2600);
    alert.payload = slackPayload(announcement);
    return store.enqueueAlert(alert);
}

Announcement announcementFor(const Storage::AuditRecord &entry)
{
    std::string summary = entry.target.empty() ? std::string() : entry.target + " ";
    summary += "by " + (entry.actor.empty() ? std::string("unknown") : entry.actor);
    if (!entry.role.empty())
        summary += " (" + entry.role + ")";
    if (!entry.sourceIp.empty())
        summary += " from " + entry.sourceIp;
    if (!entry.listener.empty())
        summary += " on " + entry.listener;
    if (const std::string details = detailsText(entry.details); !details.empty())
        summary += ", " + details;
    if (entry.outcome == "failure")
        summary += ", FAILED";
    summary += ", " + entry.at + ", audit seq " + std::to_string(entry.id);
    return Announcement{entry.event, titleOfEvent(entry), std::move(summary)};
}

Common::Result<std::int64_t> appendAndAnnounce(Storage::Store &store, const Storage::AuditRecord &entry,
                                               const std::optional<Announcement> &announcement)
{
    auto seq = store.appendAudit(entry);
    if (!seq)
        return seq;
    if (announcement) {
        if (auto queued = announce(store, *announcement); !queued)
            return tl::unexpected(queued.error());
        return seq;
    }
    auto stored = store.audit(*seq - 1, 1);
    if (!stored)
        return tl::unexpected(stored.error());
    if (stored->empty())
        return Common::fail(Common::ErrorCode::Storage, "the appended audit entry is not readable");
    if (auto queued = announce(store, announcementFor(stored->front())); !queued)
        return tl::unexpected(queued.error());
    return seq;
}

Storage::Store::AuditHook announceEveryEntry()
{
    return [](Storage::Store &store, const Storage::AuditRecord &entry) -> Common::Result<void> {
        auto queued = announce(store, announcementFor(entry));
        if (!queued)
            return tl::unexpected(queued.error());
        return {};
    };
}

} // namespace Server::Audit
