#pragma once
#include <chrono>
#include <string>
#include <vector>
#include "common/support/result.h"

struct x509_st; // OpenSSL's X509, so callers that hold one need not include OpenSSL here

// The device/server PKI that both sides share (DESIGN.md security §4, REQUIREMENTS.md §2.3), over
// OpenSSL 3.0 EVP/X509 APIs. All keys and certificates travel as PEM text. Times are UTC.
namespace Common::Crypto {

struct KeyPair
{
    std::string privateKeyPem;   // PKCS#8
    std::string publicKeyPem;
};

// A fresh ECDSA P-256 key pair (RAND_bytes-backed).
Result<KeyPair> generateP256Key();

// A self-signed CA certificate for `commonName`, valid `days` days, basicConstraints CA:TRUE,
// keyUsage keyCertSign+cRLSign.
Result<std::string> makeCaCertificate(const KeyPair &caKey, const std::string &commonName, int days);

// A TLS server certificate for `dnsNamesOrIps` (SAN DNS or IP entries), signed by the CA,
// extendedKeyUsage serverAuth, validity ≤ `days`.
Result<std::string> issueServerCertificate(const std::string &caCertPem, const std::string &caKeyPem,
                                           const std::string &serverPublicKeyPem,
                                           const std::vector<std::string> &dnsNamesOrIps, int days);

// A PKCS#10 CSR for a device key, subject CN = `commonName`, signed with the device key.
Result<std::string> makeCsr(const KeyPair &deviceKey, const std::string &commonName);

struct IssuedDeviceCertificate
{
    std::string certificatePem;
    std::string serialHex;       // upper-case hex of the 16-byte random serial
};

// Issues a device client certificate from a CSR: verifies the CSR signature and that its key is
// EC P-256; ignores every extension and the subject the CSR asks for; sets CN = deviceId, SAN
// URI urn:soko:device:<deviceId>, CA:FALSE, keyUsage digitalSignature, EKU clientAuth, random
// 16-byte positive serial, validity `days` (≤ 365). Errors: InvalidInput (bad CSR / key type,
// deviceId not an 8-4-4-4-12 hex UUID, days outside 1..365, CA key not matching the CA), Crypto.
Result<IssuedDeviceCertificate> issueDeviceCertificate(const std::string &caCertPem, const std::string &caKeyPem,
                                                       const std::string &csrPem, const std::string &deviceId,
                                                       int days);

struct CertificateInfo
{
    std::string serialHex;
    std::string subjectCommonName;
    std::string deviceId;        // from SAN URI urn:soko:device:<id>, empty if absent
    std::chrono::system_clock::time_point notBefore;
    std::chrono::system_clock::time_point notAfter;
};
Result<CertificateInfo> inspectCertificate(const std::string &certificatePem);

// Serial of a parsed certificate as upper-case hex without leading zeros (the form of
// IssuedDeviceCertificate::serialHex and CertificateInfo::serialHex); empty for nullptr.
std::string certificateSerialHex(const x509_st *certificate);
// The <uuid> of the first SAN URI urn:soko:device:<uuid>; empty if there is none.
std::string deviceIdOfCertificate(const x509_st *certificate);

// Random bytes from OpenSSL's CSPRNG, as lower-case hex / as an RFC 4122 v4 UUID string.
std::string randomHex(std::size_t bytes);
std::string randomUuid();

} // namespace Common::Crypto
