#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "server/auth/secretbox.h"

using namespace Server::Auth;

namespace {

std::vector<std::uint8_t> fromHex(const QByteArray &hex)
{
    const QByteArray bytes = QByteArray::fromHex(hex);
    return {bytes.begin(), bytes.end()};
}

QByteArray toHex(std::span<const std::uint8_t> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size())).toHex();
}

std::vector<std::uint8_t> bytesOf(std::string_view text)
{
    return {text.begin(), text.end()};
}

SecretKey freshKey()
{
    auto key = SecretKey::generate();
    Q_ASSERT(key);
    return std::move(*key);
}

unsigned modeOf(const std::filesystem::path &path)
{
    struct stat status = {};
    ::stat(path.c_str(), &status);
    return status.st_mode & 07777;
}

void writeFile(const std::filesystem::path &path, std::size_t size, unsigned mode)
{
    std::ofstream(path, std::ios::binary) << std::string(size, 'k');
    ::chmod(path.c_str(), mode);
}

constexpr std::string_view kAad = "v1|mfa|totp_seed|user-1";

} // namespace

// AES-256-GCM sealing (R10, R37) and key files (R14) of server/auth/secretbox.h.
class TestSecretbox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("TOTP seed") << QByteArray("12345678901234567890");
        QTest::newRow("1 KiB") << QByteArray(1024, 'x');
        QTest::newRow("NUL bytes") << QByteArray("\0\0\x01", 3);
    }
    void roundTrip()
    {
        QFETCH(QByteArray, plaintext);
        const SecretKey key = freshKey();
        const std::vector<std::uint8_t> plain(plaintext.begin(), plaintext.end());
        const auto blob = seal(key, plain, kAad);
        QVERIFY(blob);
        QCOMPARE(blob->size(), plain.size() + kSealOverheadBytes);
        QCOMPARE(blob->front(), kSealVersion);
        if (plain.size() >= 8) // the plaintext does not appear in the blob
            QVERIFY(std::search(blob->begin(), blob->end(), plain.begin(), plain.end()) == blob->end());
        const auto opened = open(key, *blob, kAad);
        QVERIFY(opened);
        QVERIFY(*opened == plain);
        // A second seal of the same plaintext differs (fresh nonce).
        const auto again = seal(key, plain, kAad);
        QVERIFY(again && *again != *blob);
    }

    void tamperingIsRefused()
    {
        const SecretKey key = freshKey();
        const auto blob = seal(key, bytesOf("12345678901234567890"), kAad);
        QVERIFY(blob);
        // Flip one bit in every position: version, each nonce byte, each ciphertext byte, each tag byte.
        for (std::size_t index = 0; index < blob->size(); ++index) {
            std::vector<std::uint8_t> tampered = *blob;
            tampered[index] ^= 0x01;
            const auto opened = open(key, tampered, kAad);
            QVERIFY2(!opened, QByteArray::number(static_cast<qulonglong>(index)).constData());
            QCOMPARE(opened.error().code, Common::ErrorCode::Crypto);
        }
        // AAD swap (a blob moved to another row), wrong key, truncation, extension.
        QVERIFY(!open(key, *blob, "v1|mfa|totp_seed|user-2"));
        QVERIFY(!open(key, *blob, ""));
        QVERIFY(!open(freshKey(), *blob, kAad));
        QVERIFY(!open(key, std::span(*blob).first(blob->size() - 1), kAad));
        std::vector<std::uint8_t> longer = *blob;
        longer.push_back(0);
        QVERIFY(!open(key, longer, kAad));
        QVERIFY(!open(key, std::span(*blob).first(kSealOverheadBytes - 1), kAad));
        QVERIFY(!open(key, {}, kAad));
        std::vector<std::uint8_t> version2 = *blob;
        version2[0] = 0x02;
        const auto refused = open(key, version2, kAad);
        QVERIFY(!refused);
        QVERIFY(refused.error().message.find("version") != std::string::npos);
    }

    void emptyPlaintextIsStillAuthenticated()
    {
        const SecretKey key = freshKey();
        const auto blob = seal(key, {}, kAad);
        QVERIFY(blob);
        QCOMPARE(blob->size(), kSealOverheadBytes);
        QVERIFY(open(key, *blob, kAad));
        QVERIFY(!open(key, *blob, "other"));
    }

    void millionNoncesUnique()
    {
        // R37: 10^6 nonces from the generator seal() uses, all distinct.
        constexpr std::size_t kCount = 1000000;
        std::vector<std::array<std::uint8_t, kSealNonceBytes>> nonces;
        nonces.reserve(kCount);
        for (std::size_t index = 0; index < kCount; ++index) {
            const auto nonce = Detail::sealNonce();
            QVERIFY(nonce);
            nonces.push_back(*nonce);
        }
        std::sort(nonces.begin(), nonces.end());
        QVERIFY(std::adjacent_find(nonces.begin(), nonces.end()) == nonces.end());
    }

    void knownAnswer_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("iv");
        QTest::addColumn<QByteArray>("plaintext");
        QTest::addColumn<QByteArray>("aad");
        QTest::addColumn<QByteArray>("ciphertext");
        QTest::addColumn<QByteArray>("tag");
        // NIST CAVP gcmEncryptExtIV256.rsp [Keylen=256][IVlen=96][PTlen=128][AADlen=128][Taglen=128] Count=0.
        QTest::newRow("CAVP ExtIV256 count 0")
            << QByteArray("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b")
            << QByteArray("ac93a1a6145299bde902f21a") << QByteArray("2d71bcfa914e4ac045b2aa60955fad24")
            << QByteArray("1e0889016f67601c8ebea4943bc23ad6") << QByteArray("8995ae2e6df3dbf96fac7b7137bae67f")
            << QByteArray("eca5aa77d51d4a0a14d9c51e1da474ab");
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 14 and 16 (AES-256).
        QTest::newRow("GCM spec case 14")
            << QByteArray(64, '0') << QByteArray(24, '0') << QByteArray(32, '0') << QByteArray()
            << QByteArray("cea7403d4d606b6e074ec5d3baf39d18") << QByteArray("d0d1c8a799996bf0265b98b5d48ab919");
        QTest::newRow("GCM spec case 16")
            << QByteArray("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            << QByteArray("cafebabefacedbaddecaf888")
            << QByteArray(
                   "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
                   "b16aedf5aa0de657ba637b39")
            << QByteArray("feedfacedeadbeeffeedfacedeadbeefabaddad2")
            << QByteArray(
                   "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
                   "c5f61e6393ba7a0abcc9f662")
            << QByteArray("76fc6ece0f4e1768cddf8853bb2d551b");
    }
    void knownAnswer()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, iv);
        QFETCH(QByteArray, plaintext);
        QFETCH(QByteArray, aad);
        QFETCH(QByteArray, ciphertext);
        QFETCH(QByteArray, tag);
        const auto secret = SecretKey::fromBytes(fromHex(key));
        QVERIFY(secret);
        const std::vector<std::uint8_t> nonceBytes = fromHex(iv);
        std::array<std::uint8_t, kSealNonceBytes> nonce{};
        std::copy(nonceBytes.begin(), nonceBytes.end(), nonce.begin());
        const auto blob = Detail::sealWithNonce(*secret, nonce, fromHex(plaintext), fromHex(aad));
        QVERIFY(blob);
        QCOMPARE(toHex(*blob), QByteArray("01") + iv + ciphertext + tag);
        // And open() reads the standard vector back (AAD given as text bytes).
        const QByteArray aadBytes = QByteArray::fromHex(aad);
        const auto opened = open(*secret, *blob, std::string_view(aadBytes.constData(), aadBytes.size()));
        QVERIFY(opened);
        QCOMPARE(toHex(*opened), plaintext);
    }

    void keyFromBytesAndMove()
    {
        QVERIFY(!SecretKey::fromBytes(std::vector<std::uint8_t>(31)));
        QVERIFY(!SecretKey::fromBytes(std::vector<std::uint8_t>(33)));
        SecretKey first = freshKey();
        const std::vector<std::uint8_t> original(first.bytes().begin(), first.bytes().end());
        QVERIFY(std::any_of(original.begin(), original.end(), [](std::uint8_t b) { return b != 0; }));
        SecretKey second(std::move(first));
        QVERIFY(std::equal(original.begin(), original.end(), second.bytes().begin()));
        // The moved-from key is wiped, not left as a second copy in memory.
        QVERIFY(std::all_of(first.bytes().begin(), first.bytes().end(),
                            [](std::uint8_t b) { return b == 0; })); // NOLINT(bugprone-use-after-move)
    }

    void keyFileCreatedThenLoaded()
    {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const std::filesystem::path path = directory.filePath(QStringLiteral("totp.key")).toStdString();
        const auto created = SecretKey::loadOrCreate(path);
        QVERIFY2(created, created ? "" : created.error().message.c_str());
        QCOMPARE(std::filesystem::file_size(path), std::size_t{32});
        QCOMPARE(modeOf(path), 0600U); // R14: stat -c %a = 600
        const auto loaded = SecretKey::loadOrCreate(path);
        QVERIFY(loaded);
        QVERIFY(std::equal(created->bytes().begin(), created->bytes().end(), loaded->bytes().begin()));
        // A blob sealed before a restart opens after it.
        const auto blob = seal(*created, bytesOf("seed"), kAad);
        QVERIFY(blob && open(*loaded, *blob, kAad));
        // No temporary files are left behind.
        QCOMPARE(std::distance(std::filesystem::directory_iterator(directory.path().toStdString()),
                               std::filesystem::directory_iterator()),
                 1);
    }

    void badKeyFilesRefused_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("world-readable") << 32 << 0644 << QStringLiteral("0644");
        QTest::newRow("group-readable") << 32 << 0640 << QStringLiteral("0640");
        QTest::newRow("group-writable") << 32 << 0620 << QStringLiteral("0620");
        QTest::newRow("too short") << 31 << 0600 << QStringLiteral("31 bytes");
        QTest::newRow("too long") << 33 << 0600 << QStringLiteral("33 bytes");
        QTest::newRow("empty") << 0 << 0600 << QStringLiteral("0 bytes");
    }
    void badKeyFilesRefused()
    {
        QFETCH(int, size);
        QFETCH(int, mode);
        QFETCH(QString, mentions);
        QTemporaryDir directory;
        const std::filesystem::path path = directory.filePath(QStringLiteral("bad.key")).toStdString();
        writeFile(path, static_cast<std::size_t>(size), static_cast<unsigned>(mode));
        const auto loaded = SecretKey::loadOrCreate(path);
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, Common::ErrorCode::Io);
        const QString message = QString::fromStdString(loaded.error().message);
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY(message.contains(QString::fromStdString(path.string())));
        // The file is left as it was: never "repaired" or overwritten.
        QCOMPARE(std::filesystem::file_size(path), static_cast<std::uintmax_t>(size));
    }

    void symlinkAndDirectoryRefused()
    {
        QTemporaryDir directory;
        const std::filesystem::path target = directory.filePath(QStringLiteral("real.key")).toStdString();
        const std::filesystem::path link = directory.filePath(QStringLiteral("link.key")).toStdString();
        QVERIFY(SecretKey::loadOrCreate(target));
        std::filesystem::create_symlink(target, link);
        const auto viaLink = SecretKey::loadOrCreate(link);
        QVERIFY(!viaLink);
        QVERIFY(QString::fromStdString(viaLink.error().message).contains(QStringLiteral("symbolic link")));
        const std::filesystem::path folder = directory.filePath(QStringLiteral("folder.key")).toStdString();
        std::filesystem::create_directory(folder);
        QVERIFY(!SecretKey::loadOrCreate(folder));
        const std::filesystem::path missingDirectory =
            directory.filePath(QStringLiteral("no/such/dir.key")).toStdString();
        QVERIFY(!SecretKey::loadOrCreate(missingDirectory));
    }
};

QTEST_GUILESS_MAIN(TestSecretbox)
#include "tst_secretbox.moc"
