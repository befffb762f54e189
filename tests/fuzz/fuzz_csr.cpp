// Fuzz target: the PKCS#10 CSR a terminal sends at enrollment (POST /api/v1/enroll), as the
// server's certificate issuer reads it (common/crypto/pki.h, issueDeviceCertificate). An input
// starting with "-----BEGIN" is the CSR text as sent; any other input is taken as DER and wrapped
// in a PEM "CERTIFICATE REQUEST" block first, so mutations reach the ASN.1 structure instead of
// only breaking the base64. The CA is a fresh P-256 one made once per process.
// Invariants: no crash or sanitizer report; a refusal is InvalidInput or Crypto with a message;
// an issued certificate reads back with inspectCertificate() with CN = SAN device id = the id
// asked for, the serial reported at issue time, and a validity of at most the days asked for.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/crypto/pki.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Common::Crypto;

struct Authority
{
    std::string certificatePem;
    std::string keyPem;
};

const Authority &authority()
{
    static const Authority made = [] {
        const auto key = generateP256Key();
        FUZZ_CHECK(key.has_value(), "cannot make the CA key");
        const auto certificate = makeCaCertificate(*key, "Soko fuzz device CA", 30);
        FUZZ_CHECK(certificate.has_value(), "cannot make the CA certificate");
        return Authority{*certificate, key->privateKeyPem};
    }();
    return made;
}

std::string pemOfDer(const std::uint8_t *data, std::size_t size)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string base64;
    for (std::size_t index = 0; index < size; index += 3) {
        const std::uint32_t chunk = (std::uint32_t{data[index]} << 16) |
                                    (index + 1 < size ? std::uint32_t{data[index + 1]} << 8 : 0u) |
                                    (index + 2 < size ? std::uint32_t{data[index + 2]} : 0u);
        base64 += alphabet[(chunk >> 18) & 63];
        base64 += alphabet[(chunk >> 12) & 63];
        base64 += index + 1 < size ? alphabet[(chunk >> 6) & 63] : '=';
        base64 += index + 2 < size ? alphabet[chunk & 63] : '=';
    }
    std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
    for (std::size_t at = 0; at < base64.size(); at += 64)
        pem += base64.substr(at, 64) + "\n";
    return pem + "-----END CERTIFICATE REQUEST-----\n";
}

constexpr const char *s_deviceId = "6f1c2a1e-8a4b-4c1e-9d2f-0a1b2c3d4e5f";

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::string csr(reinterpret_cast<const char *>(data), size);
    if (!csr.starts_with("-----BEGIN"))
        csr = pemOfDer(data, size);
    const Authority &ca = authority();
    const auto issued = issueDeviceCertificate(ca.certificatePem, ca.keyPem, csr, s_deviceId, 7);
    if (!issued) {
        FUZZ_CHECK(issued.error().code == Common::ErrorCode::InvalidInput ||
                       issued.error().code == Common::ErrorCode::Crypto,
                   "unexpected error code for a bad CSR");
        FUZZ_CHECK(!issued.error().message.empty(), "refusal without a message");
        return 0;
    }
    const auto info = inspectCertificate(issued->certificatePem);
    FUZZ_CHECK(info.has_value(), "an issued certificate does not read back");
    FUZZ_CHECK(info->deviceId == s_deviceId, "SAN device id is not the one asked for");
    FUZZ_CHECK(info->subjectCommonName == s_deviceId, "CN is not the device id (the CSR's subject leaked through)");
    FUZZ_CHECK(info->serialHex == issued->serialHex, "serial differs from the one reported");
    FUZZ_CHECK(info->notAfter - info->notBefore <= std::chrono::hours(24 * 7 + 1), "validity longer than asked");
    return 0;
}
