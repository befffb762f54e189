#include "server/admin/staticassets.h"

#include <cstdint>

namespace Server::Admin {

namespace {

constexpr std::string_view stylesheet = R"css(/* Soko admin: one stylesheet, no inline styles (CSP style-src 'self'). */
:root { --ink: #1d2733; --muted: #5b6775; --line: #d8dee6; --accent: #1f6feb; --bad: #b42318; --warn: #9a6700;
        --good: #1a7f37; --paper: #ffffff; --ground: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, "Hiragino Sans", "Noto Sans JP", "Yu Gothic", sans-serif;
       color: var(--ink); background: var(--ground); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.5rem;
         background: var(--ink); color: #fff; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 700; margin-right: 1rem; }
header nav { display: flex; flex-wrap: wrap; gap: .3rem 1rem; flex: 1; }
header nav a { white-space: nowrap; }
header .language a, header .user { font-size: .85rem; opacity: .85; }
header .language a[aria-current] { text-decoration: underline; opacity: 1; }
header form.signout { margin: 0; }
header form.signout button { padding: .2rem .6rem; font-size: .85rem; background: transparent;
                             border: 1px solid rgba(255,255,255,.5); }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
section.card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem;
               margin-bottom: 1.25rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1.25rem; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.status-revoked, .severity-critical { color: var(--bad); font-weight: 600; }
.severity-warning { color: var(--warn); font-weight: 600; }
.status-active { color: var(--good); }
form.stacked { display: grid; gap: .8rem; max-width: 24rem; }
form.stacked label { display: grid; gap: .25rem; font-weight: 600; }
form.stacked textarea { width: 100%; }
form.stacked:has(textarea) { max-width: none; }
input[type=text], input[type=password] { font: inherit; padding: .45rem .55rem; border: 1px solid var(--line);
                                         border-radius: 4px; }
button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff;
         cursor: pointer; }
.error-box { border-left: 4px solid var(--bad); }
.reference { font-family: ui-monospace, monospace; }
)css";

constexpr std::string_view script = R"js(// Soko admin: the only script (CSP script-src 'self'; no inline handlers).
// Forms with data-confirm ask before submitting; the question text comes from the attribute.
"use strict";
document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
    }
});
// orders pages: <input type="file" data-fill-textarea="id"> reads the chosen file into that text
// area (the CSV import preview); without JavaScript the CSV is pasted instead.
document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.fillTextarea || !input.files || !input.files[0]) {
        return;
    }
    var target = document.getElementById(input.dataset.fillTextarea);
    var reader = new FileReader();
    reader.onload = function () {
        if (target) {
            target.value = String(reader.result);
        }
    };
    reader.readAsText(input.files[0], "utf-8");
});
)js";

std::string fnv1a64Hex(std::string_view bytes)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int index = 15; index >= 0; --index) {
        out[static_cast<std::size_t>(index)] = digits[hash & 0x0F];
        hash >>= 4;
    }
    return out;
}

// The tab icon: a bin with a box, in our own colours (browsers ask for one on every page; without
// it they request /favicon.ico, which the admin listener does not serve).
constexpr std::string_view favicon = R"svg(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/><rect x="4" y="5" width="8" height="7" fill="#f2c14e"/><path d="M4 8h8" stroke="#1f4e79"/></svg>
)svg";

} // namespace

const std::vector<StaticAsset> &staticAssets()
{
    static const std::vector<StaticAsset> assets = {
        {"admin.css", "text/css; charset=utf-8", stylesheet, fnv1a64Hex(stylesheet)},
        {"admin.js", "text/javascript; charset=utf-8", script, fnv1a64Hex(script)},
        {"favicon.svg", "image/svg+xml; charset=utf-8", favicon, fnv1a64Hex(favicon)},
    };
    return assets;
}

const StaticAsset *findStaticAsset(std::string_view name)
{
    for (const StaticAsset &asset : staticAssets()) {
        if (asset.name == name)
            return &asset;
    }
    return nullptr;
}

std::string staticUrl(std::string_view name)
{
    const StaticAsset *asset = findStaticAsset(name);
    return "/admin/static/" + std::string(name) + (asset ? "?v=" + asset->version : std::string());
}

} // namespace Server::Admin
