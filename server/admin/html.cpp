#include "server/admin/html.h"

#include <algorithm>
#include <stdexcept>

namespace Server::Admin {

namespace Detail {
void invalidMarkupName()
{
    throw std::logic_error("invalid markup name");
}
} // namespace Detail

namespace {

constexpr std::string_view replacementCharacter = "\xEF\xBF\xBD"; // U+FFFD

constexpr std::string_view voidElements[] = {"area",  "br",   "col",  "hr",     "img",
                                             "input", "link", "meta", "source", "wbr"};
constexpr std::string_view urlAttributes[] = {"href", "src", "action", "formaction", "poster", "cite"};

bool isVoid(std::string_view tag)
{
    return std::find(std::begin(voidElements), std::end(voidElements), tag) != std::end(voidElements);
}

bool isUrlAttribute(std::string_view name)
{
    return std::find(std::begin(urlAttributes), std::end(urlAttributes), name) != std::end(urlAttributes);
}

// Length of the valid UTF-8 sequence at text[index] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 when it is not valid.
std::size_t utf8SequenceLength(std::string_view text, std::size_t index)
{
    const auto byte = [&](std::size_t offset) { return static_cast<unsigned char>(text[index + offset]); };
    const unsigned char first = byte(0);
    if (first < 0x80)
        return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (first >= 0xC2 && first <= 0xDF) {
        length = 2;
    } else if (first >= 0xE0 && first <= 0xEF) {
        length = 3;
        if (first == 0xE0)
            low = 0xA0;
        if (first == 0xED)
            high = 0x9F;
    } else if (first >= 0xF0 && first <= 0xF4) {
        length = 4;
        if (first == 0xF0)
            low = 0x90;
        if (first == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (index + length > text.size())
        return 0;
    if (byte(1) < low || byte(1) > high)
        return 0;
    for (std::size_t offset = 2; offset < length; ++offset) {
        if (byte(offset) < 0x80 || byte(offset) > 0xBF)
            return 0;
    }
    return length;
}

std::string base64(std::string_view bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t index = 0;
    while (index + 2 < bytes.size()) {
        const unsigned value = static_cast<unsigned>(static_cast<unsigned char>(bytes[index])) << 16 |
                               static_cast<unsigned>(static_cast<unsigned char>(bytes[index + 1])) << 8 |
                               static_cast<unsigned>(static_cast<unsigned char>(bytes[index + 2]));
        out += alphabet[(value >> 18) & 63];
        out += alphabet[(value >> 12) & 63];
        out += alphabet[(value >> 6) & 63];
        out += alphabet[value & 63];
        index += 3;
    }
    const std::size_t rest = bytes.size() - index;
    if (rest > 0) {
        unsigned value = static_cast<unsigned>(static_cast<unsigned char>(bytes[index])) << 16;
        if (rest == 2)
            value |= static_cast<unsigned>(static_cast<unsigned char>(bytes[index + 1])) << 8;
        out += alphabet[(value >> 18) & 63];
        out += alphabet[(value >> 12) & 63];
        out += rest == 2 ? alphabet[(value >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

} // namespace

std::string escapeHtml(std::string_view untrusted)
{
    std::string out;
    out.reserve(untrusted.size() + untrusted.size() / 8);
    std::size_t index = 0;
    while (index < untrusted.size()) {
        const char c = untrusted[index];
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) {
            const std::size_t length = utf8SequenceLength(untrusted, index);
            if (length == 0) {
                out += replacementCharacter;
                ++index;
            } else {
                out.append(untrusted.substr(index, length));
                index += length;
            }
            continue;
        }
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        case '\t':
        case '\n':
        case '\r':
            out += c;
            break;
        default:
            if (byte < 0x20 || byte == 0x7F)
                out += replacementCharacter;
            else
                out += c;
        }
        ++index;
    }
    return out;
}

std::string safeUrl(std::string_view url)
{
    if (url.empty())
        return "#";
    for (const char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7F || c == '\\')
            return "#";
    }
    if (url.starts_with("//"))
        return "#"; // scheme-relative: another host
    const std::size_t end = url.find_first_of(":/?#");
    if (end != std::string_view::npos && url[end] == ':') {
        std::string scheme(url.substr(0, end));
        std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (scheme != "https" || !url.substr(end).starts_with("://") || url.size() <= end + 3)
            return "#";
    }
    return std::string(url);
}

std::string safeRedirectTarget(std::string_view next)
{
    static constexpr std::string_view fallback = "/admin/";
    if (next.size() < 2 || next.size() > 2048 || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return std::string(fallback);
    for (const char c : next) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7F || c == '\\')
            return std::string(fallback);
    }
    return std::string(next);
}

std::string encodeUriComponent(std::string_view text)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 0x0F];
        }
    }
    return out;
}

std::string encodePath(std::string_view decodedPath)
{
    std::string out;
    if (!decodedPath.starts_with('/'))
        return "/";
    std::size_t start = 1;
    for (;;) {
        const auto slash = decodedPath.find('/', start);
        const auto end = slash == std::string_view::npos ? decodedPath.size() : slash;
        out += '/';
        out += encodeUriComponent(decodedPath.substr(start, end - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return out;
}

Html Html::text(std::string_view untrusted)
{
    return Html(escapeHtml(untrusted));
}

Element &Element::attribute(AttributeName name, std::string_view value)
{
    m_attributes += ' ';
    m_attributes += name.view();
    m_attributes += "=\"";
    m_attributes += escapeHtml(isUrlAttribute(name.view()) ? safeUrl(value) : std::string(value));
    m_attributes += '"';
    return *this;
}

Element &Element::attribute(AttributeName name, std::int64_t value)
{
    return attribute(name, std::to_string(value));
}

Element &Element::flag(AttributeName name, bool on)
{
    if (on) {
        m_attributes += ' ';
        m_attributes += name.view();
    }
    return *this;
}

Element &Element::imageData(ImageType type, std::string_view bytes)
{
    // Built here from base64 only, so it bypasses safeUrl (which refuses every data: URL).
    m_attributes += " src=\"data:";
    m_attributes += type == ImageType::Png ? "image/png" : "image/svg+xml";
    m_attributes += ";base64,";
    m_attributes += base64(bytes);
    m_attributes += '"';
    return *this;
}

Element &Element::child(const Html &content)
{
    m_children += content.str();
    m_hasChildren = true;
    return *this;
}

Html Element::html() const
{
    if (m_hasChildren && (isVoid(m_tag) || m_tag == "script"))
        throw std::logic_error("<" + std::string(m_tag) + "> takes no children");
    std::string out;
    out.reserve(m_tag.size() * 2 + m_attributes.size() + m_children.size() + 5);
    out += '<';
    out += m_tag;
    out += m_attributes;
    out += '>';
    if (!isVoid(m_tag)) {
        out += m_children;
        out += "</";
        out += m_tag;
        out += '>';
    }
    return Html(std::move(out));
}

Html join(const std::vector<Html> &parts)
{
    Html out;
    for (const Html &part : parts)
        out += part;
    return out;
}

} // namespace Server::Admin
