#include "common/crypto/pki.h"

#include <array>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>

#include <arpa/inet.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace Common::Crypto {
namespace {

// RAII owners for the OpenSSL objects used here.
template <auto FreeFunction> struct Deleter
{
    template <typename T> void operator()(T *pointer) const { FreeFunction(pointer); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using RequestPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
void freeOpensslString(char *text)
{
    OPENSSL_free(text);
}
using StringPtr = std::unique_ptr<char, Deleter<freeOpensslString>>;

constexpr std::string_view deviceUriPrefix = "urn:soko:device:";
constexpr int maxDeviceDays = 365;
constexpr int maxCaDays = 7300;
constexpr int maxServerDays = 825;

// The OpenSSL error queue as one line, cleared so it cannot leak into later TLS calls.
std::string opensslErrors()
{
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> buffer{};
        ERR_error_string_n(code, buffer.data(), buffer.size());
        if (!text.empty())
            text += "; ";
        text += buffer.data();
    }
    return text.empty() ? std::string("no OpenSSL detail") : text;
}

tl::unexpected<Error> cryptoFailure(std::string what)
{
    return fail(ErrorCode::Crypto, what + " (" + opensslErrors() + ")");
}

tl::unexpected<Error> inputFailure(std::string what)
{
    ERR_clear_error();
    return fail(ErrorCode::InvalidInput, std::move(what));
}

BioPtr memoryBio(const std::string &text)
{
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bioText(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

KeyPtr readPrivateKey(const std::string &pem)
{
    const BioPtr bio = memoryBio(pem);
    return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

KeyPtr readPublicKey(const std::string &pem)
{
    const BioPtr bio = memoryBio(pem);
    return KeyPtr(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

X509Ptr readCertificate(const std::string &pem)
{
    const BioPtr bio = memoryBio(pem);
    return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

Result<std::string> certificatePem(X509 *certificate)
{
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
        return cryptoFailure("cannot encode certificate as PEM");
    return bioText(bio.get());
}

bool isP256(EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "EC") != 1)
        return false;
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &length) != 1)
        return false;
    const std::string_view name(group.data(), length);
    return name == "prime256v1" || name == "P-256" || name == "secp256r1";
}

// 16 random bytes, top bit clear (positive INTEGER) and second-highest bit set, so the DER
// encoding and the hex form always have exactly 16 bytes / 32 digits (126 random bits).
Result<IntegerPtr> randomSerial()
{
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return cryptoFailure("RAND_bytes failed");
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x40);
    BignumPtr number(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    IntegerPtr serial(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
    if (!serial)
        return cryptoFailure("cannot build serial number");
    return serial;
}

std::string serialHexOf(const X509 *certificate)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(certificate);
    BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!number)
        return {};
    StringPtr hex(BN_bn2hex(number.get()));
    return hex ? std::string(hex.get()) : std::string();
}

bool setCommonName(X509_NAME *name, const std::string &commonName)
{
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(commonName.data()),
                                      static_cast<int>(commonName.size()), -1, 0) == 1;
}

// Adds one extension written in OpenSSL's config syntax. Only called with our own constant
// values (never with text from a request), so there is nothing to inject.
bool addExtension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    const ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

bool setValidity(X509 *certificate, int days)
{
    // One minute of back-dating absorbs small clock differences between hosts.
    return X509_gmtime_adj(X509_getm_notBefore(certificate), -60) != nullptr &&
           X509_time_adj_ex(X509_getm_notAfter(certificate), days, 0, nullptr) != nullptr;
}

// Common skeleton: v3, random serial, issuer name, subject CN, validity, public key.
Result<X509Ptr> newCertificate(X509 *issuer, EVP_PKEY *subjectKey, const std::string &commonName, int days)
{
    X509Ptr certificate(X509_new());
    if (!certificate)
        return cryptoFailure("X509_new failed");
    auto serial = randomSerial();
    if (!serial)
        return tl::unexpected(serial.error());
    if (X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(certificate.get(), serial->get()) != 1 ||
        !setCommonName(X509_get_subject_name(certificate.get()), commonName) ||
        X509_set_issuer_name(certificate.get(), X509_get_subject_name(issuer ? issuer : certificate.get())) != 1 ||
        !setValidity(certificate.get(), days) || X509_set_pubkey(certificate.get(), subjectKey) != 1)
        return cryptoFailure("cannot fill certificate fields");
    return certificate;
}

Result<void> sign(X509 *certificate, EVP_PKEY *key)
{
    if (X509_sign(certificate, key, EVP_sha256()) <= 0)
        return cryptoFailure("cannot sign certificate");
    return {};
}

struct Issuer
{
    X509Ptr certificate;
    KeyPtr key;
};

Result<Issuer> loadIssuer(const std::string &caCertPem, const std::string &caKeyPem)
{
    Issuer issuer{readCertificate(caCertPem), readPrivateKey(caKeyPem)};
    if (!issuer.certificate)
        return inputFailure("CA certificate is not a valid PEM certificate");
    if (!issuer.key)
        return inputFailure("CA private key is not a valid PEM private key");
    if (X509_check_private_key(issuer.certificate.get(), issuer.key.get()) != 1)
        return inputFailure("CA private key does not match the CA certificate");
    if (X509_check_ca(issuer.certificate.get()) == 0)
        return inputFailure("CA certificate is not a CA (basicConstraints CA:TRUE missing)");
    return issuer;
}

bool isUuid(std::string_view text)
{
    if (text.size() != 36)
        return false;
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char c = text[index];
        if (index == 8 || index == 13 || index == 18 || index == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

bool isPlainName(std::string_view text)
{
    if (text.empty() || text.size() > 253)
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '*';
        if (!ok)
            return false;
    }
    return true;
}

GENERAL_NAME *ipName(const std::string &text)
{
    ASN1_OCTET_STRING *address = a2i_IPADDRESS(text.c_str());
    if (!address)
        return nullptr;
    GENERAL_NAME *name = GENERAL_NAME_new();
    if (!name) {
        ASN1_OCTET_STRING_free(address);
        return nullptr;
    }
    GENERAL_NAME_set0_value(name, GEN_IPADD, address);
    return name;
}

GENERAL_NAME *stringName(int type, std::string_view text)
{
    ASN1_IA5STRING *value = ASN1_IA5STRING_new();
    if (!value || ASN1_STRING_set(value, text.data(), static_cast<int>(text.size())) != 1) {
        ASN1_IA5STRING_free(value);
        return nullptr;
    }
    GENERAL_NAME *name = GENERAL_NAME_new();
    if (!name) {
        ASN1_IA5STRING_free(value);
        return nullptr;
    }
    GENERAL_NAME_set0_value(name, type, value);
    return name;
}

bool addSubjectAltNames(X509 *certificate, const NamesPtr &names)
{
    return X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool isIpAddress(const std::string &text)
{
    std::array<unsigned char, 16> buffer{};
    return inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

std::chrono::system_clock::time_point toTimePoint(const ASN1_TIME *time)
{
    std::tm parts{};
    if (!time || ASN1_TIME_to_tm(time, &parts) != 1)
        return {};
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

} // namespace

Result<KeyPair> generateP256Key()
{
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return cryptoFailure("cannot generate a P-256 key");
    const BioPtr privateBio(BIO_new(BIO_s_mem()));
    const BioPtr publicBio(BIO_new(BIO_s_mem()));
    if (!privateBio || !publicBio ||
        PEM_write_bio_PrivateKey(privateBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_PUBKEY(publicBio.get(), key.get()) != 1)
        return cryptoFailure("cannot encode the key as PEM");
    return KeyPair{bioText(privateBio.get()), bioText(publicBio.get())};
}

Result<std::string> makeCaCertificate(const KeyPair &caKey, const std::string &commonName, int days)
{
    if (commonName.empty() || commonName.size() > 64)
        return inputFailure("CA common name must have 1..64 characters");
    if (days < 1 || days > maxCaDays)
        return inputFailure("CA validity must be 1.." + std::to_string(maxCaDays) + " days");
    const KeyPtr key = readPrivateKey(caKey.privateKeyPem);
    if (!key)
        return inputFailure("CA private key is not a valid PEM private key");
    auto certificate = newCertificate(nullptr, key.get(), commonName, days);
    if (!certificate)
        return tl::unexpected(certificate.error());
    X509 *raw = certificate->get();
    if (!addExtension(raw, raw, NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(raw, raw, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !addExtension(raw, raw, NID_subject_key_identifier, "hash") ||
        !addExtension(raw, raw, NID_authority_key_identifier, "keyid:always"))
        return cryptoFailure("cannot add CA extensions");
    if (auto signedOk = sign(raw, key.get()); !signedOk)
        return tl::unexpected(signedOk.error());
    return certificatePem(raw);
}

Result<std::string> issueServerCertificate(const std::string &caCertPem, const std::string &caKeyPem,
                                           const std::string &serverPublicKeyPem,
                                           const std::vector<std::string> &dnsNamesOrIps, int days)
{
    if (days < 1 || days > maxServerDays)
        return inputFailure("server certificate validity must be 1.." + std::to_string(maxServerDays) + " days");
    if (dnsNamesOrIps.empty())
        return inputFailure("server certificate needs at least one DNS name or IP address");
    auto issuer = loadIssuer(caCertPem, caKeyPem);
    if (!issuer)
        return tl::unexpected(issuer.error());
    const KeyPtr serverKey = readPublicKey(serverPublicKeyPem);
    if (!serverKey)
        return inputFailure("server public key is not a valid PEM public key");

    NamesPtr names(GENERAL_NAMES_new());
    if (!names)
        return cryptoFailure("GENERAL_NAMES_new failed");
    for (std::size_t index = 0; index < dnsNamesOrIps.size(); ++index) {
        const std::string &entry = dnsNamesOrIps[index];
        GENERAL_NAME *name = nullptr;
        if (isIpAddress(entry))
            name = ipName(entry);
        else if (isPlainName(entry))
            name = stringName(GEN_DNS, entry);
        else
            return fail(ErrorCode::InvalidInput, "not a DNS name or IP address: '" + entry + "'",
                        static_cast<long>(index));
        if (!name || sk_GENERAL_NAME_push(names.get(), name) == 0) {
            GENERAL_NAME_free(name);
            return cryptoFailure("cannot build subjectAltName");
        }
    }

    auto certificate = newCertificate(issuer->certificate.get(), serverKey.get(), dnsNamesOrIps.front(), days);
    if (!certificate)
        return tl::unexpected(certificate.error());
    X509 *raw = certificate->get();
    X509 *ca = issuer->certificate.get();
    if (!addExtension(raw, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(raw, ca, NID_key_usage, "critical,digitalSignature") ||
        !addExtension(raw, ca, NID_ext_key_usage, "serverAuth") ||
        !addExtension(raw, ca, NID_subject_key_identifier, "hash") ||
        !addExtension(raw, ca, NID_authority_key_identifier, "keyid:always") || !addSubjectAltNames(raw, names))
        return cryptoFailure("cannot add server certificate extensions");
    if (auto signedOk = sign(raw, issuer->key.get()); !signedOk)
        return tl::unexpected(signedOk.error());
    return certificatePem(raw);
}

Result<std::string> makeCsr(const KeyPair &deviceKey, const std::string &commonName)
{
    if (commonName.empty() || commonName.size() > 64)
        return inputFailure("CSR common name must have 1..64 characters");
    const KeyPtr key = readPrivateKey(deviceKey.privateKeyPem);
    if (!key)
        return inputFailure("device private key is not a valid PEM private key");
    RequestPtr request(X509_REQ_new());
    if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
        !setCommonName(X509_REQ_get_subject_name(request.get()), commonName) ||
        X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
        X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0)
        return cryptoFailure("cannot build CSR");
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1)
        return cryptoFailure("cannot encode CSR as PEM");
    return bioText(bio.get());
}

Result<IssuedDeviceCertificate> issueDeviceCertificate(const std::string &caCertPem, const std::string &caKeyPem,
                                                       const std::string &csrPem, const std::string &deviceId, int days)
{
    if (days < 1 || days > maxDeviceDays)
        return inputFailure("device certificate validity must be 1.." + std::to_string(maxDeviceDays) + " days");
    if (!isUuid(deviceId))
        return inputFailure("device id must be a UUID (8-4-4-4-12 hex digits)");
    constexpr std::size_t maxCsrBytes = 16 * 1024;
    if (csrPem.size() > maxCsrBytes)
        return inputFailure("CSR is larger than " + std::to_string(maxCsrBytes) + " bytes");

    const BioPtr bio = memoryBio(csrPem);
    const RequestPtr request(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!request)
        return inputFailure("CSR is not a PEM-encoded PKCS#10 certificate request");
    EVP_PKEY *requestKey = X509_REQ_get0_pubkey(request.get());
    if (!requestKey)
        return inputFailure("CSR carries no readable public key");
    if (!isP256(requestKey))
        return inputFailure("CSR key must be EC P-256 (prime256v1)");
    if (X509_REQ_verify(request.get(), requestKey) != 1)
        return inputFailure("CSR signature does not verify with its own key");

    auto issuer = loadIssuer(caCertPem, caKeyPem);
    if (!issuer)
        return tl::unexpected(issuer.error());

    // Subject and extensions requested in the CSR are ignored on purpose (REQUIREMENTS.md §2.3).
    auto certificate = newCertificate(issuer->certificate.get(), requestKey, deviceId, days);
    if (!certificate)
        return tl::unexpected(certificate.error());
    X509 *raw = certificate->get();
    X509 *ca = issuer->certificate.get();
    NamesPtr names(GENERAL_NAMES_new());
    GENERAL_NAME *uri = stringName(GEN_URI, std::string(deviceUriPrefix) + deviceId);
    if (!names || !uri || sk_GENERAL_NAME_push(names.get(), uri) == 0) {
        GENERAL_NAME_free(uri);
        return cryptoFailure("cannot build device subjectAltName");
    }
    if (!addExtension(raw, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(raw, ca, NID_key_usage, "critical,digitalSignature") ||
        !addExtension(raw, ca, NID_ext_key_usage, "clientAuth") ||
        !addExtension(raw, ca, NID_subject_key_identifier, "hash") ||
        !addExtension(raw, ca, NID_authority_key_identifier, "keyid:always") || !addSubjectAltNames(raw, names))
        return cryptoFailure("cannot add device certificate extensions");
    if (auto signedOk = sign(raw, issuer->key.get()); !signedOk)
        return tl::unexpected(signedOk.error());
    auto pem = certificatePem(raw);
    if (!pem)
        return tl::unexpected(pem.error());
    return IssuedDeviceCertificate{std::move(*pem), serialHexOf(raw)};
}

Result<CertificateInfo> inspectCertificate(const std::string &certificatePem)
{
    const X509Ptr certificate = readCertificate(certificatePem);
    if (!certificate)
        return inputFailure("not a PEM-encoded X.509 certificate");
    CertificateInfo info;
    info.serialHex = serialHexOf(certificate.get());
    X509_NAME *subject = X509_get_subject_name(certificate.get());
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
        const ASN1_STRING *value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
        unsigned char *utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, value);
        if (length >= 0) {
            info.subjectCommonName.assign(reinterpret_cast<const char *>(utf8), static_cast<std::size_t>(length));
            OPENSSL_free(utf8);
        }
    }
    info.deviceId = deviceIdOfCertificate(certificate.get());
    info.notBefore = toTimePoint(X509_get0_notBefore(certificate.get()));
    info.notAfter = toTimePoint(X509_get0_notAfter(certificate.get()));
    ERR_clear_error();
    return info;
}

std::string certificateSerialHex(const x509_st *certificate)
{
    return certificate ? serialHexOf(certificate) : std::string();
}

std::string deviceIdOfCertificate(const x509_st *certificate)
{
    if (!certificate)
        return {};
    const NamesPtr names(
        static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return {};
    for (int index = 0; index < sk_GENERAL_NAME_num(names.get()); ++index) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), index);
        if (name->type != GEN_URI)
            continue;
        const ASN1_STRING *value = name->d.uniformResourceIdentifier;
        const std::string_view uri(reinterpret_cast<const char *>(ASN1_STRING_get0_data(value)),
                                   static_cast<std::size_t>(ASN1_STRING_length(value)));
        if (uri.starts_with(deviceUriPrefix) && isUuid(uri.substr(deviceUriPrefix.size())))
            return std::string(uri.substr(deviceUriPrefix.size()));
    }
    return {};
}

std::string randomHex(std::size_t bytes)
{
    std::string random(bytes, '\0');
    if (bytes > 0 && RAND_bytes(reinterpret_cast<unsigned char *>(random.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed: " + opensslErrors());
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes * 2);
    for (const char byte : random) {
        const auto value = static_cast<unsigned char>(byte);
        hex += digits[value >> 4];
        hex += digits[value & 0x0F];
    }
    return hex;
}

std::string randomUuid()
{
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("RAND_bytes failed: " + opensslErrors());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40); // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(36);
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        if (index == 4 || index == 6 || index == 8 || index == 10)
            text += '-';
        text += digits[bytes[index] >> 4];
        text += digits[bytes[index] & 0x0F];
    }
    return text;
}

} // namespace Common::Crypto
