#include <QFile>
#include <QTest>

#include "common/barcode/gs1.h"
#include "common/barcode/gs1aitable.h"
#include "tests/support/testdata.h"

using Common::ErrorCode;
using Common::Barcode::Gs1Options;
using Common::Barcode::parseGs1;
using Common::Domain::Date;

Q_DECLARE_METATYPE(Common::ErrorCode)

namespace {

// The reference "today" for every row whose dates go through the century rule.
constexpr Date kToday{2025, 6, 1};

QByteArray decodeEscapes(const QByteArray &cell)
{
    // vectors.tsv escapes only control characters, as \xHH (its README).
    QByteArray out;
    for (qsizetype i = 0; i < cell.size(); ++i) {
        if (cell.at(i) == '\\' && i + 3 < cell.size() + 0 && cell.at(i + 1) == 'x') {
            bool ok = false;
            const int byte = cell.mid(i + 2, 2).toInt(&ok, 16);
            if (ok) {
                out.append(static_cast<char>(byte));
                i += 3;
                continue;
            }
        }
        out.append(cell.at(i));
    }
    return out;
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

QString joined(const Common::Barcode::Gs1Message &message)
{
    QStringList parts;
    for (const auto &element : message.elements)
        parts << QString::fromStdString(element.ai + "=" + element.value);
    return parts.join(QLatin1Char('|'));
}

// Which of our codes a vector's human-readable reason may map to; empty = the reason is unknown to
// this test (a new vector needs a decision, so the row fails).
QList<ErrorCode> codesForReason(const QString &reason)
{
    const auto has = [&](const char *text) { return reason.contains(QLatin1String(text)); };
    if (has("separator required"))
        return {ErrorCode::MissingSeparator};
    if (has("bad check digit"))
        return {ErrorCode::BadCheckDigit};
    if (has("too short") || has("too long") || has("empty value"))
        return {ErrorCode::BadLength};
    if (has("non-numeric") || has("illegal character") || has("non-ASCII") || has(": space"))
        return {ErrorCode::BadCharacter};
    if (has("invalid month") || has("invalid day"))
        return {ErrorCode::BadDate};
    if (has("not GS1"))
        return {ErrorCode::NotGs1};
    if (has("bad bracket"))
        return {ErrorCode::InvalidInput, ErrorCode::UnknownAi};
    if (has("unknown"))
        return {ErrorCode::UnknownAi};
    if (has("empty") || has("unterminated"))
        return {ErrorCode::InvalidInput};
    return {};
}

} // namespace

// GS1 element strings (GS1 General Specifications §3, §7.8, §7.12): the shared vectors, then rules.
class TestGs1 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vectors_data();
    void vectors();
    void centuryRule_data();
    void centuryRule();
    void dates_data();
    void dates();
    void decimals_data();
    void decimals();
    void errorPositions_data();
    void errorPositions();
    void accessors();
    void bracketedForm();
    void substituteOnlyWhenConfigured();
    void limits();
    void checkCharacterPair();
    void noiseNeverBreaksTheParser();
};

void TestGs1::vectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("options");
    QFile file(TestSupport::testDataPath(QStringLiteral("gs1/vectors.tsv")));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.value(0), QByteArray("input\texpected\twhy\toptions"));
    int rows = 0;
    for (qsizetype number = 1; number < lines.size(); ++number) {
        if (lines.at(number).isEmpty())
            continue;
        const QList<QByteArray> cells = lines.at(number).split('\t');
        QVERIFY2(cells.size() == 4,
                 qPrintable(QStringLiteral("line %1 has %2 cells").arg(number + 1).arg(cells.size())));
        QTest::addRow("line %d", static_cast<int>(number + 1))
            << decodeEscapes(cells.at(0)) << QString::fromUtf8(cells.at(1)) << QString::fromUtf8(cells.at(3));
        ++rows;
    }
    QCOMPARE(rows, 74); // the README's count: a truncated read must not pass quietly
}

void TestGs1::vectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    QFETCH(QString, options);

    Gs1Options parserOptions;
    parserOptions.today = kToday;
    if (!options.isEmpty()) {
        QVERIFY2(options.startsWith(QLatin1String("gs_substitute=")) && options.size() == 15, qPrintable(options));
        parserOptions.gsSubstitute = options.back().toLatin1();
    }
    const auto result = parseGs1(view(input), parserOptions);
    if (!expected.startsWith(QLatin1String("ERROR:"))) {
        QVERIFY2(result.has_value(), result ? "" : result.error().describe().c_str());
        QCOMPARE(joined(*result), expected);
        return;
    }
    QVERIFY2(!result.has_value(), qPrintable(QStringLiteral("parsed as %1").arg(result ? joined(*result) : QString())));
    const QString reason = expected.mid(6);
    const QList<ErrorCode> allowed = codesForReason(reason);
    QVERIFY2(!allowed.isEmpty(), qPrintable(QStringLiteral("no error code mapped for reason: ") + reason));
    const Common::Error &error = result.error();
    QVERIFY2(allowed.contains(error.code),
             qPrintable(QStringLiteral("reason '%1' but got %2: %3")
                            .arg(reason, QString::fromUtf8(Common::errorCodeName(error.code).data()),
                                 QString::fromStdString(error.message))));
    QVERIFY(!error.message.empty());
    if (!input.isEmpty()) {
        QVERIFY2(error.position >= 0 && error.position <= input.size(), error.describe().c_str());
    }
    // "bad check digit (01)", "too short (3103)": the message names the AI.
    static const QRegularExpression aiInReason(QStringLiteral("\\((\\d{2,4})\\)"));
    const auto match = aiInReason.match(reason);
    if (match.hasMatch() && error.code != ErrorCode::UnknownAi) {
        const std::string ai = "AI " + match.captured(1).toStdString();
        QVERIFY2(error.message.find(ai) != std::string::npos, error.message.c_str());
    } else if (match.hasMatch()) {
        QVERIFY2(error.message.find(match.captured(1).toStdString()) != std::string::npos, error.message.c_str());
    }
}

void TestGs1::centuryRule_data()
{
    QTest::addColumn<int>("yy");
    QTest::addColumn<int>("todayYear");
    QTest::addColumn<int>("year");
    QTest::newRow("same year") << 26 << 2026 << 2026;
    QTest::newRow("+50 stays ahead") << 76 << 2026 << 2076;
    QTest::newRow("+51 goes back a century") << 77 << 2026 << 1977;
    QTest::newRow("-49 stays behind") << 77 << 2026 << 1977;
    QTest::newRow("00 in 2026") << 0 << 2026 << 2000;
    QTest::newRow("99 in 2026") << 99 << 2026 << 1999;
    QTest::newRow("-50 goes to next century") << 0 << 2050 << 2100;
    QTest::newRow("-49 in 2050") << 1 << 2050 << 2001;
    QTest::newRow("99 in 2050") << 99 << 2050 << 2099;
    QTest::newRow("49 in 1999") << 49 << 1999 << 2049;
    QTest::newRow("50 in 1999") << 50 << 1999 << 1950;
}

void TestGs1::centuryRule()
{
    QFETCH(int, yy);
    QFETCH(int, todayYear);
    QFETCH(int, year);
    QCOMPARE(Common::Barcode::resolveGs1Year(yy, Date{todayYear, 7, 1}), year);
}

void TestGs1::dates_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("todayYear");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Date>("date");
    QTest::newRow("17 DD=00 Feb non-leap") << QByteArray("17250200") << 2025 << true << Date{2025, 2, 28};
    QTest::newRow("17 DD=00 Feb leap") << QByteArray("17240200") << 2025 << true << Date{2024, 2, 29};
    QTest::newRow("17 DD=00 Dec") << QByteArray("17251200") << 2025 << true << Date{2025, 12, 31};
    QTest::newRow("15 DD=00 Apr") << QByteArray("15250400") << 2025 << true << Date{2025, 4, 30};
    QTest::newRow("17 29 Feb 2000 (yy 00 → 2000)") << QByteArray("17000229") << 2026 << true << Date{2000, 2, 29};
    QTest::newRow("17 29 Feb 2100 (yy 00 → 2100)") << QByteArray("17000229") << 2050 << false << Date{};
    QTest::newRow("17 29 Feb 2028") << QByteArray("17280229") << 2025 << true << Date{2028, 2, 29};
    QTest::newRow("17 29 Feb 2128 via window") << QByteArray("17280229") << 2080 << true << Date{2128, 2, 29};
    QTest::newRow("17 31 Apr") << QByteArray("17250431") << 2025 << false << Date{};
    QTest::newRow("17 day 32") << QByteArray("17250132") << 2025 << false << Date{};
    QTest::newRow("17 month 00") << QByteArray("17250010") << 2025 << false << Date{};
    QTest::newRow("7006 yymmdd DD=00") << QByteArray("7006250100") << 2025 << false << Date{};
    QTest::newRow("7006 yymmdd ok") << QByteArray("7006250131") << 2025 << true << Date{2025, 1, 31};
    QTest::newRow("4326 yymmdd DD=00") << QByteArray("4326250300") << 2025 << false << Date{};
    QTest::newRow("7003 time 24:00") << QByteArray("70032501012400") << 2025 << false << Date{};
    QTest::newRow("7003 time 23:59") << QByteArray("70032501012359") << 2025 << true << Date{2025, 1, 1};
    QTest::newRow("7250 yyyymmdd") << QByteArray("725019960229") << 2025 << true << Date{1996, 2, 29};
    QTest::newRow("7250 yyyymmdd 1900 not leap") << QByteArray("725019000229") << 2025 << false << Date{};
}

void TestGs1::dates()
{
    QFETCH(QByteArray, input);
    QFETCH(int, todayYear);
    QFETCH(bool, valid);
    QFETCH(Date, date);
    Gs1Options options;
    options.today = Date{todayYear, 6, 1};
    const auto result = parseGs1(view(input), options);
    if (!valid) {
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadDate);
        return;
    }
    QVERIFY2(result, result ? "" : result.error().describe().c_str());
    QCOMPARE(result->elements.size(), std::size_t(1));
    QVERIFY(result->elements.front().date.has_value());
    QCOMPARE(*result->elements.front().date, date);
    if (input.startsWith("17"))
        QCOMPARE(result->expiry(), std::optional<Date>(date));
}

void TestGs1::decimals_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("decimals");
    QTest::newRow("3100 kg") << QByteArray("3100001250") << 0;
    QTest::newRow("3103 kg") << QByteArray("3103001250") << 3;
    QTest::newRow("3105 kg") << QByteArray("3105001250") << 5;
    QTest::newRow("3695 yd3") << QByteArray("3695000001") << 5;
    QTest::newRow("3922 price") << QByteArray("39221500") << 2;
    QTest::newRow("3932 price with currency") << QByteArray("39323921500") << 2;
    QTest::newRow("37 count") << QByteArray("3712") << -1;
    QTest::newRow("01 GTIN") << QByteArray("0109501101530003") << -1;
}

void TestGs1::decimals()
{
    QFETCH(QByteArray, input);
    QFETCH(int, decimals);
    const auto result = parseGs1(view(input));
    QVERIFY2(result, result ? "" : result.error().describe().c_str());
    QCOMPARE(result->elements.front().decimals, decimals);
    QCOMPARE(QByteArray::fromStdString(result->elements.front().ai + result->elements.front().value), input);
}

void TestGs1::errorPositions_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<char>("substitute");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<int>("position");
    QTest::newRow("GTIN check digit") << QByteArray("]C10109501101530004") << '\0' << ErrorCode::BadCheckDigit << 18;
    QTest::newRow("letter O in GTIN") << QByteArray("]C10109501101530O03") << '\0' << ErrorCode::BadCharacter << 16;
    QTest::newRow("month 13") << QByteArray("]C1010950110153000317251301") << '\0' << ErrorCode::BadDate << 23;
    QTest::newRow("day 30 Feb") << QByteArray("]C1010950110153000317250230") << '\0' << ErrorCode::BadDate << 25;
    QTest::newRow("422 without GS") << QByteArray("]C1010950110153000342239210ABC") << '\0'
                                    << ErrorCode::MissingSeparator << 25;
    QTest::newRow("lot 21 chars") << QByteArray("0109501101530003\x1d"
                                                "10ABCDEFGHIJ0123456789X")
                                  << '\0' << ErrorCode::BadLength << 39;
    QTest::newRow("tilde without option")
        << QByteArray("010950110153000310ABC~17250101") << '\0' << ErrorCode::BadCharacter << 21;
    QTest::newRow("substitute keeps positions")
        << QByteArray("]C1010950110153000310ABC~17251301") << '~' << ErrorCode::BadDate << 29;
    QTest::newRow("unknown AI after 01") << QByteArray("]C101095011015300038912") << '\0' << ErrorCode::UnknownAi << 19;
    QTest::newRow("incomplete AI") << QByteArray("]C101095011015300031") << '\0' << ErrorCode::UnknownAi << 19;
    QTest::newRow("16 too short") << QByteArray("]C1168901") << '\0' << ErrorCode::BadLength << 9;
    QTest::newRow("empty value") << QByteArray("10\x1d"
                                               "21A")
                                 << '\0' << ErrorCode::BadLength << 2;
    QTest::newRow("double GS") << QByteArray("10A\x1d\x1d"
                                             "21A")
                               << '\0' << ErrorCode::InvalidInput << 4;
    QTest::newRow("HRI space") << QByteArray("(01) 09501101530003") << '\0' << ErrorCode::BadCharacter << 4;
    QTest::newRow("HRI unknown AI") << QByteArray("(01)09501101530003(8101)1") << '\0' << ErrorCode::UnknownAi << 19;
    QTest::newRow("HRI unterminated") << QByteArray("(01)09501101530003(17250101") << '\0' << ErrorCode::InvalidInput
                                      << 18;
    QTest::newRow("full-width digit") << QByteArray("01\xef\xbc\x90") << '\0' << ErrorCode::BadCharacter << 2;
    QTest::newRow("SSCC check digit") << QByteArray("00106141411234567898") << '\0' << ErrorCode::BadCheckDigit << 19;
    QTest::newRow("8006 piece of total") << QByteArray("8006095011015300030302") << '\0' << ErrorCode::InvalidInput
                                         << 18;
    QTest::newRow("not GS1 EAN-13") << QByteArray("]E04901234567894") << '\0' << ErrorCode::NotGs1 << 0;
}

void TestGs1::errorPositions()
{
    QFETCH(QByteArray, input);
    QFETCH(char, substitute);
    QFETCH(ErrorCode, code);
    QFETCH(int, position);
    Gs1Options options;
    options.gsSubstitute = substitute;
    options.today = kToday;
    const auto result = parseGs1(view(input), options);
    QVERIFY(!result);
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().position, long(position));
    // The message says where, so the operator can be told which character is wrong.
    QVERIFY2(result.error().message.find(std::to_string(position)) != std::string::npos,
             result.error().message.c_str());
}

void TestGs1::accessors()
{
    Gs1Options options;
    options.today = kToday;
    const auto label = parseGs1("]C1"
                                "00106141411234567897"
                                "0209501101530003"
                                "3712\x1d"
                                "17250200"
                                "10LOT1\x1d"
                                "21SN9\x1d"
                                "30000042",
                                options);
    QVERIFY2(label, label ? "" : label.error().describe().c_str());
    QCOMPARE(label->symbologyIdentifier, std::string("]C1"));
    QCOMPARE(label->sscc(), std::optional<std::string>("106141411234567897"));
    QCOMPARE(label->gtin(), std::optional<std::string>("09501101530003")); // 02 when 01 is absent
    QCOMPARE(label->lot(), std::optional<std::string>("LOT1"));
    QCOMPARE(label->serial(), std::optional<std::string>("SN9"));
    QCOMPARE(label->expiry(), std::optional<Date>(Date{2025, 2, 28}));
    QCOMPARE(label->count(), std::optional<std::int64_t>(42)); // 30 before 37
    QCOMPARE(label->value("37"), std::optional<std::string>("12"));
    QCOMPARE(label->value("400"), std::optional<std::string>());

    const auto bare = parseGs1("0109501101530003");
    QVERIFY(bare);
    QVERIFY(bare->symbologyIdentifier.empty());
    QCOMPARE(bare->gtin(), std::optional<std::string>("09501101530003"));
    QVERIFY(!bare->expiry() && !bare->count() && !bare->lot() && !bare->sscc());

    // 37 alone is the count; the DataBar identifier is kept.
    const auto counted = parseGs1("]e0"
                                  "0209501101530003"
                                  "3712");
    QVERIFY(counted);
    QCOMPARE(counted->count(), std::optional<std::int64_t>(12));
    QCOMPARE(counted->symbologyIdentifier, std::string("]e0"));
    QVERIFY(Common::Barcode::isGs1SymbologyIdentifier("]J1"));
    QVERIFY(!Common::Barcode::isGs1SymbologyIdentifier("]C0"));
}

void TestGs1::bracketedForm()
{
    const auto fromHri = parseGs1("(01)09501101530003(17)250101(10)AB\\(C\\)(21)X");
    QVERIFY2(fromHri, fromHri ? "" : fromHri.error().describe().c_str());
    QCOMPARE(fromHri->lot(), std::optional<std::string>("AB(C)"));
    QCOMPARE(fromHri->toBracketed(), std::string("(01)09501101530003(17)250101(10)AB\\(C\\)(21)X"));

    // The same data as an element string gives the same elements, and the bracketed text round-trips.
    const auto fromScan = parseGs1("]d2"
                                   "010950110153000317250101"
                                   "10AB(C)\x1d"
                                   "21X");
    QVERIFY(fromScan);
    QCOMPARE(fromScan->elements, fromHri->elements);
    const auto again = parseGs1(fromScan->toBracketed());
    QVERIFY(again);
    QCOMPARE(again->elements, fromScan->elements);

    // In HRI the length is exact: no predefined-length split, so a 13-digit (01) is too short.
    const auto short01 = parseGs1("(01)4901234567894");
    QVERIFY(!short01);
    QCOMPARE(short01.error().code, ErrorCode::BadLength);
    const auto empty = parseGs1("(10)(21)X");
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::BadLength);
}

void TestGs1::substituteOnlyWhenConfigured()
{
    Gs1Options pipe;
    pipe.gsSubstitute = '|';
    const auto mapped = parseGs1("]Q3"
                                 "010950110153000321SER1|10LOT9|",
                                 pipe);
    QVERIFY2(mapped, mapped ? "" : mapped.error().describe().c_str());
    QCOMPARE(mapped->serial(), std::optional<std::string>("SER1"));
    QCOMPARE(mapped->lot(), std::optional<std::string>("LOT9"));
    // A leading substitute stands for the leading FNC1, like a leading GS.
    const auto leading = parseGs1("|0109501101530003", pipe);
    QVERIFY(leading);
    QCOMPARE(leading->gtin(), std::optional<std::string>("09501101530003"));
    // Without the option "|" is data, and illegal in set 82.
    const auto raw = parseGs1("]Q3"
                              "010950110153000321SER1|10LOT9");
    QVERIFY(!raw);
    QCOMPARE(raw.error().code, ErrorCode::BadCharacter);
    QCOMPARE(raw.error().position, 25L);
}

void TestGs1::limits()
{
    const std::string huge(Common::Barcode::kMaxGs1InputLength + 1, '9');
    const auto tooLarge = parseGs1(huge);
    QVERIFY(!tooLarge);
    QCOMPARE(tooLarge.error().code, ErrorCode::TooLarge);
    const auto onlyGs = parseGs1("\x1d");
    QVERIFY(!onlyGs);
    QCOMPARE(onlyGs.error().code, ErrorCode::InvalidInput);
    const auto truncatedId = parseGs1("]C");
    QVERIFY(!truncatedId);
    QCOMPARE(truncatedId.error().code, ErrorCode::InvalidInput);
    // 91 is X..90: 90 characters are fine, 91 are not.
    QVERIFY(parseGs1("91" + std::string(90, 'A')));
    const auto long91 = parseGs1("91" + std::string(91, 'A'));
    QVERIFY(!long91);
    QCOMPARE(long91.error().code, ErrorCode::BadLength);
    QCOMPARE(long91.error().position, 92L);
}

void TestGs1::checkCharacterPair()
{
    // GMN example of the GS1 General Specifications (AI 8013, check character pair "2K").
    QVERIFY(parseGs1("80131987654Ad4X4bL5ttr2310c2K"));
    for (const char *gmn :
         {"12345678901234567890123NT", "12345_ABCDEFGHIJKLMCP", "12345_0123456789:;<=>?62", "7907665Bm8v2AB", "!22"})
        QVERIFY2(parseGs1(std::string("8013") + gmn), gmn);
    const auto wrong = parseGs1("80131987654Ad4X4bL5ttr2310c2L");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::BadCheckDigit);
    // 8003 GRAI: leading N1 must be 0, then a GTIN-13-like N13 with check digit, then optional serial.
    QVERIFY(parseGs1("800300614141000012ABC"));
    const auto grai = parseGs1("800310614141000012ABC");
    QVERIFY(!grai);
    QCOMPARE(grai.error().code, ErrorCode::InvalidInput);
}

void TestGs1::noiseNeverBreaksTheParser()
{
    // Deterministic noise around real data: every result is either an error that says where, or elements
    // whose bracketed form parses back to the same elements.
    constexpr std::string_view kPieces[] = {"01",
                                            "09501101530003",
                                            "17",
                                            "250101",
                                            "10",
                                            "ABC",
                                            "21",
                                            "\x1d",
                                            "(",
                                            ")",
                                            "\\",
                                            "~",
                                            "3103",
                                            "001250",
                                            "422",
                                            "8200",
                                            "]C1",
                                            " ",
                                            "\xef",
                                            "00",
                                            "106141411234567897",
                                            "7003",
                                            "8003",
                                            "0",
                                            "9"};
    std::uint32_t state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    int parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string input;
        const int count = 1 + static_cast<int>(next() % 8);
        if (next() % 4 == 0)
            input = next() % 2 ? "]d2" : "(01)";
        for (int i = 0; i < count; ++i) {
            std::string_view piece = kPieces[next() % std::size(kPieces)];
            input += piece;
        }
        Gs1Options options;
        options.today = kToday;
        options.gsSubstitute = next() % 3 == 0 ? '~' : '\0';
        const auto result = parseGs1(input, options);
        if (!result) {
            QVERIFY(!result.error().message.empty());
            QVERIFY2(result.error().position >= -1 && result.error().position <= static_cast<long>(input.size()),
                     result.error().describe().c_str());
            QVERIFY(result.error().code != ErrorCode::Internal);
            continue;
        }
        ++parsed;
        QVERIFY(!result->elements.empty());
        const auto again = parseGs1(result->toBracketed(), options);
        QVERIFY2(again, (input + " -> " + result->toBracketed()).c_str());
        QCOMPARE(again->elements, result->elements);
    }
    QVERIFY(parsed > 100); // the noise must also reach the success path
}

QTEST_GUILESS_MAIN(TestGs1)
#include "tst_gs1.moc"
