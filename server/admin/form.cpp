#include "server/admin/form.h"

namespace Server::Admin {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isValidUtf8(std::string_view text)
{
    std::size_t index = 0;
    while (index < text.size()) {
        const auto first = static_cast<unsigned char>(text[index]);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;
        if (first < 0x80)
            length = 1;
        else if (first >= 0xC2 && first <= 0xDF)
            length = 2;
        else if (first >= 0xE0 && first <= 0xEF) {
            length = 3;
            low = first == 0xE0 ? 0xA0 : 0x80;
            high = first == 0xED ? 0x9F : 0xBF;
        } else if (first >= 0xF0 && first <= 0xF4) {
            length = 4;
            low = first == 0xF0 ? 0x90 : 0x80;
            high = first == 0xF4 ? 0x8F : 0xBF;
        } else
            return false;
        if (index + length > text.size())
            return false;
        for (std::size_t offset = 1; offset < length; ++offset) {
            const auto byte = static_cast<unsigned char>(text[index + offset]);
            if (byte < (offset == 1 ? low : 0x80) || byte > (offset == 1 ? high : 0xBF))
                return false;
        }
        index += length;
    }
    return true;
}

Common::Result<std::string> decode(std::string_view text, std::size_t offset)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        char c = text[index];
        const auto position = static_cast<long>(offset + index);
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            const bool complete = index + 2 < text.size();
            const int high = complete ? hexValue(text[index + 1]) : -1;
            const int low = complete ? hexValue(text[index + 2]) : -1;
            if (high < 0 || low < 0)
                return Common::fail(Common::ErrorCode::InvalidInput, "invalid percent-escape in the form", position);
            c = static_cast<char>(high * 16 + low);
            index += 2;
        }
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t' && c != '\r' && c != '\n') || byte == 0x7F)
            return Common::fail(Common::ErrorCode::InvalidInput, "control character in the form", position);
        out += c;
    }
    if (!isValidUtf8(out))
        return Common::fail(Common::ErrorCode::InvalidInput, "the form is not valid UTF-8", static_cast<long>(offset));
    return out;
}

} // namespace

Common::Result<FormFields> parseForm(std::string_view body)
{
    FormFields form;
    std::size_t start = 0;
    while (start < body.size()) {
        std::size_t end = body.find('&', start);
        if (end == std::string_view::npos)
            end = body.size();
        const std::string_view piece = body.substr(start, end - start);
        const std::size_t offset = start;
        start = end + 1;
        if (piece.empty())
            continue;
        const auto equals = piece.find('=');
        auto name = decode(piece.substr(0, equals), offset);
        if (!name)
            return tl::unexpected(name.error());
        if (name->empty() || name->size() > maxFieldNameBytes)
            return Common::fail(Common::ErrorCode::InvalidInput, "form field name empty or too long",
                                static_cast<long>(offset));
        std::string value;
        if (equals != std::string_view::npos) {
            auto decoded = decode(piece.substr(equals + 1), offset + equals + 1);
            if (!decoded)
                return tl::unexpected(decoded.error());
            value = std::move(*decoded);
        }
        if (formValue(form, *name))
            return Common::fail(Common::ErrorCode::InvalidInput, "form field '" + *name + "' appears twice",
                                static_cast<long>(offset));
        if (form.size() >= maxFormFields)
            return Common::fail(Common::ErrorCode::InvalidInput,
                                "more than " + std::to_string(maxFormFields) + " form fields",
                                static_cast<long>(offset));
        form.emplace_back(std::move(*name), std::move(value));
    }
    return form;
}

std::optional<std::string_view> formValue(const FormFields &form, std::string_view name)
{
    for (const auto &[key, value] : form) {
        if (key == name)
            return std::string_view(value);
    }
    return std::nullopt;
}

} // namespace Server::Admin
