#include <QRegularExpression>
#include <QTest>

#include <set>

#include "server/auth/tokens.h"

using namespace Server::Auth;

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::vector<std::uint8_t> bytesOf(std::string_view text)
{
    return {text.begin(), text.end()};
}

QByteArray hexOf(std::span<const std::uint8_t> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size())).toHex();
}

const std::vector<std::uint8_t> kCsrfKey(32, 0x42);

} // namespace

// Session tokens (R15), digests, CSRF tokens (R25) and recovery codes (R11) of server/auth/tokens.h.
class TestTokens : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void randomTokensAreUniqueBase64Url()
    {
        // R15: 1000 tokens → 1000 unique, ≥ 22 base64url characters, ≥ 128 bits.
        const QRegularExpression base64Url(QStringLiteral("^[A-Za-z0-9_-]+$"));
        std::set<std::string> seen;
        for (int index = 0; index < 1000; ++index) {
            const auto token = randomToken();
            QVERIFY(token);
            QCOMPARE(token->size(), std::size_t{43});
            QVERIFY(base64Url.match(qs(*token)).hasMatch());
            seen.insert(*token);
        }
        QCOMPARE(seen.size(), std::size_t{1000});
        const auto shortest = randomToken(16);
        QVERIFY(shortest);
        QCOMPARE(shortest->size(), std::size_t{22});
        QVERIFY(!randomToken(15));
        QVERIFY(!randomToken(0));
        QVERIFY(!randomToken(kMaxTokenBytes + 1));
    }

    void base64UrlVectors_data()
    {
        QTest::addColumn<QByteArray>("plain");
        QTest::addColumn<QString>("encoded");
        // RFC 4648 §10, url alphabet (§5), no padding.
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("f") << QByteArray("f") << QStringLiteral("Zg");
        QTest::newRow("fo") << QByteArray("fo") << QStringLiteral("Zm8");
        QTest::newRow("foo") << QByteArray("foo") << QStringLiteral("Zm9v");
        QTest::newRow("foob") << QByteArray("foob") << QStringLiteral("Zm9vYg");
        QTest::newRow("fooba") << QByteArray("fooba") << QStringLiteral("Zm9vYmE");
        QTest::newRow("foobar") << QByteArray("foobar") << QStringLiteral("Zm9vYmFy");
        QTest::newRow("url alphabet") << QByteArray("\xfb\xff\xbf", 3) << QStringLiteral("-_-_");
    }
    void base64UrlVectors()
    {
        QFETCH(QByteArray, plain);
        QFETCH(QString, encoded);
        QCOMPARE(qs(base64UrlEncode(std::vector<std::uint8_t>(plain.begin(), plain.end()))), encoded);
    }

    void digests()
    {
        // FIPS 180-4 examples.
        QCOMPARE(qs(*sha256Hex("abc")),
                 QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(qs(*sha256Hex("")),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        // RFC 4231 test cases 1 and 2.
        const auto first = hmacSha256(std::vector<std::uint8_t>(20, 0x0b), bytesOf("Hi There"));
        QVERIFY(first);
        QCOMPARE(hexOf(*first), QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
        const auto second = hmacSha256(bytesOf("Jefe"), bytesOf("what do ya want for nothing?"));
        QVERIFY(second);
        QCOMPARE(hexOf(*second), QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        QVERIFY(!hmacSha256({}, bytesOf("x")));
    }

    void csrfTokens()
    {
        const auto token = csrfToken(kCsrfKey, "session-1");
        QVERIFY(token);
        QCOMPARE(token->size(), std::size_t{43});
        QCOMPARE(*csrfToken(kCsrfKey, "session-1"), *token); // stable per session
        QVERIFY(checkCsrfToken(kCsrfKey, "session-1", *token));
        // Another session, another key, a flipped character, truncation, empty → refused.
        QVERIFY(*csrfToken(kCsrfKey, "session-2") != *token);
        QVERIFY(!checkCsrfToken(kCsrfKey, "session-2", *token));
        QVERIFY(!checkCsrfToken(std::vector<std::uint8_t>(32, 0x43), "session-1", *token));
        std::string flipped = *token;
        flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
        QVERIFY(!checkCsrfToken(kCsrfKey, "session-1", flipped));
        QVERIFY(!checkCsrfToken(kCsrfKey, "session-1", token->substr(0, 42)));
        QVERIFY(!checkCsrfToken(kCsrfKey, "session-1", ""));
        QVERIFY(!checkCsrfToken(kCsrfKey, "", *token));
        // The key must be a real secret: at least 256 bits.
        QVERIFY(!csrfToken(std::vector<std::uint8_t>(31, 1), "session-1"));
        QVERIFY(!csrfToken(kCsrfKey, ""));
    }

    void recoveryCodes()
    {
        const auto codes = generateRecoveryCodes();
        QVERIFY(codes);
        QCOMPARE(codes->size(), kRecoveryCodeCount);
        const QRegularExpression shape(QStringLiteral("^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$"));
        std::set<std::string> hashes;
        for (const std::string &code : *codes) {
            QVERIFY2(shape.match(qs(code)).hasMatch(), code.c_str());
            const auto normalized = normalizeRecoveryCode(code);
            QVERIFY(normalized);
            QCOMPARE(normalized->size(), kRecoveryCodeCharacters); // 24 base32 characters = 120 bits
            const auto hash = recoveryCodeHash(code);
            QVERIFY(hash);
            QCOMPARE(*hash, *sha256Hex(*normalized));
            QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(qs(*hash)).hasMatch());
            // R11: the stored value holds no plaintext.
            QVERIFY(hash->find(*normalized) == std::string::npos);
            hashes.insert(*hash);
        }
        QCOMPARE(hashes.size(), kRecoveryCodeCount);
        const auto again = generateRecoveryCodes();
        QVERIFY(again && *again != *codes);
    }

    void recoveryCodeNormalization_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("normalized"); // empty = refused
        QTest::addColumn<int>("position");
        const QString canonical = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWX");
        QTest::newRow("displayed") << QStringLiteral("ABCD-EFGH-IJKL-MNOP-QRST-UVWX") << canonical << -1;
        QTest::newRow("lower case") << QStringLiteral("abcd-efgh-ijkl-mnop-qrst-uvwx") << canonical << -1;
        QTest::newRow("spaces") << QStringLiteral(" abcd efgh ijkl mnop qrst uvwx ") << canonical << -1;
        QTest::newRow("run together") << QStringLiteral("abcdefghijklmnopqrstuvwx") << canonical << -1;
        QTest::newRow("digits") << QStringLiteral("2345-67AB-CDEF-GHIJ-KLMN-OPQR")
                                << QStringLiteral("234567ABCDEFGHIJKLMNOPQR") << -1;
        QTest::newRow("zero") << QStringLiteral("ABCD-0FGH-IJKL-MNOP-QRST-UVWX") << QString() << 5;
        QTest::newRow("one") << QStringLiteral("1BCD-EFGH-IJKL-MNOP-QRST-UVWX") << QString() << 0;
        QTest::newRow("underscore") << QStringLiteral("ABCD_EFGH-IJKL-MNOP-QRST-UVWX") << QString() << 4;
        QTest::newRow("23 characters") << QStringLiteral("ABCD-EFGH-IJKL-MNOP-QRST-UVW") << QString() << -1;
        QTest::newRow("25 characters") << QStringLiteral("ABCD-EFGH-IJKL-MNOP-QRST-UVWXY") << QString() << -1;
        QTest::newRow("empty") << QString() << QString() << -1;
    }
    void recoveryCodeNormalization()
    {
        QFETCH(QString, typed);
        QFETCH(QString, normalized);
        QFETCH(int, position);
        const auto result = normalizeRecoveryCode(typed.toStdString());
        if (normalized.isEmpty()) {
            QVERIFY(!result);
            QCOMPARE(result.error().code, Common::ErrorCode::InvalidInput);
            QCOMPARE(result.error().position, static_cast<long>(position));
            QVERIFY(!recoveryCodeHash(typed.toStdString()));
            return;
        }
        QVERIFY(result);
        QCOMPARE(qs(*result), normalized);
        QCOMPARE(*recoveryCodeHash(typed.toStdString()), *sha256Hex(normalized.toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestTokens)
#include "tst_tokens.moc"
