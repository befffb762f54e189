#include "server/auth/tokens.h"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "server/auth/mac.h"
#include "server/auth/totp.h"

namespace Server::Auth {

namespace {

constexpr std::string_view kCsrfContext = "soko-csrf-v1|";
constexpr std::size_t kMinCsrfKeyBytes = 32;
constexpr std::size_t kCsrfTokenCharacters = 43; // base64url of 32 bytes
constexpr std::size_t kMaxSessionIdBytes = 1024;
constexpr std::size_t kRecoveryCodeBytes = 15; // 120 bits = 24 base32 characters
constexpr std::size_t kRecoveryGroup = 4;
constexpr std::size_t kMaxTypedRecoveryCode = 128;

static_assert(kRecoveryCodeBytes * 8 == kRecoveryCodeCharacters * 5);

} // namespace

std::string base64UrlEncode(std::span<const std::uint8_t> bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t index = 0;
    for (; index + 3 <= bytes.size(); index += 3) {
        const std::uint32_t group = (std::uint32_t{bytes[index]} << 16) | (std::uint32_t{bytes[index + 1]} << 8) |
                                    std::uint32_t{bytes[index + 2]};
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
        out += kAlphabet[(group >> 6) & 0x3F];
        out += kAlphabet[group & 0x3F];
    }
    const std::size_t rest = bytes.size() - index;
    if (rest == 1) {
        const std::uint32_t group = std::uint32_t{bytes[index]} << 16;
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
    } else if (rest == 2) {
        const std::uint32_t group = (std::uint32_t{bytes[index]} << 16) | (std::uint32_t{bytes[index + 1]} << 8);
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
        out += kAlphabet[(group >> 6) & 0x3F];
    }
    return out;
}

Common::Result<std::string> randomToken(std::size_t bytes)
{
    if (bytes < kMinTokenBytes || bytes > kMaxTokenBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, "token size must be 16 to 1024 bytes");
    auto random = Detail::randomBytes(bytes);
    if (!random)
        return tl::unexpected(random.error());
    std::string token = base64UrlEncode(*random);
    OPENSSL_cleanse(random->data(), random->size());
    return token;
}

Common::Result<std::string> sha256Hex(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE] = {};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length != 32)
        return Common::fail(Common::ErrorCode::Crypto, "SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(64);
    for (unsigned int index = 0; index < length; ++index) {
        hex += kHex[digest[index] >> 4];
        hex += kHex[digest[index] & 0x0F];
    }
    return hex;
}

Common::Result<std::array<std::uint8_t, 32>> hmacSha256(std::span<const std::uint8_t> key,
                                                        std::span<const std::uint8_t> data)
{
    const auto mac = Detail::hmac("SHA256", key, data);
    if (!mac)
        return tl::unexpected(mac.error());
    if (mac->size() != 32)
        return Common::fail(Common::ErrorCode::Crypto, "HMAC-SHA256 returned the wrong size");
    std::array<std::uint8_t, 32> out{};
    std::memcpy(out.data(), mac->data(), out.size());
    return out;
}

Common::Result<std::string> csrfToken(std::span<const std::uint8_t> key, std::string_view sessionId)
{
    if (key.size() < kMinCsrfKeyBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, "CSRF key must be at least 32 bytes");
    if (sessionId.empty() || sessionId.size() > kMaxSessionIdBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, "session id must be 1 to 1024 bytes");
    // A fixed context prefix keeps these MACs apart from anything else computed with the same key.
    std::string message(kCsrfContext);
    message += sessionId;
    const auto mac = hmacSha256(key, Detail::asBytes(message));
    if (!mac)
        return tl::unexpected(mac.error());
    return base64UrlEncode(*mac);
}

bool checkCsrfToken(std::span<const std::uint8_t> key, std::string_view sessionId, std::string_view token)
{
    if (token.size() != kCsrfTokenCharacters)
        return false;
    const auto expected = csrfToken(key, sessionId);
    if (!expected || expected->size() != token.size())
        return false;
    return CRYPTO_memcmp(expected->data(), token.data(), token.size()) == 0;
}

Common::Result<std::vector<std::string>> generateRecoveryCodes()
{
    std::vector<std::string> codes;
    codes.reserve(kRecoveryCodeCount);
    for (std::size_t count = 0; count < kRecoveryCodeCount; ++count) {
        auto random = Detail::randomBytes(kRecoveryCodeBytes);
        if (!random)
            return tl::unexpected(random.error());
        const std::string plain = base32Encode(*random);
        OPENSSL_cleanse(random->data(), random->size());
        std::string grouped;
        for (std::size_t index = 0; index < plain.size(); ++index) {
            if (index > 0 && index % kRecoveryGroup == 0)
                grouped += '-';
            grouped += plain[index];
        }
        codes.push_back(std::move(grouped));
    }
    return codes;
}

Common::Result<std::string> normalizeRecoveryCode(std::string_view typed)
{
    if (typed.size() > kMaxTypedRecoveryCode)
        return Common::fail(Common::ErrorCode::InvalidInput, "recovery code is too long");
    std::string code;
    code.reserve(kRecoveryCodeCharacters);
    for (std::size_t index = 0; index < typed.size(); ++index) {
        char character = typed[index];
        if (character == '-' || character == ' ')
            continue;
        if (character >= 'a' && character <= 'z')
            character = static_cast<char>(character - 'a' + 'A');
        const bool base32 = (character >= 'A' && character <= 'Z') || (character >= '2' && character <= '7');
        if (!base32)
            return Common::fail(Common::ErrorCode::InvalidInput, "recovery codes use only A-Z and 2-7",
                                static_cast<long>(index));
        code += character;
    }
    if (code.size() != kRecoveryCodeCharacters)
        return Common::fail(Common::ErrorCode::InvalidInput, "a recovery code has 24 letters and digits");
    return code;
}

Common::Result<std::string> recoveryCodeHash(std::string_view typed)
{
    const auto code = normalizeRecoveryCode(typed);
    if (!code)
        return tl::unexpected(code.error());
    return sha256Hex(*code);
}

} // namespace Server::Auth
