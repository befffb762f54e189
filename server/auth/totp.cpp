#include "server/auth/totp.h"

#include <array>

#include <openssl/crypto.h>

#include "server/auth/mac.h"

namespace Server::Auth {

namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kMaxLabelPartBytes = 256;

const char *digestName(OtpAlgorithm algorithm)
{
    switch (algorithm) {
    case OtpAlgorithm::Sha1:
        return "SHA1";
    case OtpAlgorithm::Sha256:
        return "SHA256";
    case OtpAlgorithm::Sha512:
        return "SHA512";
    }
    return "SHA1";
}

int base32Value(char character)
{
    if (character >= 'A' && character <= 'Z')
        return character - 'A';
    if (character >= 'a' && character <= 'z')
        return character - 'a';
    if (character >= '2' && character <= '7')
        return character - '2' + 26;
    return -1;
}

// RFC 3986 §2.3 unreserved characters stay, every other byte becomes %XX (upper-case hex).
std::string percentEncode(std::string_view text)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char character : text) {
        const auto byte = static_cast<unsigned char>(character);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                                byte == '~';
        if (unreserved) {
            out += character;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        }
    }
    return out;
}

Common::Result<void> checkLabelPart(std::string_view what, std::string_view value)
{
    if (value.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(what) + " is empty");
    if (value.size() > kMaxLabelPartBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(what) + " is longer than 256 bytes");
    if (const auto colon = value.find(':'); colon != std::string_view::npos)
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(what) + " contains ':'",
                            static_cast<long>(colon));
    return {};
}

} // namespace

Common::Result<std::string> hotp(std::span<const std::uint8_t> key, std::uint64_t counter, int digits,
                                 OtpAlgorithm algorithm)
{
    if (digits != 6 && digits != 8)
        return Common::fail(Common::ErrorCode::InvalidInput, "HOTP digits must be 6 or 8");
    if (key.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "HOTP key is empty");
    // RFC 4226 §5.2: the counter is an 8-byte big-endian value.
    std::array<std::uint8_t, 8> message{};
    for (int index = 7; index >= 0; --index) {
        message[static_cast<std::size_t>(index)] = static_cast<std::uint8_t>(counter & 0xFF);
        counter >>= 8;
    }
    const auto mac = Detail::hmac(digestName(algorithm), key, message);
    if (!mac)
        return tl::unexpected(mac.error());
    // RFC 4226 §5.3 dynamic truncation: offset from the low nibble of the last byte, 31-bit value.
    const std::size_t offset = mac->back() & 0x0F;
    const std::uint32_t binary = (static_cast<std::uint32_t>((*mac)[offset] & 0x7F) << 24) |
                                 (static_cast<std::uint32_t>((*mac)[offset + 1]) << 16) |
                                 (static_cast<std::uint32_t>((*mac)[offset + 2]) << 8) |
                                 static_cast<std::uint32_t>((*mac)[offset + 3]);
    std::uint32_t modulus = 1;
    for (int index = 0; index < digits; ++index)
        modulus *= 10;
    std::uint32_t value = binary % modulus;
    std::string code(static_cast<std::size_t>(digits), '0');
    for (int index = digits - 1; index >= 0; --index) {
        code[static_cast<std::size_t>(index)] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return code;
}

Common::Result<std::int64_t> totpStep(std::int64_t unixSeconds, std::int64_t periodSeconds)
{
    if (periodSeconds <= 0)
        return Common::fail(Common::ErrorCode::InvalidInput, "TOTP period must be positive");
    if (unixSeconds < 0)
        return Common::fail(Common::ErrorCode::InvalidInput, "time before 1970 has no TOTP step");
    return unixSeconds / periodSeconds;
}

Common::Result<std::string> totp(std::span<const std::uint8_t> key, std::int64_t unixSeconds, int digits,
                                 OtpAlgorithm algorithm, std::int64_t periodSeconds)
{
    const auto step = totpStep(unixSeconds, periodSeconds);
    if (!step)
        return tl::unexpected(step.error());
    return hotp(key, static_cast<std::uint64_t>(*step), digits, algorithm);
}

bool isWellFormedCode(std::string_view code)
{
    if (code.size() != static_cast<std::size_t>(kTotpDigits))
        return false;
    for (const char character : code) {
        if (character < '0' || character > '9')
            return false;
    }
    return true;
}

std::optional<std::int64_t> verifyTotp(std::span<const std::uint8_t> seed, std::string_view code,
                                       std::int64_t unixSeconds, std::int64_t lastAcceptedStep)
{
    if (!isWellFormedCode(code) || seed.empty())
        return std::nullopt;
    const auto current = totpStep(unixSeconds);
    if (!current)
        return std::nullopt;
    // Every candidate is computed and compared, so the time taken does not tell which step matched.
    std::optional<std::int64_t> matched;
    for (std::int64_t step = *current - 1; step <= *current + 1; ++step) {
        if (step < 0)
            continue;
        const auto expected = hotp(seed, static_cast<std::uint64_t>(step));
        if (!expected)
            return std::nullopt;
        const bool equal = CRYPTO_memcmp(expected->data(), code.data(), code.size()) == 0;
        if (equal && step > lastAcceptedStep && !matched)
            matched = step;
    }
    return matched;
}

Common::Result<std::vector<std::uint8_t>> generateSeed()
{
    return Detail::randomBytes(kTotpSeedBytes);
}

std::string base32Encode(std::span<const std::uint8_t> bytes)
{
    std::string out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t byte : bytes) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += kBase32Alphabet[(buffer >> bits) & 0x1F];
        }
    }
    if (bits > 0)
        out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1F];
    return out;
}

Common::Result<std::vector<std::uint8_t>> base32Decode(std::string_view text)
{
    if (text.size() > 4096)
        return Common::fail(Common::ErrorCode::TooLarge, "base32 text longer than 4096 characters");
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 5 / 8);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t index = 0; index < text.size(); ++index) {
        const int value = base32Value(text[index]);
        if (value < 0)
            return Common::fail(Common::ErrorCode::BadCharacter, "not a base32 character", static_cast<long>(index));
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
        }
    }
    // Unpadded base32 never ends after 1, 3 or 6 characters of an 8-character group.
    switch (text.size() % 8) {
    case 1:
    case 3:
    case 6:
        return Common::fail(Common::ErrorCode::BadLength, "base32 text has an impossible length",
                            static_cast<long>(text.size()));
    default:
        break;
    }
    // Canonical encodings end with zero bits (RFC 4648 §3.5); anything else is a typo or tampering.
    if (bits > 0 && (buffer & ((1U << bits) - 1)) != 0)
        return Common::fail(Common::ErrorCode::InvalidInput, "base32 text has non-zero trailing bits",
                            static_cast<long>(text.size() - 1));
    return out;
}

Common::Result<std::string> otpauthUri(std::string_view issuer, std::string_view account,
                                       std::span<const std::uint8_t> seed)
{
    if (auto checked = checkLabelPart("issuer", issuer); !checked)
        return tl::unexpected(checked.error());
    if (auto checked = checkLabelPart("account", account); !checked)
        return tl::unexpected(checked.error());
    if (seed.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "TOTP seed is empty");
    const std::string encodedIssuer = percentEncode(issuer);
    return "otpauth://totp/" + encodedIssuer + ":" + percentEncode(account) + "?secret=" + base32Encode(seed) +
           "&issuer=" + encodedIssuer + "&algorithm=SHA1&digits=6&period=30";
}

} // namespace Server::Auth
