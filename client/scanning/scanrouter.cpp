#include "client/scanning/scanrouter.h"

#include <QDate>
#include <QLoggingCategory>

#include "client/scanning/scansource.h"

Q_LOGGING_CATEGORY(lcScan, "soko.scan")

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

// GS1 mod-10 check digit over every digit but the last (GS1 General Specifications §7.9.1).
bool hasValidCheckDigit(QStringView digits)
{
    int sum = 0;
    int weight = 3;
    for (qsizetype i = digits.size() - 2; i >= 0; --i) {
        sum += (digits[i].unicode() - '0') * weight;
        weight = weight == 3 ? 1 : 3;
    }
    return (10 - sum % 10) % 10 == digits.back().unicode() - '0';
}

// GTIN-8/12/13/14 → GTIN-14 (left-padded with zeros), or empty when not a valid GTIN.
QString toGtin14(QStringView digits)
{
    const auto size = digits.size();
    if (!allDigits(digits) || (size != 8 && size != 12 && size != 13 && size != 14) || !hasValidCheckDigit(digits))
        return {};
    return QString(14 - size, QLatin1Char('0')) + digits.toString();
}

// YYMMDD (GS1 §7.12: century by the sliding window, DD 00 = last day of the month) → ISO date.
QString gs1DateToIso(const QString &yymmdd)
{
    const int yy = yymmdd.left(2).toInt();
    const int month = yymmdd.mid(2, 2).toInt();
    const int day = yymmdd.mid(4, 2).toInt();
    const int thisYear = QDate::currentDate().year();
    int year = thisYear / 100 * 100 + yy;
    if (year - thisYear > 50)
        year -= 100;
    else if (thisYear - year > 49)
        year += 100;
    if (month < 1 || month > 12)
        return {};
    QDate date(year, month, day == 0 ? 1 : day);
    if (day == 0)
        date = QDate(year, month, date.daysInMonth());
    return date.isValid() ? date.toString(Qt::ISODate) : QString();
}

struct AiRule
{
    const char *ai;
    int fixedLength;   // data length when fixed, 0 when variable
    int maxLength;
    bool numeric;
};

// The AIs a picking terminal acts on. Others are refused by name so the operator learns why.
const AiRule s_rules[] = {
    {"00", 18, 18, true}, {"01", 14, 14, true}, {"02", 14, 14, true}, {"10", 0, 20, false},
    {"11", 6, 6, true},   {"13", 6, 6, true},   {"15", 6, 6, true},   {"16", 6, 6, true},
    {"17", 6, 6, true},   {"20", 2, 2, true},   {"21", 0, 20, false}, {"30", 0, 8, true},
    {"37", 0, 8, true},   {"240", 0, 30, false}, {"400", 0, 30, false},
};

const AiRule *findRule(QStringView text)
{
    for (const AiRule &rule : s_rules) {
        if (text.startsWith(QLatin1String(rule.ai)))
            return &rule;
    }
    return nullptr;
}

bool storeField(ClassifiedScan &scan, const AiRule &rule, const QString &value, qsizetype position)
{
    auto fail = [&](const QString &why) {
        scan.error = QStringLiteral("AI (%1) %2 at %3").arg(QLatin1String(rule.ai), why).arg(position);
        return false;
    };
    if (value.isEmpty() || value.size() > rule.maxLength || (rule.fixedLength && value.size() != rule.fixedLength))
        return fail(QStringLiteral("has a bad length"));
    if (rule.numeric && !allDigits(value))
        return fail(QStringLiteral("must be numeric"));
    const QLatin1String ai(rule.ai);
    if ((ai == QLatin1String("00") || ai == QLatin1String("01") || ai == QLatin1String("02"))
        && !hasValidCheckDigit(value))
        return fail(QStringLiteral("has a wrong check digit"));
    if (ai == QLatin1String("01") || ai == QLatin1String("02"))
        scan.gtin = value;
    else if (ai == QLatin1String("00"))
        scan.code = value;
    else if (ai == QLatin1String("10"))
        scan.lot = value;
    else if (ai == QLatin1String("21"))
        scan.serial = value;
    else if (ai == QLatin1String("30") || ai == QLatin1String("37"))
        scan.count = value.toLongLong();
    else if (ai == QLatin1String("17")) {
        scan.expiry = gs1DateToIso(value);
        if (scan.expiry.isEmpty())
            return fail(QStringLiteral("is not a date"));
    }
    return true;
}

// GS1 element string, bracketed "(01)…(10)…" or raw with GS separators (GS1 General
// Specifications §7.8). Interim parser until common/barcode's parseGs1 is merged.
bool parseGs1(QString body, ClassifiedScan &scan)
{
    if (body.startsWith(QLatin1Char('('))) {
        qsizetype position = 0;
        while (position < body.size()) {
            const qsizetype close = body.indexOf(QLatin1Char(')'), position);
            if (body.at(position) != QLatin1Char('(') || close < 0) {
                scan.error = QStringLiteral("bracketed AI expected at %1").arg(position);
                return false;
            }
            const QString ai = body.mid(position + 1, close - position - 1);
            const AiRule *rule = findRule(ai);
            if (!rule || ai != QLatin1String(rule->ai)) {
                scan.error = QStringLiteral("unknown AI (%1) at %2").arg(ai).arg(position);
                return false;
            }
            qsizetype next = body.indexOf(QLatin1Char('('), close + 1);
            if (next < 0)
                next = body.size();
            if (!storeField(scan, *rule, body.mid(close + 1, next - close - 1), close + 1))
                return false;
            position = next;
        }
        return true;
    }
    if (body.startsWith(s_gs))
        body.remove(0, 1);
    qsizetype position = 0;
    while (position < body.size()) {
        const AiRule *rule = findRule(QStringView(body).mid(position));
        if (!rule) {
            scan.error = QStringLiteral("unknown AI at %1").arg(position);
            return false;
        }
        const qsizetype start = position + qsizetype(qstrlen(rule->ai));
        qsizetype end = 0;
        if (rule->fixedLength) {
            end = start + rule->fixedLength;
            if (end > body.size()) {
                scan.error = QStringLiteral("AI (%1) is cut short at %2").arg(QLatin1String(rule->ai)).arg(start);
                return false;
            }
        } else {
            end = body.indexOf(s_gs, start);
            if (end < 0)
                end = body.size();
        }
        if (!storeField(scan, *rule, body.mid(start, end - start), start))
            return false;
        position = end;
        if (position < body.size() && body.at(position) == s_gs)
            ++position;
    }
    return true;
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
    if (text.size() >= 3 && text.at(0) == QLatin1Char(']')) {
        aim = text.left(3);
        text.remove(0, 3);
    }
    scan.code = text;
    static const QStringList gs1Identifiers{QStringLiteral("]C1"), QStringLiteral("]e0"), QStringLiteral("]d2"),
                                            QStringLiteral("]Q3"), QStringLiteral("]J1")};
    const bool gs1ByAim = gs1Identifiers.contains(aim);
    const bool looksGs1 = gs1ByAim || (aim.isEmpty() && (text.startsWith(QLatin1Char('(')) || text.contains(s_gs)));
    if (looksGs1) {
        scan.code.clear(); // AI 00 fills it with the SSCC
        if (!parseGs1(text, scan)) {
            scan.code = text;
            scan.kind = ScanKind::Unknown;
            return scan;
        }
        if (!scan.gtin.isEmpty()) {
            scan.kind = ScanKind::Item;
            scan.code = scan.gtin;
        } else if (!scan.code.isEmpty()) {
            scan.kind = ScanKind::Container;
        } else {
            scan.code = text;
            scan.error = QStringLiteral("GS1 data without GTIN or SSCC");
        }
        return scan;
    }
    if (event.symbology.compare(QLatin1String("Codabar"), Qt::CaseInsensitive) == 0 || aim.startsWith(QLatin1String("]F"))
        || isCodabar(text)) {
        scan.kind = ScanKind::Tracking;
        if (isCodabar(text))
            scan.code = text.mid(1, text.size() - 2); // NW-7 start/stop characters are not data
        return scan;
    }
    if (allDigits(text)) {
        if (const QString gtin = toGtin14(text); !gtin.isEmpty()) {
            scan.kind = ScanKind::Item;
            scan.gtin = gtin;
            scan.code = gtin;
            return scan;
        }
        if (text.size() >= 10 && text.size() <= 22) {
            scan.kind = ScanKind::Tracking;
            return scan;
        }
    }
    if (patterns.location.match(text).hasMatch())
        scan.kind = ScanKind::Location;
    else if (patterns.badge.match(text).hasMatch())
        scan.kind = ScanKind::Badge;
    else if (patterns.order.match(text).hasMatch())
        scan.kind = ScanKind::Order;
    return scan;
}
