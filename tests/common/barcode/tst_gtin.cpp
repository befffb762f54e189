#include <QTest>

#include "common/barcode/gtin.h"

using Common::ErrorCode;
using Common::Barcode::ProductCodeFormat;

Q_DECLARE_METATYPE(Common::ErrorCode)
Q_DECLARE_METATYPE(Common::Barcode::ProductCodeFormat)

namespace {

std::string toStd(const QString &text)
{
    return text.toStdString();
}

} // namespace

// GTIN/SSCC check digits (GS1 General Specifications §7.9.1), GTIN-14 normalisation, JAN, scanner text.
class TestGtin : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void checkDigit_data()
    {
        QTest::addColumn<QString>("digits");
        QTest::addColumn<int>("checkDigit");
        // Published examples: GS1 GTIN-14, JAN, EAN-8, UPC-A, SSCC, GLN.
        QTest::newRow("GTIN-14") << QStringLiteral("0950110153000") << 3;
        QTest::newRow("JAN") << QStringLiteral("490123456789") << 4;
        QTest::newRow("EAN-8") << QStringLiteral("9638507") << 4;
        QTest::newRow("UPC-A") << QStringLiteral("03600029145") << 2;
        QTest::newRow("SSCC") << QStringLiteral("10614141123456789") << 7;
        QTest::newRow("GLN") << QStringLiteral("491234500001") << 9;
        QTest::newRow("all zeros") << QStringLiteral("0000000") << 0;
    }
    void checkDigit()
    {
        QFETCH(QString, digits);
        QFETCH(int, checkDigit);
        const auto computed = Common::Barcode::computeCheckDigit(toStd(digits));
        QVERIFY(computed);
        QCOMPARE(*computed, checkDigit);
        const std::string full = toStd(digits) + std::to_string(checkDigit);
        QVERIFY(Common::Barcode::verifyCheckDigit(full));
        // Every other last digit is refused, naming the check digit's position.
        for (int other = 0; other < 10; ++other) {
            if (other == checkDigit)
                continue;
            const auto wrong = Common::Barcode::verifyCheckDigit(toStd(digits) + std::to_string(other));
            QVERIFY(!wrong);
            QCOMPARE(wrong.error().code, ErrorCode::BadCheckDigit);
            QCOMPARE(wrong.error().position, long(digits.size()));
        }
    }

    void checkDigitErrors()
    {
        QCOMPARE(Common::Barcode::computeCheckDigit("").error().code, ErrorCode::BadLength);
        const auto letter = Common::Barcode::computeCheckDigit("49012A");
        QVERIFY(!letter);
        QCOMPARE(letter.error().code, ErrorCode::InvalidInput);
        QCOMPARE(letter.error().position, 5L);
        QCOMPARE(Common::Barcode::verifyCheckDigit("4").error().code, ErrorCode::BadLength);
    }

    void validate_data()
    {
        QTest::addColumn<QString>("gtin");
        QTest::addColumn<bool>("isSscc");
        QTest::addColumn<int>("error"); // -1 = valid, else an ErrorCode
        QTest::addColumn<QString>("gtin14");
        QTest::newRow("GTIN-8") << QStringLiteral("96385074") << false << -1 << QStringLiteral("00000096385074");
        QTest::newRow("GTIN-12") << QStringLiteral("036000291452") << false << -1 << QStringLiteral("00036000291452");
        QTest::newRow("GTIN-13") << QStringLiteral("4901234567894") << false << -1 << QStringLiteral("04901234567894");
        QTest::newRow("GTIN-14") << QStringLiteral("09501101530003") << false << -1 << QStringLiteral("09501101530003");
        QTest::newRow("bad GTIN-13") << QStringLiteral("4901234567895") << false << int(ErrorCode::BadCheckDigit)
                                     << QString();
        QTest::newRow("11 digits") << QStringLiteral("03600029145") << false << int(ErrorCode::BadLength) << QString();
        QTest::newRow("letter") << QStringLiteral("49012345678O4") << false << int(ErrorCode::InvalidInput)
                                << QString();
        QTest::newRow("SSCC") << QStringLiteral("106141411234567897") << true << -1 << QString();
        QTest::newRow("bad SSCC") << QStringLiteral("106141411234567898") << true << int(ErrorCode::BadCheckDigit)
                                  << QString();
        QTest::newRow("SSCC too short") << QStringLiteral("10614141123456789") << true << int(ErrorCode::BadLength)
                                        << QString();
    }
    void validate()
    {
        QFETCH(QString, gtin);
        QFETCH(bool, isSscc);
        QFETCH(int, error);
        QFETCH(QString, gtin14);
        const std::string digits = toStd(gtin);
        const auto result = isSscc ? Common::Barcode::validateSscc(digits) : Common::Barcode::validateGtin(digits);
        QCOMPARE(result.has_value(), error < 0);
        if (error >= 0)
            QCOMPARE(int(result.error().code), error);
        if (isSscc)
            return;
        const auto normalised = Common::Barcode::normaliseGtin14(digits);
        QCOMPARE(normalised.has_value(), error < 0);
        if (normalised)
            QCOMPARE(QString::fromStdString(*normalised), gtin14);
    }

    void jan()
    {
        QVERIFY(Common::Barcode::isJan("4901234567894"));
        QVERIFY(Common::Barcode::isJan("4512345678906"));
        QVERIFY(!Common::Barcode::isJan("4001234567891"));  // German prefix
        QVERIFY(!Common::Barcode::isJan("04901234567894")); // GTIN-14 form is not "a JAN"
        QVERIFY(!Common::Barcode::isJan("49012345"));
    }

    void classify_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<ProductCodeFormat>("format");
        QTest::addColumn<QString>("gtin14");
        QTest::addColumn<int>("error");
        QTest::newRow("JAN") << QStringLiteral("4901234567894") << true << ProductCodeFormat::Jan
                             << QStringLiteral("04901234567894") << -1;
        QTest::newRow("JAN 45") << QStringLiteral("4512345678906") << true << ProductCodeFormat::Jan
                                << QStringLiteral("04512345678906") << -1;
        QTest::newRow("EAN-13") << QStringLiteral("4001234567891") << true << ProductCodeFormat::Ean13
                                << QStringLiteral("04001234567891") << -1;
        QTest::newRow("EAN-8") << QStringLiteral("96385074") << true << ProductCodeFormat::Ean8
                               << QStringLiteral("00000096385074") << -1;
        QTest::newRow("UPC-A") << QStringLiteral("036000291452") << true << ProductCodeFormat::UpcA
                               << QStringLiteral("00036000291452") << -1;
        QTest::newRow("ITF-14") << QStringLiteral("30712345000010") << true << ProductCodeFormat::Itf14
                                << QStringLiteral("30712345000010") << -1;
        QTest::newRow("]E0 JAN") << QStringLiteral("]E04901234567894") << true << ProductCodeFormat::Jan
                                 << QStringLiteral("04901234567894") << -1;
        QTest::newRow("]I1 ITF-14") << QStringLiteral("]I130712345000010") << true << ProductCodeFormat::Itf14
                                    << QStringLiteral("30712345000010") << -1;
        QTest::newRow("]E4 EAN-8") << QStringLiteral("]E496385074") << true << ProductCodeFormat::Ean8
                                   << QStringLiteral("00000096385074") << -1;
        QTest::newRow("bad check digit") << QStringLiteral("4901234567890") << false << ProductCodeFormat::Jan
                                         << QString() << int(ErrorCode::BadCheckDigit);
        QTest::newRow("GS1-128 is not a bare GTIN")
            << QStringLiteral("]C10109501101530003") << false << ProductCodeFormat::Ean13 << QString()
            << int(ErrorCode::InvalidInput);
        QTest::newRow("]E4 with 13 digits") << QStringLiteral("]E44901234567894") << false << ProductCodeFormat::Ean13
                                            << QString() << int(ErrorCode::InvalidInput);
        QTest::newRow("Codabar tracking number") << QStringLiteral("A1234567890A") << false << ProductCodeFormat::Ean13
                                                 << QString() << int(ErrorCode::InvalidInput);
        QTest::newRow("10 digits") << QStringLiteral("1234567890") << false << ProductCodeFormat::Ean13 << QString()
                                   << int(ErrorCode::BadLength);
        QTest::newRow("empty") << QString() << false << ProductCodeFormat::Ean13 << QString()
                               << int(ErrorCode::InvalidInput);
    }
    void classify()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(ProductCodeFormat, format);
        QFETCH(QString, gtin14);
        QFETCH(int, error);
        const auto result = Common::Barcode::classifyProductCode(toStd(text));
        QCOMPARE(result.has_value(), valid);
        if (!valid) {
            QCOMPARE(int(result.error().code), error);
            QVERIFY(result.error().message.starts_with("not a GTIN"));
            return;
        }
        QCOMPARE(result->format, format);
        QCOMPARE(QString::fromStdString(result->gtin14), gtin14);
        QVERIFY(text.endsWith(QString::fromStdString(result->digits)));
        QVERIFY(Common::Barcode::validateGtin(result->gtin14));
    }

    void classifyPositions()
    {
        const auto letter = Common::Barcode::classifyProductCode("]E049012345678O4");
        QVERIFY(!letter);
        QCOMPARE(letter.error().position, 14L);
        const auto check = Common::Barcode::classifyProductCode("]E04901234567890");
        QVERIFY(!check);
        QCOMPARE(check.error().position, 15L);
    }
};

QTEST_GUILESS_MAIN(TestGtin)
#include "tst_gtin.moc"
