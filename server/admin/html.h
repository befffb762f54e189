#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// HTML output for the admin pages with context-aware escaping enforced by types
// (REQUIREMENTS.md R32; OWASP XSS Prevention Cheat Sheet rules 1, 2 and 5):
// - `Html` is markup that is safe to send. It can only be made from escaped text (Html::text),
//   compile-time literals written by us (Literal, consteval) and the Element builder, so an
//   untrusted std::string cannot reach the page without escaping.
// - Element names and attribute names are compile-time constants checked at compile time: event
//   handlers (`on…`), `style`, `srcdoc` and tags like `style`, `iframe`, `object`, `base` do not
//   compile. Attribute values are always quoted and escaped; URL attributes (href, src, action,
//   formaction) keep only relative URLs and https:// URLs, anything else becomes "#".
// - There is no inline script or style anywhere (the CSP of §5.2 forbids both): data for our own
//   script goes into data-* attributes, which are escaped like every attribute.
// Text is also made well-formed: invalid UTF-8, NUL and other control characters (except tab,
// CR, LF) become U+FFFD.
namespace Server::Admin {

namespace Detail {
void invalidMarkupName(); // not constexpr: calling it from a consteval check is a compile error
consteval bool isLowerName(std::string_view name)
{
    if (name.empty())
        return false;
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}
} // namespace Detail

// Markup written by us, fixed at compile time ("<p class=\"note\">" is fine, a variable is not).
class Literal final
{
public:
    consteval Literal(const char *markup)
        : m_markup(markup)
    {}
    std::string_view view() const { return m_markup; }

private:
    std::string_view m_markup;
};

class TagName final
{
public:
    consteval TagName(const char *name)
        : m_name(name)
    {
        constexpr std::string_view forbidden[] = {"style",  "iframe", "frame", "frameset", "object",  "embed",
                                                  "applet", "base",   "math",  "template", "noscript"};
        if (!Detail::isLowerName(m_name))
            Detail::invalidMarkupName();
        for (const std::string_view tag : forbidden) {
            if (m_name == tag)
                Detail::invalidMarkupName();
        }
    }
    std::string_view view() const { return m_name; }

private:
    std::string_view m_name;
};

class AttributeName final
{
public:
    consteval AttributeName(const char *name)
        : m_name(name)
    {
        if (!Detail::isLowerName(m_name) || m_name.starts_with("on") || m_name == "style" || m_name == "srcdoc")
            Detail::invalidMarkupName();
    }
    std::string_view view() const { return m_name; }

private:
    std::string_view m_name;
};

class Html final
{
public:
    Html() = default;
    // Untrusted text, escaped for element content and quoted attribute values.
    static Html text(std::string_view untrusted);
    static Html literal(Literal markup) { return Html(std::string(markup.view())); }
    // An integer, e.g. a count.
    static Html number(std::int64_t value) { return Html(std::to_string(value)); }

    Html &operator+=(const Html &other)
    {
        m_markup += other.m_markup;
        return *this;
    }
    friend Html operator+(Html left, const Html &right)
    {
        left += right;
        return left;
    }
    const std::string &str() const { return m_markup; }
    bool empty() const { return m_markup.empty(); }

private:
    friend class Element;
    explicit Html(std::string markup)
        : m_markup(std::move(markup))
    {}
    std::string m_markup;
};

// One element: `Element("a").attribute("href", url).text(label)`. Children are Html or Elements.
// Void elements (input, br, img, meta, link, hr) take no children; adding one throws
// std::logic_error when rendered, as does a child of `script` (our scripts are files).
class Element final
{
public:
    explicit Element(TagName tag)
        : m_tag(tag.view())
    {}
    Element &attribute(AttributeName name, std::string_view value);
    Element &attribute(AttributeName name, std::int64_t value);
    Element &flag(AttributeName name, bool on = true); // boolean attribute: required, disabled, …
    // src = data:image/png|svg+xml;base64,… of `bytes` (e.g. the server-rendered TOTP QR code).
    enum class ImageType { Png, Svg };
    Element &imageData(ImageType type, std::string_view bytes);
    Element &child(const Html &content);
    Element &child(const Element &element) { return child(element.html()); }
    Element &text(std::string_view untrusted) { return child(Html::text(untrusted)); }
    Html html() const;
    operator Html() const { return html(); } // NOLINT(google-explicit-constructor): builders compose

private:
    std::string_view m_tag;
    std::string m_attributes;
    std::string m_children;
    bool m_hasChildren = false;
};

Html join(const std::vector<Html> &parts);

// The escaping and URL policy, public for tests and for non-HTML outputs that need the same.
std::string escapeHtml(std::string_view untrusted); // & < > " ' → entities; text made well-formed
// The URL if it is relative (not "//…", no scheme) or https://, with no whitespace, control
// characters, backslashes or non-ASCII; otherwise "#".
std::string safeUrl(std::string_view url);
// Where to go after login (R33, REQUIREMENTS.md §5.2 "Open redirect"): `next` itself when it
// matches ^/[^/\\] and holds only printable ASCII without a backslash, else "/admin/".
std::string safeRedirectTarget(std::string_view next);
// Percent-encodes everything but unreserved characters (RFC 3986 §2.3), for one path segment or
// query value built from data: "/admin/terminals/" + encodeUriComponent(id).
std::string encodeUriComponent(std::string_view text);
// A decoded path ("/admin/a b") encoded again segment by segment ("/admin/a%20b").
std::string encodePath(std::string_view decodedPath);

// Content-Security-Policy of every admin HTML response (REQUIREMENTS.md §5.2).
inline constexpr std::string_view htmlContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
inline constexpr std::string_view htmlContentType = "text/html; charset=utf-8";

} // namespace Server::Admin
