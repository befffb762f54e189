#include "client/scanning/scanrouter.h"

#include <QDate>
#include <QLoggingCategory>

#include "client/scanning/scansource.h"
#include "common/barcode/gs1.h"
#include "common/barcode/gtin.h"

Q_LOGGING_CATEGORY(lcScan, "soko.scan", QtInfoMsg)

namespace {

constexpr QChar s_gs(0x1d);

bool allDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

QString isoDate(const Common::Domain::Date &date)
{
    return QDate(date.year, date.month, date.day).toString(Qt::ISODate);
}

// GS1 element string (GS1 General Specifications §7.8) through common/barcode.
void classifyGs1(const QString &text, ClassifiedScan &scan)
{
    const QByteArray utf8 = text.toUtf8();
    const auto message = Common::Barcode::parseGs1(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    if (!message) {
        scan.error = QString::fromStdString(message.error().describe());
        return;
    }
    if (const auto gtin = message->gtin()) {
        scan.kind = ScanKind::Item;
        scan.gtin = QString::fromStdString(*gtin);
        scan.code = scan.gtin;
    } else if (const auto sscc = message->sscc()) {
        scan.kind = ScanKind::Container;
        scan.code = QString::fromStdString(*sscc);
    } else {
        scan.error = QStringLiteral("GS1 data without GTIN or SSCC");
        return;
    }
    if (const auto lot = message->lot())
        scan.lot = QString::fromStdString(*lot);
    if (const auto serial = message->serial())
        scan.serial = QString::fromStdString(*serial);
    if (const auto expiry = message->expiry())
        scan.expiry = isoDate(*expiry);
    if (const auto count = message->count())
        scan.count = *count;
}

bool isCodabar(const QString &text)
{
    static const QRegularExpression codabar(QStringLiteral("^[A-D][0-9$:/.+-]{6,30}[A-D]$"));
    return codabar.match(text).hasMatch();
}

} // namespace

ScanRouter::ScanRouter(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ScanEvent>();
}

void ScanRouter::addSource(ScanSource *source)
{
    connect(source, &ScanSource::scanned, this, &ScanRouter::route);
}

void ScanRouter::route(const ScanEvent &event)
{
    const ClassifiedScan scan = classify(event, m_patterns);
    qCDebug(lcScan) << "scan kind" << int(scan.kind) << "from" << int(event.origin);
    Q_EMIT routed(scan);
    if (m_consumer)
        m_consumer->handleScan(scan);
    else
        Q_EMIT unhandled(scan);
}

ClassifiedScan ScanRouter::classify(const ScanEvent &event, const ScanPatterns &patterns)
{
    ClassifiedScan scan;
    scan.event = event;
    QString text = event.text;
    text.remove(QLatin1Char('\r')).remove(QLatin1Char('\n'));
    text = text.trimmed();
    QString aim;
    if (text.size() >= 3 && text.at(0) == QLatin1Char(']'))
        aim = text.left(3);
    const QString body = text.mid(aim.size());
    scan.code = body;
    const QByteArray aimLatin1 = aim.toLatin1();
    const bool gs1ByAim = Common::Barcode::isGs1SymbologyIdentifier(std::string_view(aimLatin1.constData(),
                                                                                      std::size_t(aimLatin1.size())));
    if (gs1ByAim || (aim.isEmpty() && (body.startsWith(QLatin1Char('(')) || body.contains(s_gs)))) {
        classifyGs1(text, scan);
        return scan;
    }
    if (event.symbology.compare(QLatin1String("Codabar"), Qt::CaseInsensitive) == 0
        || aim.startsWith(QLatin1String("]F")) || isCodabar(body)) {
        scan.kind = ScanKind::Tracking;
        if (isCodabar(body))
            scan.code = body.mid(1, body.size() - 2); // NW-7 start/stop characters are not data
        return scan;
    }
    if (allDigits(body)) {
        const QByteArray latin1 = text.toLatin1();
        if (const auto product = Common::Barcode::classifyProductCode(
                std::string_view(latin1.constData(), std::size_t(latin1.size())))) {
            scan.kind = ScanKind::Item;
            scan.gtin = QString::fromStdString(product->gtin14);
            scan.code = scan.gtin;
            return scan;
        }
        if (body.size() >= 10 && body.size() <= 22) {
            scan.kind = ScanKind::Tracking;
            return scan;
        }
    }
    text = body;
    if (patterns.location.match(text).hasMatch())
        scan.kind = ScanKind::Location;
    else if (patterns.badge.match(text).hasMatch())
        scan.kind = ScanKind::Badge;
    else if (patterns.order.match(text).hasMatch())
        scan.kind = ScanKind::Order;
    return scan;
}
