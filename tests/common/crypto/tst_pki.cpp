#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/pki.h"

// Tests of the device/server PKI (REQUIREMENTS.md §2.3, §9 A7): issued certificates verify
// against the CA, CSR-requested extensions are ignored, weak or foreign keys are refused.
namespace {

using namespace Common::Crypto;

struct X509Free
{
    void operator()(X509 *pointer) const { X509_free(pointer); }
};
struct ReqFree
{
    void operator()(X509_REQ *pointer) const { X509_REQ_free(pointer); }
};
struct KeyFree
{
    void operator()(EVP_PKEY *pointer) const { EVP_PKEY_free(pointer); }
};
struct BioFree
{
    void operator()(BIO *pointer) const { BIO_free_all(pointer); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ReqPtr = std::unique_ptr<X509_REQ, ReqFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

X509Ptr parseCertificate(const std::string &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string pemOfRequest(X509_REQ *request)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(bio.get(), request);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

// A CSR built directly with OpenSSL, so tests can ask for things our makeCsr never would.
std::string foreignCsr(EVP_PKEY *key, const char *commonName, bool askForCaAndServerAuth)
{
    ReqPtr request(X509_REQ_new());
    X509_REQ_set_version(request.get(), X509_REQ_VERSION_1);
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_REQ_set_pubkey(request.get(), key);
    if (askForCaAndServerAuth) {
        STACK_OF(X509_EXTENSION) *extensions = sk_X509_EXTENSION_new_null();
        sk_X509_EXTENSION_push(extensions,
                               X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE"));
        sk_X509_EXTENSION_push(extensions,
                               X509V3_EXT_conf_nid(nullptr, nullptr, NID_ext_key_usage, "serverAuth,codeSigning"));
        sk_X509_EXTENSION_push(extensions, X509V3_EXT_conf_nid(nullptr, nullptr, NID_key_usage, "keyCertSign,cRLSign"));
        sk_X509_EXTENSION_push(
            extensions,
            X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                "DNS:evil.example,URI:urn:soko:device:00000000-0000-4000-8000-000000000000"));
        X509_REQ_add_extensions(request.get(), extensions);
        sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    }
    X509_REQ_sign(request.get(), key, EVP_sha256());
    return pemOfRequest(request.get());
}

KeyPtr generate(const char *type, const char *parameter, size_t bits)
{
    if (std::string_view(type) == "RSA")
        return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
    return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", parameter));
}

// Flips one bit near the end of the DER (inside the signature value) and re-armours it.
std::string tamperedSignature(const std::string &pem)
{
    QByteArray text = QByteArray::fromStdString(pem);
    text.replace("-----BEGIN CERTIFICATE REQUEST-----", "");
    text.replace("-----END CERTIFICATE REQUEST-----", "");
    QByteArray der = QByteArray::fromBase64(text.simplified().replace(' ', ""));
    der[der.size() - 3] = static_cast<char>(der.at(der.size() - 3) ^ 0x01);
    QByteArray out = "-----BEGIN CERTIFICATE REQUEST-----\n";
    const QByteArray base64 = der.toBase64();
    for (qsizetype offset = 0; offset < base64.size(); offset += 64)
        out += base64.mid(offset, 64) + '\n';
    out += "-----END CERTIFICATE REQUEST-----\n";
    return out.toStdString();
}

} // namespace

class TestPki : public QObject
{
    Q_OBJECT

private:
    KeyPair m_caKey;
    std::string m_caCert;
    const std::string m_deviceId = "3f1c2a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b";

    bool verifiesAgainstCa(const std::string &certificatePem, int purpose)
    {
        X509Ptr ca = parseCertificate(m_caCert);
        X509Ptr leaf = parseCertificate(certificatePem);
        if (!ca || !leaf)
            return false;
        X509_STORE *store = X509_STORE_new();
        X509_STORE_add_cert(store, ca.get());
        X509_STORE_CTX *context = X509_STORE_CTX_new();
        X509_STORE_CTX_init(context, store, leaf.get(), nullptr);
        X509_STORE_CTX_set_purpose(context, purpose);
        const int ok = X509_verify_cert(context);
        if (ok != 1)
            qWarning("verify: %s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(context)));
        X509_STORE_CTX_free(context);
        X509_STORE_free(store);
        return ok == 1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto key = generateP256Key();
        QVERIFY2(key.has_value(), key ? "" : key.error().message.c_str());
        m_caKey = *key;
        QVERIFY(m_caKey.privateKeyPem.starts_with("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(m_caKey.publicKeyPem.starts_with("-----BEGIN PUBLIC KEY-----"));
        auto ca = makeCaCertificate(m_caKey, "Soko Test Device CA", 30);
        QVERIFY2(ca.has_value(), ca ? "" : ca.error().message.c_str());
        m_caCert = *ca;
    }

    void caCertificateIsACa()
    {
        X509Ptr ca = parseCertificate(m_caCert);
        QVERIFY(ca);
        QCOMPARE(X509_check_ca(ca.get()), 1);
        QVERIFY(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
        auto info = inspectCertificate(m_caCert);
        QVERIFY(info.has_value());
        QCOMPARE(info->subjectCommonName, std::string("Soko Test Device CA"));
        QVERIFY(info->deviceId.empty());
        const auto lifetime = info->notAfter - info->notBefore;
        QVERIFY(lifetime > std::chrono::hours(24 * 30 - 1));
        QVERIFY(lifetime < std::chrono::hours(24 * 30 + 1));
    }

    void serverCertificateHasSanAndServerAuth()
    {
        auto key = generateP256Key();
        QVERIFY(key.has_value());
        auto certificate = issueServerCertificate(m_caCert, m_caKey.privateKeyPem, key->publicKeyPem,
                                                  {"localhost", "127.0.0.1", "::1", "soko.example"}, 30);
        QVERIFY2(certificate.has_value(), certificate ? "" : certificate.error().message.c_str());
        QVERIFY(verifiesAgainstCa(*certificate, X509_PURPOSE_SSL_SERVER));
        QVERIFY(!verifiesAgainstCa(*certificate, X509_PURPOSE_SSL_CLIENT));
        X509Ptr leaf = parseCertificate(*certificate);
        QCOMPARE(X509_check_host(leaf.get(), "soko.example", 0, 0, nullptr), 1);
        QCOMPARE(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
        QCOMPARE(X509_check_host(leaf.get(), "evil.example", 0, 0, nullptr), 0);
        QCOMPARE(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
        QCOMPARE(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
        QCOMPARE(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0), 0);
        QCOMPARE(X509_check_ca(leaf.get()), 0);
    }

    void serverCertificateRefusesBadNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("comma injection") << QStringLiteral("a.example,URI:urn:x");
        QTest::newRow("space") << QStringLiteral("a example");
        QTest::newRow("empty") << QString();
    }
    void serverCertificateRefusesBadNames()
    {
        QFETCH(QString, name);
        auto key = generateP256Key();
        QVERIFY(key.has_value());
        auto certificate = issueServerCertificate(m_caCert, m_caKey.privateKeyPem, key->publicKeyPem,
                                                  {"ok.example", name.toStdString()}, 30);
        QVERIFY(!certificate.has_value());
        QCOMPARE(certificate.error().code, Common::ErrorCode::InvalidInput);
        QCOMPARE(certificate.error().position, 1L);
    }

    void deviceCertificateVerifiesAndHasFixedExtensions_data()
    {
        QTest::addColumn<bool>("askForMore");
        QTest::newRow("plain csr") << false;
        QTest::newRow("csr asks CA:TRUE, serverAuth, foreign SAN") << true;
    }
    void deviceCertificateVerifiesAndHasFixedExtensions()
    {
        QFETCH(bool, askForMore);
        KeyPtr deviceKey = generate("EC", "P-256", 0);
        QVERIFY(deviceKey);
        const std::string csr = foreignCsr(deviceKey.get(), "evil-admin", askForMore);
        auto issued = issueDeviceCertificate(m_caCert, m_caKey.privateKeyPem, csr, m_deviceId, 365);
        QVERIFY2(issued.has_value(), issued ? "" : issued.error().message.c_str());
        QVERIFY(verifiesAgainstCa(issued->certificatePem, X509_PURPOSE_SSL_CLIENT));
        QVERIFY(!verifiesAgainstCa(issued->certificatePem, X509_PURPOSE_SSL_SERVER));

        X509Ptr leaf = parseCertificate(issued->certificatePem);
        QCOMPARE(X509_check_ca(leaf.get()), 0);
        QCOMPARE(X509_get_extension_flags(leaf.get()) & EXFLAG_CA, 0u);
        QCOMPARE(X509_get_key_usage(leaf.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
        QCOMPARE(X509_get_extended_key_usage(leaf.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
        // Exactly our six extensions: basicConstraints, keyUsage, EKU, SKI, AKI, SAN.
        QCOMPARE(X509_get_ext_count(leaf.get()), 6);
        auto *names =
            static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, nullptr, nullptr));
        QVERIFY(names);
        QCOMPARE(sk_GENERAL_NAME_num(names), 1);
        const GENERAL_NAME *only = sk_GENERAL_NAME_value(names, 0);
        QCOMPARE(only->type, GEN_URI);
        const std::string uri(reinterpret_cast<const char *>(ASN1_STRING_get0_data(only->d.uniformResourceIdentifier)));
        GENERAL_NAMES_free(names);
        QCOMPARE(uri, "urn:soko:device:" + m_deviceId);
        // The key in the certificate is the CSR's key.
        QCOMPARE(EVP_PKEY_eq(X509_get0_pubkey(leaf.get()), deviceKey.get()), 1);

        auto info = inspectCertificate(issued->certificatePem);
        QVERIFY(info.has_value());
        QCOMPARE(info->deviceId, m_deviceId);
        QCOMPARE(info->subjectCommonName, m_deviceId); // the CSR's subject is ignored
        QCOMPARE(info->serialHex, issued->serialHex);
        QCOMPARE(certificateSerialHex(leaf.get()), issued->serialHex);
        QCOMPARE(deviceIdOfCertificate(leaf.get()), m_deviceId);
        QVERIFY(QRegularExpression(QStringLiteral("^[4-7][0-9A-F]{31}$"))
                    .match(QString::fromStdString(issued->serialHex))
                    .hasMatch());
        const auto lifetime = info->notAfter - info->notBefore;
        QVERIFY(lifetime <= std::chrono::hours(24 * 365) + std::chrono::minutes(2));
        QVERIFY(info->notBefore <= std::chrono::system_clock::now());
    }

    void ourCsrIsAccepted()
    {
        auto key = generateP256Key();
        QVERIFY(key.has_value());
        auto csr = makeCsr(*key, "handheld-7");
        QVERIFY(csr.has_value());
        QVERIFY(csr->starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        auto issued = issueDeviceCertificate(m_caCert, m_caKey.privateKeyPem, *csr, m_deviceId, 90);
        QVERIFY2(issued.has_value(), issued ? "" : issued.error().message.c_str());
        QVERIFY(verifiesAgainstCa(issued->certificatePem, X509_PURPOSE_SSL_CLIENT));
    }

    void badCsrsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("csr");
        QTest::addColumn<QString>("reason");
        KeyPtr rsa = generate("RSA", nullptr, 1024);
        KeyPtr p521 = generate("EC", "P-521", 0);
        KeyPtr p384 = generate("EC", "P-384", 0);
        KeyPtr p256 = generate("EC", "P-256", 0);
        KeyPtr other = generate("EC", "P-256", 0);
        QTest::newRow("rsa-1024") << QByteArray::fromStdString(foreignCsr(rsa.get(), "x", false))
                                  << QStringLiteral("P-256");
        QTest::newRow("p-521") << QByteArray::fromStdString(foreignCsr(p521.get(), "x", false))
                               << QStringLiteral("P-256");
        QTest::newRow("p-384") << QByteArray::fromStdString(foreignCsr(p384.get(), "x", false))
                               << QStringLiteral("P-256");
        QTest::newRow("tampered signature")
            << QByteArray::fromStdString(tamperedSignature(foreignCsr(p256.get(), "x", false)))
            << QStringLiteral("signature");
        // A CSR whose public key was swapped after signing: the signature no longer matches.
        const std::string good = foreignCsr(p256.get(), "x", false);
        BioPtr bio(BIO_new_mem_buf(good.data(), static_cast<int>(good.size())));
        ReqPtr swapped(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
        X509_REQ_set_pubkey(swapped.get(), other.get());
        QTest::newRow("swapped key") << QByteArray::fromStdString(pemOfRequest(swapped.get()))
                                     << QStringLiteral("signature");
        QTest::newRow("garbage") << QByteArray("hello, I am a CSR") << QStringLiteral("PKCS#10");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("PKCS#10");
        QTest::newRow("broken base64")
            << QByteArray("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n")
            << QStringLiteral("PKCS#10");
        QTest::newRow("a certificate, not a csr") << QByteArray::fromStdString(m_caCert) << QStringLiteral("PKCS#10");
    }
    void badCsrsAreRefused()
    {
        QFETCH(QByteArray, csr);
        QFETCH(QString, reason);
        auto issued = issueDeviceCertificate(m_caCert, m_caKey.privateKeyPem, csr.toStdString(), m_deviceId, 30);
        QVERIFY(!issued.has_value());
        QCOMPARE(issued.error().code, Common::ErrorCode::InvalidInput);
        QVERIFY2(QString::fromStdString(issued.error().message).contains(reason), issued.error().message.c_str());
    }

    void badIssueParametersAreRefused_data()
    {
        QTest::addColumn<QString>("deviceId");
        QTest::addColumn<int>("days");
        QTest::addColumn<bool>("foreignCaKey");
        QTest::newRow("366 days") << QString::fromStdString(m_deviceId) << 366 << false;
        QTest::newRow("0 days") << QString::fromStdString(m_deviceId) << 0 << false;
        QTest::newRow("device id not a uuid") << QStringLiteral("abc,DNS:evil") << 30 << false;
        QTest::newRow("CA key does not match") << QString::fromStdString(m_deviceId) << 30 << true;
    }
    void badIssueParametersAreRefused()
    {
        QFETCH(QString, deviceId);
        QFETCH(int, days);
        QFETCH(bool, foreignCaKey);
        auto key = generateP256Key();
        auto csr = makeCsr(*key, "x");
        QVERIFY(csr.has_value());
        auto otherKey = generateP256Key();
        const std::string caKey = foreignCaKey ? otherKey->privateKeyPem : m_caKey.privateKeyPem;
        auto issued = issueDeviceCertificate(m_caCert, caKey, *csr, deviceId.toStdString(), days);
        QVERIFY(!issued.has_value());
        QCOMPARE(issued.error().code, Common::ErrorCode::InvalidInput);
    }

    void foreignCaIsNotTrusted()
    {
        auto otherKey = generateP256Key();
        auto otherCa = makeCaCertificate(*otherKey, "Foreign CA", 30);
        QVERIFY(otherCa.has_value());
        auto key = generateP256Key();
        auto csr = makeCsr(*key, "x");
        auto issued = issueDeviceCertificate(*otherCa, otherKey->privateKeyPem, *csr, m_deviceId, 30);
        QVERIFY(issued.has_value());
        QVERIFY(!verifiesAgainstCa(issued->certificatePem, X509_PURPOSE_SSL_CLIENT));
    }

    void garbagePemIsRefusedEverywhere()
    {
        auto info = inspectCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        QVERIFY(!info.has_value());
        QCOMPARE(info.error().code, Common::ErrorCode::InvalidInput);
        QVERIFY(QString::fromStdString(info.error().message).contains(QStringLiteral("X.509")));
        auto ca = makeCaCertificate(KeyPair{"not a key", ""}, "CA", 10);
        QVERIFY(!ca.has_value());
        QVERIFY(QString::fromStdString(ca.error().message).contains(QStringLiteral("private key")));
        auto server = issueServerCertificate("junk", m_caKey.privateKeyPem, m_caKey.publicKeyPem, {"x"}, 10);
        QVERIFY(!server.has_value());
        QVERIFY(QString::fromStdString(server.error().message).contains(QStringLiteral("CA certificate")));
    }

    void serialsAreUniqueOver1000Issues()
    {
        auto key = generateP256Key();
        auto csr = makeCsr(*key, "x");
        QVERIFY(csr.has_value());
        QSet<QString> serials;
        for (int index = 0; index < 1000; ++index) {
            auto issued = issueDeviceCertificate(m_caCert, m_caKey.privateKeyPem, *csr, m_deviceId, 30);
            QVERIFY(issued.has_value());
            QCOMPARE(issued->serialHex.size(), std::size_t(32));
            serials.insert(QString::fromStdString(issued->serialHex));
        }
        QCOMPARE(serials.size(), 1000);
    }

    void randomUuidAndHex()
    {
        const QRegularExpression format(
            QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
        QSet<QString> seen;
        for (int index = 0; index < 1000; ++index) {
            const QString uuid = QString::fromStdString(randomUuid());
            QVERIFY2(format.match(uuid).hasMatch(), qPrintable(uuid));
            seen.insert(uuid);
        }
        QCOMPARE(seen.size(), 1000);
        const std::string hex = randomHex(16);
        QCOMPARE(hex.size(), std::size_t(32));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(QString::fromStdString(hex)).hasMatch());
        QVERIFY(randomHex(16) != hex);
        QVERIFY(randomHex(0).empty());
    }
};

QTEST_GUILESS_MAIN(TestPki)
#include "tst_pki.moc"
