#include "client/tools/scanreport.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>

#include "common/barcode/gtin.h"

namespace Client::Tools {

namespace {

constexpr std::size_t maxTextBytes = 4096;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

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

void appendUtf8(std::string &out, unsigned codePoint)
{
    if (codePoint < 0x80) {
        out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
        out += static_cast<char>(0xC0 | (codePoint >> 6));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (codePoint >> 12));
        out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
}

QString productFormatName(Common::Barcode::ProductCodeFormat format)
{
    switch (format) {
    case Common::Barcode::ProductCodeFormat::Ean13:
        return QStringLiteral("EAN-13");
    case Common::Barcode::ProductCodeFormat::Jan:
        return QStringLiteral("JAN");
    case Common::Barcode::ProductCodeFormat::Ean8:
        return QStringLiteral("EAN-8");
    case Common::Barcode::ProductCodeFormat::UpcA:
        return QStringLiteral("UPC-A");
    case Common::Barcode::ProductCodeFormat::Itf14:
        return QStringLiteral("ITF-14");
    }
    return {};
}

QString isoDate(const Common::Domain::Date &date)
{
    return QStringLiteral("%1-%2-%3")
        .arg(date.year, 4, 10, QLatin1Char('0'))
        .arg(date.month, 2, 10, QLatin1Char('0'))
        .arg(date.day, 2, 10, QLatin1Char('0'));
}

// The GS1 parse of `text` as JSON: the message object or the error object.
QJsonObject gs1Json(const std::string &text, const Common::Barcode::Gs1Options &options)
{
    const auto message = Common::Barcode::parseGs1(text, options);
    if (!message)
        return errorJson(message.error());
    return gs1MessageJson(*message);
}

void insertAll(QJsonObject &into, const QJsonObject &from)
{
    for (auto it = from.constBegin(); it != from.constEnd(); ++it)
        into.insert(it.key(), it.value());
}

bool isDigits(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Common::Result<std::string> unescapeScannerText(std::string_view text)
{
    if (text.size() > maxTextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "text longer than " + std::to_string(maxTextBytes) + " bytes");
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool escape = text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'u');
        if (!escape) {
            out += text[i];
            continue;
        }
        const std::size_t digits = text[i + 1] == 'x' ? 2 : 4;
        unsigned value = 0;
        for (std::size_t k = 0; k < digits; ++k) {
            const int digit = i + 2 + k < text.size() ? hexValue(text[i + 2 + k]) : -1;
            if (digit < 0)
                return Common::fail(Common::ErrorCode::InvalidInput,
                                    std::string("malformed \\") + text[i + 1] + " escape: expected " +
                                        std::to_string(digits) + " hex digits",
                                    long(i));
            value = value * 16 + unsigned(digit);
        }
        if (digits == 2 && value >= 0x80)
            return Common::fail(Common::ErrorCode::InvalidInput, "\\x escapes stand for ASCII only; use \\u00XX",
                                long(i));
        if (value == 0)
            return Common::fail(Common::ErrorCode::InvalidInput, "NUL character in scanner text", long(i));
        if (value >= 0xD800 && value <= 0xDFFF)
            return Common::fail(Common::ErrorCode::InvalidInput, "\\u escape of a lone surrogate", long(i));
        appendUtf8(out, value);
        i += 1 + digits;
    }
    return out;
}

QJsonObject gs1MessageJson(const Common::Barcode::Gs1Message &message)
{
    QJsonArray elements;
    for (const auto &element : message.elements) {
        QJsonObject item{{QStringLiteral("ai"), fromStd(element.ai)},
                         {QStringLiteral("value"), fromStd(element.value)}};
        if (element.decimals >= 0)
            item.insert(QStringLiteral("decimals"), element.decimals);
        elements.append(item);
    }
    QJsonObject json{{QStringLiteral("elements"), elements}, {QStringLiteral("hri"), fromStd(message.toBracketed())}};
    if (const auto gtin = message.gtin())
        json.insert(QStringLiteral("gtin"), fromStd(*gtin));
    if (const auto lot = message.lot())
        json.insert(QStringLiteral("lot"), fromStd(*lot));
    if (const auto serial = message.serial())
        json.insert(QStringLiteral("serial"), fromStd(*serial));
    if (const auto sscc = message.sscc())
        json.insert(QStringLiteral("sscc"), fromStd(*sscc));
    if (const auto expiry = message.expiry())
        json.insert(QStringLiteral("expiry"), isoDate(*expiry));
    if (const auto count = message.count())
        json.insert(QStringLiteral("count"), qint64(*count));
    return json;
}

QJsonObject errorJson(const Common::Error &error)
{
    QJsonObject json{{QStringLiteral("error"), fromStd(error.message)},
                     {QStringLiteral("code"), fromStd(std::string(Common::errorCodeName(error.code)))}};
    if (error.position >= 0)
        json.insert(QStringLiteral("position"), qint64(error.position));
    return json;
}

QJsonObject scanJson(const QString &file, const Client::Scanning::Scan &scan,
                     const Common::Barcode::Gs1Options &options)
{
    QJsonObject json{{QStringLiteral("file"), file},
                     {QStringLiteral("format"), fromStd(scan.format)},
                     {QStringLiteral("symbology"), fromStd(scan.symbologyIdentifier)},
                     {QStringLiteral("contentType"), fromStd(scan.contentType)},
                     {QStringLiteral("text"), scan.qtext()}};
    if (scan.gs1) {
        // The element string alone (the parser accepts it unprefixed), so that an error's position
        // and message count in the "text" printed beside it.
        json.insert(QStringLiteral("gs1"), gs1Json(scan.text, options));
    } else {
        json.insert(QStringLiteral("gs1"), QJsonValue::Null);
    }
    const bool productSymbology = scan.format == "EAN-13" || scan.format == "EAN-8" || scan.format == "UPC-A" ||
                                  (scan.format == "ITF" && scan.text.size() == 14);
    if (productSymbology) {
        if (const auto code = Common::Barcode::classifyProductCode(scan.text)) {
            json.insert(QStringLiteral("gtin"), fromStd(code->gtin14));
            json.insert(QStringLiteral("productFormat"), productFormatName(code->format));
        }
    }
    QJsonArray corners;
    for (const QPoint &corner : scan.position)
        corners.append(QJsonArray{corner.x(), corner.y()});
    json.insert(QStringLiteral("corners"), corners);
    return json;
}

QJsonObject scannerTextJson(const QString &input, const Common::Barcode::Gs1Options &options)
{
    // An input too long to parse is not echoed whole: a person reads the reason, not 130 KB.
    const bool tooLong = static_cast<std::size_t>(input.size()) > maxTextBytes;
    QJsonObject json{{QStringLiteral("input"), tooLong ? input.left(64) + QStringLiteral("…") : input}};
    if (tooLong)
        json.insert(QStringLiteral("input_length"), input.size());
    const auto unescaped = unescapeScannerText(input.toStdString());
    if (!unescaped) {
        json.insert(QStringLiteral("kind"), QJsonValue::Null);
        insertAll(json, errorJson(unescaped.error()));
        return json;
    }
    const std::string &text = *unescaped;
    json.insert(QStringLiteral("text"), fromStd(text));
    json.insert(QStringLiteral("gs1"), QJsonValue::Null);
    if (text.empty()) {
        json.insert(QStringLiteral("kind"), QJsonValue::Null);
        json.insert(QStringLiteral("error"), QStringLiteral("empty text"));
        json.insert(QStringLiteral("code"), QStringLiteral("invalid_input"));
        return json;
    }

    const std::string identifier = text.size() >= 3 && text.front() == ']' ? text.substr(0, 3) : std::string();
    json.insert(QStringLiteral("symbology"), identifier.empty() ? QJsonValue(QJsonValue::Null) : fromStd(identifier));
    const std::string body = text.substr(identifier.size());
    const auto markGtin = [&json](const Common::Barcode::ProductCode &code) {
        json.insert(QStringLiteral("kind"), QStringLiteral("gtin"));
        json.insert(QStringLiteral("gtin"), fromStd(code.gtin14));
        json.insert(QStringLiteral("productFormat"), productFormatName(code.format));
    };

    // 1. The scanner said what it read (AIM identifiers switched on).
    if (!identifier.empty()) {
        if (Common::Barcode::isGs1SymbologyIdentifier(identifier)) {
            json.insert(QStringLiteral("kind"), QStringLiteral("gs1"));
            json.insert(QStringLiteral("gs1"), gs1Json(text, options));
            return json;
        }
        if (identifier == "]E0" || identifier == "]E4" || identifier == "]I1" ||
            (identifier == "]I0" && body.size() == 14)) {
            const auto code = Common::Barcode::classifyProductCode(text);
            if (code) {
                markGtin(*code);
            } else {
                json.insert(QStringLiteral("kind"), QStringLiteral("gtin"));
                insertAll(json, errorJson(code.error()));
            }
            return json;
        }
        json.insert(QStringLiteral("kind"), QStringLiteral("text"));
        return json;
    }

    // 2. Bare text: GS1 when it looks like GS1 (brackets, separators), a GTIN when it is one.
    const bool hasSeparator = text.find(Common::Barcode::kGroupSeparator) != std::string::npos ||
                              (options.gsSubstitute != '\0' && text.find(options.gsSubstitute) != std::string::npos);
    if (text.front() == '(' || hasSeparator) {
        json.insert(QStringLiteral("kind"), QStringLiteral("gs1"));
        json.insert(QStringLiteral("gs1"), gs1Json(text, options));
        return json;
    }
    if (isDigits(text)) {
        if (const auto code = Common::Barcode::classifyProductCode(text)) {
            markGtin(*code);
            return json;
        }
        // A GS1-128 read by a scanner that drops FNC1 and sends no identifier ("0104912345678904…").
        if (text.size() >= 16) {
            if (const auto message = Common::Barcode::parseGs1(text, options)) {
                json.insert(QStringLiteral("kind"), QStringLiteral("gs1"));
                json.insert(QStringLiteral("gs1"), gs1MessageJson(*message));
                return json;
            }
        }
        // 12 digits with a wrong GS1 check digit are often a carrier tracking number, not a typo.
        json.insert(QStringLiteral("note"), QStringLiteral("digits, but neither a valid GTIN nor GS1 data"));
    }
    json.insert(QStringLiteral("kind"), QStringLiteral("text"));
    return json;
}

bool hasError(const QJsonObject &line)
{
    return line.contains(QStringLiteral("error")) ||
           line.value(QStringLiteral("gs1")).toObject().contains(QStringLiteral("error"));
}

QByteArray toJsonLine(const QJsonObject &line)
{
    return QJsonDocument(line).toJson(QJsonDocument::Compact);
}

} // namespace Client::Tools
