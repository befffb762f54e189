#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "server/auth/breachedpasswords.h"
#include "server/auth/password.h"

using namespace Server::Auth;

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::string repeat(std::string_view piece, int count)
{
    std::string out;
    for (int index = 0; index < count; ++index)
        out += piece;
    return out;
}

// Argon2id KAT from REQUIREMENTS.md §4: `argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e`.
constexpr std::string_view kKatPassword = "correct horse battery staple";
constexpr std::string_view kKatPhc =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y";
// The same password hashed by libsodium with other parameters (made once with crypto_pwhash_str_alg).
constexpr std::string_view kOldParametersPhc =
    "$argon2id$v=19$m=65536,t=3,p=1$qt8g+9kuUJC48lbYZTwcGA$CJ7Tuk45NXFwl3UzBEY6RWpLYoOQb+9aj+Gz7foLXy0";
constexpr std::string_view kArgon2iPhc =
    "$argon2i$v=19$m=19456,t=3,p=1$vlgzU5LwqBUgMcrn6c7i4w$CnJ3+b4MnMr6iXKAkOVcGiYXSWjHHOx1DfUJrFJAZaQ";

double medianSeconds(std::vector<double> samples)
{
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

} // namespace

// Password policy (ASVS 2.1, R01/R03) and Argon2id storage (R04 timing, R06) of server/auth/password.h.
class TestPassword : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void policy_data()
    {
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QString>("reason"); // empty = accepted
        QTest::addColumn<int>("position");
        const auto row = [](const char *name, const std::string &password, const char *reason, int position = -1) {
            QTest::newRow(name) << QByteArray::fromStdString(password) << QString::fromUtf8(reason) << position;
        };
        // R01: ≥12 after collapsing spaces, ≥64 allowed, >128 rejected, any Unicode, no composition rules.
        row("11 characters", "elevenchars", "password_too_short");
        row("12 lower-case letters", "qzmvtrbkxlwp", "");
        row("64 characters", repeat("abcdefgh", 8), "");
        row("128 x e-acute", repeat("\xC3\xA9", 128), "");
        row("129 x e-acute", repeat("\xC3\xA9", 129), "password_too_long");
        row("129 ASCII", std::string(129, 'k'), "password_too_long");
        row("12 emoji", repeat("\xF0\x9F\x94\x91", 12), "");
        // 10 kanji/kana are 30 bytes but 10 code points: too short.
        row("10 kanji",
            "\xE5\x80\x89\xE5\xBA\xAB\xE3\x81\xAE\xE6\xA3\x9A\xE3\x81\xAF\xE5\x8C\x97\xE5\x81\xB4\xE3\x81\xAB\xE3\x81"
            "\x82\xE3\x82\x8B",
            "password_too_short");
        row("space run collapses to 9", "abc" + std::string(20, ' ') + "defgh", "password_too_short");
        row("single spaces count", "a b c d e f g", "");
        row("1 MB", std::string(1 << 20, 'x'), "password_too_long");
        row("over byte cap, few code points", "abcdefghijkl" + std::string(1100, ' '), "password_too_long");
        // R03: offline list, ASCII case-insensitive.
        row("password1234", "password1234", "password_breached");
        row("PASSWORD1234", "PASSWORD1234", "password_breached");
        row("Password1234", "Password1234", "password_breached");
        row("qwertyuiop123", "qwertyuiop123", "password_breached");
        row("1qaz2wsx3edc", "1qaz2wsx3edc", "password_breached");
        row("not on the list", "correct horse battery staple", "");
        // Not UTF-8: the byte offset of the bad sequence is reported.
        row("lone continuation", "abcdefghijkl\x80", "password_not_utf8", 12);
        row("overlong slash",
            "ab\xC0\xAF"
            "cdefghijklmn",
            "password_not_utf8", 2);
        row("surrogate", "abcdefghijklm\xED\xA0\x80", "password_not_utf8", 13);
        row("above U+10FFFF",
            "\xF4\x90\x80\x80"
            "abcdefghijklm",
            "password_not_utf8", 0);
        row("truncated at end", "abcdefghijklm\xE3\x81", "password_not_utf8", 13);
        row("0xFF", "abcdef\xFFghijklm", "password_not_utf8", 6);
    }
    void policy()
    {
        QFETCH(QByteArray, password);
        QFETCH(QString, reason);
        QFETCH(int, position);
        const auto checked = checkPasswordPolicy(std::string_view(password.constData(), password.size()));
        if (reason.isEmpty()) {
            QVERIFY2(checked, checked ? "" : checked.error().message.c_str());
            return;
        }
        QVERIFY(!checked);
        QCOMPARE(checked.error().code, Common::ErrorCode::InvalidInput);
        QCOMPARE(qs(checked.error().message), reason);
        QCOMPARE(checked.error().position, static_cast<long>(position));
    }

    void lengthCountsCodePoints_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("length");
        QTest::newRow("empty") << QByteArray() << 0;
        QTest::newRow("ascii") << QByteArray("abc") << 3;
        QTest::newRow("two-byte") << QByteArray("\xC3\xA9\xC3\xA9") << 2;
        QTest::newRow("three-byte") << QByteArray("\xE5\x80\x89\xE5\xBA\xAB") << 2;
        QTest::newRow("four-byte") << QByteArray("\xF0\x9F\x94\x91") << 1;
        QTest::newRow("space runs") << QByteArray("  a   b  ") << 5;
        QTest::newRow("tabs are not collapsed") << QByteArray("a\t\t\tb") << 5;
        QTest::newRow("decomposed e-acute is two") << QByteArray("e\xCC\x81") << 2;
    }
    void lengthCountsCodePoints()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, length);
        const auto counted = passwordLength(std::string_view(text.constData(), text.size()));
        QVERIFY(counted);
        QCOMPARE(*counted, static_cast<std::size_t>(length));
    }

    void breachedListIsSortedLowerCaseAndComplete()
    {
        const auto list = Detail::breachedPasswords();
        QVERIFY(list.size() >= 10000);
        QVERIFY(std::adjacent_find(list.begin(), list.end(), std::greater_equal<>()) == list.end());
        for (const std::string_view entry : list) {
            QVERIFY(!entry.empty());
            QVERIFY2(std::none_of(entry.begin(), entry.end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
                     std::string(entry).c_str());
        }
        QVERIFY(std::binary_search(list.begin(), list.end(), std::string_view("password1234")));
        QVERIFY(isCommonPassword("123456"));
        QVERIFY(isCommonPassword("PaSsWoRd"));
        QVERIFY(!isCommonPassword("qzmvtrbkxlwp"));
        // Folding is ASCII-only: a non-ASCII look-alike is a different password.
        QVERIFY(!isCommonPassword("p\xC3\xA1ssword1234"));
    }

    void argon2idKnownAnswer()
    {
        const std::string_view salt = "somesaltsomesalt";
        const auto raw =
            Detail::argon2idRaw(kKatPassword, {reinterpret_cast<const std::uint8_t *>(salt.data()), salt.size()}, 32);
        QVERIFY(raw);
        const QByteArray bytes(reinterpret_cast<const char *>(raw->data()), static_cast<qsizetype>(raw->size()));
        QCOMPARE(bytes.toBase64(QByteArray::OmitTrailingEquals),
                 QByteArray("ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y"));
        // The reference CLI's PHC string verifies with ours, and only for the right password.
        QVERIFY(verifyPassword(kKatPhc, kKatPassword));
        QVERIFY(!verifyPassword(kKatPhc, "correct horse battery stapl"));
        QVERIFY(!needsRehash(kKatPhc));
        const std::array<std::uint8_t, 8> shortSalt{};
        QVERIFY(!Detail::argon2idRaw(kKatPassword, shortSalt, 32));
    }

    void hashAndVerify()
    {
        const std::string password = "correct horse battery staple 2";
        const auto first = hashPassword(password);
        const auto second = hashPassword(password);
        QVERIFY(first && second);
        // R06: the stored form, and equal passwords never give equal hashes (16-byte random salt).
        const QRegularExpression phc(
            QStringLiteral(R"(^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$)"));
        QVERIFY2(phc.match(qs(*first)).hasMatch(), first->c_str());
        QVERIFY(*first != *second);
        QVERIFY(verifyPassword(*first, password));
        QVERIFY(verifyPassword(*second, password));
        QVERIFY(!verifyPassword(*first, "correct horse battery staple 3"));
        QVERIFY(!verifyPassword(*first, ""));
        QVERIFY(!needsRehash(*first));
    }

    void noTruncation()
    {
        // R01: set a 72-character password (bcrypt's limit), its 71-character prefix must not log in.
        const std::string password = repeat("Zq9!", 18);
        QCOMPARE(password.size(), std::size_t{72});
        const auto phc = hashPassword(password);
        QVERIFY(phc);
        QVERIFY(verifyPassword(*phc, password));
        QVERIFY(!verifyPassword(*phc, password.substr(0, 71)));
        QVERIFY(!verifyPassword(*phc, password + "x"));
    }

    void rehashAndMalformed()
    {
        QVERIFY(verifyPassword(kOldParametersPhc, kKatPassword));
        QVERIFY(needsRehash(kOldParametersPhc));
        QVERIFY(verifyPassword(kArgon2iPhc, kKatPassword));
        QVERIFY(needsRehash(kArgon2iPhc)); // argon2i → argon2id on next login
        for (const std::string_view bad : {std::string_view(""), std::string_view("$argon2id$"),
                                           std::string_view("plaintext"), std::string_view("$argon2id$v=19$m=19456")}) {
            QVERIFY(!verifyPassword(bad, kKatPassword));
            QVERIFY(needsRehash(bad));
        }
        const std::string withNul = std::string(kKatPhc) + std::string(1, '\0');
        QVERIFY(!verifyPassword(withNul, kKatPassword));
        QVERIFY(!verifyPassword(std::string(200, 'a'), kKatPassword));
        QVERIFY(!hashPassword(std::string(kPasswordMaxBytes + 1, 'a')));
        QVERIFY(!verifyPassword(kKatPhc, std::string(kPasswordMaxBytes + 1, 'a')));
    }

    void dummyVerifyCostsWhatVerifyCosts()
    {
        // The dummy hash carries today's parameters, so it costs the same as a real account's hash.
        QVERIFY(!needsRehash(Detail::dummyHash()));
        QVERIFY(!verifyPassword(Detail::dummyHash(), kKatPassword));
        // Interleaved medians: an unknown user (dummyVerify) vs a wrong password for a real user.
        // Both run Argon2id over 19 MiB; an early return would be ~10^4 times faster.
        std::vector<double> real;
        std::vector<double> dummy;
        for (int round = 0; round < 5; ++round) {
            auto start = std::chrono::steady_clock::now();
            QVERIFY(!verifyPassword(kKatPhc, "wrong password here"));
            real.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            start = std::chrono::steady_clock::now();
            dummyVerify("wrong password here");
            dummy.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        const double ratio = medianSeconds(dummy) / medianSeconds(real);
        QVERIFY2(ratio > 1.0 / 3 && ratio < 3.0, QByteArray::number(ratio).constData());
    }

    void concurrencyIsCapped()
    {
        const std::size_t limit = passwordHashConcurrency();
        QCOMPARE(limit, std::max<std::size_t>(1, std::thread::hardware_concurrency()));
        const std::size_t threadCount = std::min<std::size_t>(3 * limit, 12);
        std::vector<std::thread> threads;
        std::atomic<int> matched{0};
        for (std::size_t index = 0; index < threadCount; ++index)
            threads.emplace_back([&matched] {
                if (verifyPassword(kKatPhc, kKatPassword))
                    ++matched;
            });
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(matched.load(), static_cast<int>(threadCount));
        QVERIFY(passwordHashPeakConcurrency() >= 1);
        QVERIFY(passwordHashPeakConcurrency() <= limit);
    }
};

QTEST_GUILESS_MAIN(TestPassword)
#include "tst_password.moc"
