#include <QTest>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <map>

#include "server/auth/totp.h"

using namespace Server::Auth;

Q_DECLARE_METATYPE(Server::Auth::OtpAlgorithm)
Q_DECLARE_METATYPE(Common::ErrorCode)

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::vector<std::uint8_t> bytesOf(std::string_view text)
{
    return {text.begin(), text.end()};
}

// RFC 6238 Appendix A reference seeds: the ASCII digits repeated to the hash's output size.
std::vector<std::uint8_t> rfcSeed(OtpAlgorithm algorithm)
{
    switch (algorithm) {
    case OtpAlgorithm::Sha1:
        return bytesOf("12345678901234567890");
    case OtpAlgorithm::Sha256:
        return bytesOf("12345678901234567890123456789012");
    case OtpAlgorithm::Sha512:
        return bytesOf("1234567890123456789012345678901234567890123456789012345678901234");
    }
    return {};
}

const std::vector<std::uint8_t> kSeed = bytesOf("12345678901234567890");

std::string codeAt(std::int64_t step)
{
    return *hotp(kSeed, static_cast<std::uint64_t>(step));
}

} // namespace

// HOTP (RFC 4226), TOTP (RFC 6238), base32 (RFC 4648) and the otpauth URI of server/auth/totp.h.
class TestTotp : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rfc6238AppendixB_data()
    {
        QTest::addColumn<qint64>("time");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<OtpAlgorithm>("algorithm");
        QTest::addColumn<QString>("code");
        struct Row
        {
            qint64 time;
            qint64 step;
            const char *sha1;
            const char *sha256;
            const char *sha512;
        };
        const Row rows[] = {
            {59, 0x1, "94287082", "46119246", "90693936"},
            {1111111109, 0x23523EC, "07081804", "68084774", "25091201"},
            {1111111111, 0x23523ED, "14050471", "67062674", "99943326"},
            {1234567890, 0x273EF07, "89005924", "91819424", "93441116"},
            {2000000000, 0x3F940AA, "69279037", "90698825", "38618901"},
            {20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"}, // needs 64-bit time
        };
        for (const Row &row : rows) {
            const QByteArray name = QByteArray::number(row.time);
            QTest::newRow((name + " SHA1").constData())
                << row.time << row.step << OtpAlgorithm::Sha1 << QString::fromLatin1(row.sha1);
            QTest::newRow((name + " SHA256").constData())
                << row.time << row.step << OtpAlgorithm::Sha256 << QString::fromLatin1(row.sha256);
            QTest::newRow((name + " SHA512").constData())
                << row.time << row.step << OtpAlgorithm::Sha512 << QString::fromLatin1(row.sha512);
        }
    }
    void rfc6238AppendixB()
    {
        QFETCH(qint64, time);
        QFETCH(qint64, step);
        QFETCH(OtpAlgorithm, algorithm);
        QFETCH(QString, code);
        const auto computedStep = totpStep(time);
        QVERIFY(computedStep);
        QCOMPARE(*computedStep, step);
        const auto eight = totp(rfcSeed(algorithm), time, 8, algorithm);
        QVERIFY(eight);
        QCOMPARE(qs(*eight), code);
        // 6-digit codes are the last six digits, leading zeros kept (1234567890 SHA1 → 005924).
        const auto six = totp(rfcSeed(algorithm), time, 6, algorithm);
        QVERIFY(six);
        QCOMPARE(qs(*six), code.right(6));
    }

    void leadingZerosKept() { QCOMPARE(qs(*totp(kSeed, 1234567890)), QStringLiteral("005924")); }

    void rfc4226AppendixD_data()
    {
        QTest::addColumn<quint64>("counter");
        QTest::addColumn<QString>("code");
        const char *codes[] = {"755224", "287082", "359152", "969429", "338314",
                               "254676", "287922", "162583", "399871", "520489"};
        for (quint64 counter = 0; counter < 10; ++counter)
            QTest::newRow(QByteArray::number(counter).constData()) << counter << QString::fromLatin1(codes[counter]);
    }
    void rfc4226AppendixD()
    {
        QFETCH(quint64, counter);
        QFETCH(QString, code);
        const auto computed = hotp(kSeed, counter);
        QVERIFY(computed);
        QCOMPARE(qs(*computed), code);
    }

    void hotpRefusesBadArguments()
    {
        QVERIFY(!hotp(kSeed, 0, 7));
        QVERIFY(!hotp(kSeed, 0, 0));
        QVERIFY(!hotp({}, 0));
        QVERIFY(!totp(kSeed, -1));
        QVERIFY(!totpStep(100, 0));
    }

    void wellFormedCodes_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<bool>("wellFormed");
        QTest::newRow("six digits") << QByteArray("012345") << true;
        QTest::newRow("all zeros") << QByteArray("000000") << true;
        QTest::newRow("five") << QByteArray("12345") << false;
        QTest::newRow("seven") << QByteArray("1234567") << false;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("leading space") << QByteArray(" 12345") << false;
        QTest::newRow("trailing space") << QByteArray("123456 ") << false;
        QTest::newRow("inner space") << QByteArray("123 456") << false;
        QTest::newRow("sign") << QByteArray("+12345") << false;
        QTest::newRow("letter") << QByteArray("12345a") << false;
        QTest::newRow("full-width digits")
            << QByteArray("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96") << false;
        QTest::newRow("arabic-indic digits") << QByteArray("\xD9\xA1\xD9\xA2\xD9\xA3") << false;
        QTest::newRow("NUL inside") << QByteArray("123\x00"
                                                  "56",
                                                  6)
                                    << false;
    }
    void wellFormedCodes()
    {
        QFETCH(QByteArray, code);
        QFETCH(bool, wellFormed);
        const std::string_view text(code.constData(), code.size());
        QCOMPARE(isWellFormedCode(text), wellFormed);
        if (!wellFormed)
            QVERIFY(!verifyTotp(kSeed, text, 1111111111, kNoStepAccepted));
    }

    void windowAndReplay()
    {
        const std::int64_t now = 1111111111; // step 0x23523ED, 1 s into it
        const std::int64_t step = *totpStep(now);
        // R08: window T−1..T+1 only.
        QVERIFY(!verifyTotp(kSeed, codeAt(step - 2), now, kNoStepAccepted));
        QCOMPARE(verifyTotp(kSeed, codeAt(step - 1), now, kNoStepAccepted), std::optional<std::int64_t>(step - 1));
        QCOMPARE(verifyTotp(kSeed, codeAt(step), now, kNoStepAccepted), std::optional<std::int64_t>(step));
        QCOMPARE(verifyTotp(kSeed, codeAt(step + 1), now, kNoStepAccepted), std::optional<std::int64_t>(step + 1));
        QVERIFY(!verifyTotp(kSeed, codeAt(step + 2), now, kNoStepAccepted));
        // Replay: once step T is accepted, T and everything before it is refused; T+1 still works.
        QVERIFY(!verifyTotp(kSeed, codeAt(step), now, step));
        QVERIFY(!verifyTotp(kSeed, codeAt(step - 1), now, step));
        QCOMPARE(verifyTotp(kSeed, codeAt(step + 1), now, step), std::optional<std::int64_t>(step + 1));
        QVERIFY(!verifyTotp(kSeed, codeAt(step + 1), now, step + 1));
        // Wrong seed, empty seed, negative time.
        QVERIFY(!verifyTotp(bytesOf("12345678901234567891"), codeAt(step), now, kNoStepAccepted));
        QVERIFY(!verifyTotp({}, codeAt(step), now, kNoStepAccepted));
        QVERIFY(!verifyTotp(kSeed, codeAt(0), -5, kNoStepAccepted));
        // Step 0 has no T−1: the first 30 s of 1970 still verify.
        QCOMPARE(verifyTotp(kSeed, codeAt(0), 10, kNoStepAccepted), std::optional<std::int64_t>(0));
    }

    void year2038()
    {
        // 2^31 + 100 s is after 2038-01-19 03:14:07 UTC; 20000000000 is in 2603 (RFC 6238 table).
        for (const std::int64_t now : {std::int64_t{2147483748}, std::int64_t{20000000000}}) {
            const std::int64_t step = now / 30;
            QVERIFY(step > std::int64_t{0x7FFFFFFF} / 30);
            QCOMPARE(verifyTotp(kSeed, codeAt(step), now, kNoStepAccepted), std::optional<std::int64_t>(step));
        }
    }

    void base32Vectors_data()
    {
        QTest::addColumn<QByteArray>("plain");
        QTest::addColumn<QString>("encoded");
        // RFC 4648 §10 without padding.
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("f") << QByteArray("f") << QStringLiteral("MY");
        QTest::newRow("fo") << QByteArray("fo") << QStringLiteral("MZXQ");
        QTest::newRow("foo") << QByteArray("foo") << QStringLiteral("MZXW6");
        QTest::newRow("foob") << QByteArray("foob") << QStringLiteral("MZXW6YQ");
        QTest::newRow("fooba") << QByteArray("fooba") << QStringLiteral("MZXW6YTB");
        QTest::newRow("foobar") << QByteArray("foobar") << QStringLiteral("MZXW6YTBOI");
        QTest::newRow("RFC 6238 seed") << QByteArray("12345678901234567890")
                                       << QStringLiteral("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
    void base32Vectors()
    {
        QFETCH(QByteArray, plain);
        QFETCH(QString, encoded);
        const std::vector<std::uint8_t> bytes(plain.begin(), plain.end());
        QCOMPARE(qs(base32Encode(bytes)), encoded);
        const auto decoded = base32Decode(encoded.toStdString());
        QVERIFY(decoded);
        QVERIFY(*decoded == bytes);
        const auto lower = base32Decode(encoded.toLower().toStdString());
        QVERIFY(lower);
        QVERIFY(*lower == bytes);
    }

    void base32RoundTrip()
    {
        for (std::size_t length = 0; length <= 64; ++length) {
            std::vector<std::uint8_t> bytes(length);
            for (std::size_t index = 0; index < length; ++index)
                bytes[index] = static_cast<std::uint8_t>((index * 151 + length * 7) & 0xFF);
            const std::string encoded = base32Encode(bytes);
            QCOMPARE(encoded.size(), (length * 8 + 4) / 5);
            QVERIFY(encoded.find('=') == std::string::npos);
            const auto decoded = base32Decode(encoded);
            QVERIFY(decoded);
            QVERIFY(*decoded == bytes);
        }
    }

    void base32BadInput_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Common::ErrorCode>("code");
        QTest::addColumn<int>("position");
        QTest::newRow("padding") << QStringLiteral("MZXW6===") << Common::ErrorCode::BadCharacter << 5;
        QTest::newRow("digit 1") << QStringLiteral("MZ1W6YTB") << Common::ErrorCode::BadCharacter << 2;
        QTest::newRow("digit 0") << QStringLiteral("0ZXW6YTB") << Common::ErrorCode::BadCharacter << 0;
        QTest::newRow("digit 8") << QStringLiteral("MZXW6YT8") << Common::ErrorCode::BadCharacter << 7;
        QTest::newRow("space") << QStringLiteral("MZXW 6YTB") << Common::ErrorCode::BadCharacter << 4;
        QTest::newRow("length 1") << QStringLiteral("M") << Common::ErrorCode::BadLength << 1;
        QTest::newRow("length 3") << QStringLiteral("MZX") << Common::ErrorCode::BadLength << 3;
        QTest::newRow("length 9") << QStringLiteral("MZXW6YTBO") << Common::ErrorCode::BadLength << 9;
        QTest::newRow("trailing bits") << QStringLiteral("MZ") << Common::ErrorCode::InvalidInput << 1;
    }
    void base32BadInput()
    {
        QFETCH(QString, text);
        QFETCH(Common::ErrorCode, code);
        QFETCH(int, position);
        const auto decoded = base32Decode(text.toStdString());
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().code, code);
        QCOMPARE(decoded.error().position, static_cast<long>(position));
        QVERIFY(!base32Decode(std::string(4104, 'A')));
    }

    void seedsAreRandom160Bits()
    {
        const auto first = generateSeed();
        const auto second = generateSeed();
        QVERIFY(first && second);
        QCOMPARE(first->size(), std::size_t{20});
        QVERIFY(*first != *second);
        QCOMPARE(base32Encode(*first).size(), std::size_t{32});
    }

    void otpauthUriExact()
    {
        const auto uri = otpauthUri("Soko", "alice@example.com", kSeed);
        QVERIFY(uri);
        QCOMPARE(qs(*uri),
                 QStringLiteral("otpauth://totp/Soko:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                                "&issuer=Soko&algorithm=SHA1&digits=6&period=30"));
    }

    void otpauthUriParsesBack_data()
    {
        QTest::addColumn<QString>("issuer");
        QTest::addColumn<QString>("account");
        QTest::newRow("e-mail") << QStringLiteral("Soko") << QStringLiteral("alice@example.com");
        QTest::newRow("spaces and reserved")
            << QStringLiteral("Soko Warehouse #1") << QStringLiteral("bob & co/ops?x=1");
        QTest::newRow("japanese") << QStringLiteral("\u5009\u5eab") << QStringLiteral("\u5c71\u7530 \u592a\u90ce");
    }
    void otpauthUriParsesBack()
    {
        QFETCH(QString, issuer);
        QFETCH(QString, account);
        const auto seed = generateSeed();
        QVERIFY(seed);
        const auto uri = otpauthUri(issuer.toStdString(), account.toStdString(), *seed);
        QVERIFY(uri);
        // An independent parser (Boost.URL) reads it back as an authenticator app would.
        const auto parsed = boost::urls::parse_uri(*uri);
        QVERIFY(parsed);
        const boost::urls::url_view view = *parsed;
        QCOMPARE(qs(view.scheme()), QStringLiteral("otpauth"));
        QCOMPARE(qs(view.host()), QStringLiteral("totp"));
        const std::string label = view.path(); // percent-decoded, with the leading '/'
        QCOMPARE(qs(label), QStringLiteral("/") + issuer + QStringLiteral(":") + account);
        std::map<std::string, std::string> parameters;
        for (const auto &parameter : view.params())
            parameters[parameter.key] = parameter.value;
        QCOMPARE(parameters.size(), std::size_t{5});
        QCOMPARE(qs(parameters["issuer"]), issuer); // issuer == label prefix
        QCOMPARE(qs(parameters["algorithm"]), QStringLiteral("SHA1"));
        QCOMPARE(qs(parameters["digits"]), QStringLiteral("6"));
        QCOMPARE(qs(parameters["period"]), QStringLiteral("30"));
        const auto secret = base32Decode(parameters["secret"]);
        QVERIFY(secret);
        QCOMPARE(secret->size(), std::size_t{20});
        QVERIFY(*secret == *seed);
    }

    void otpauthUriRefusesBadLabels()
    {
        QVERIFY(!otpauthUri("So:ko", "alice", kSeed));
        QVERIFY(!otpauthUri("Soko", "ali:ce", kSeed));
        QVERIFY(!otpauthUri("", "alice", kSeed));
        QVERIFY(!otpauthUri("Soko", "", kSeed));
        QVERIFY(!otpauthUri("Soko", std::string(257, 'a'), kSeed));
        QVERIFY(!otpauthUri("Soko", "alice", {}));
    }
};

QTEST_GUILESS_MAIN(TestTotp)
#include "tst_totp.moc"
