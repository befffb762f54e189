#include "server/storage/ids.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

namespace Server::Storage {

namespace {
std::string toHex(const unsigned char *data, std::size_t size)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0x0f];
    }
    return out;
}
void ensureSodium()
{
    // sodium_init is idempotent and thread-safe; it only fails if no entropy source exists.
    static const int ready = sodium_init();
    (void)ready;
}
} // namespace

std::string randomUuid()
{
    ensureSodium();
    std::array<unsigned char, 16> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40); // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    const std::string hex = toHex(bytes.data(), bytes.size());
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
           hex.substr(20);
}

std::string randomToken(std::size_t bytes)
{
    ensureSodium();
    std::string buffer(bytes, '\0');
    randombytes_buf(buffer.data(), buffer.size());
    return toHex(reinterpret_cast<const unsigned char *>(buffer.data()), buffer.size());
}

std::string sha256Hex(std::string_view data)
{
    ensureSodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char *>(data.data()), data.size());
    return toHex(digest.data(), digest.size());
}

bool equalDigests(std::string_view left, std::string_view right)
{
    if (left.size() != right.size())
        return false;
    return sodium_memcmp(left.data(), right.data(), left.size()) == 0;
}

std::string isoTime(std::chrono::system_clock::time_point time)
{
    const auto milliseconds = std::chrono::floor<std::chrono::milliseconds>(time);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(milliseconds);
    const std::time_t whole = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&whole, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>((milliseconds - seconds).count()));
    return text;
}

std::string utcNowIso()
{
    return isoTime(std::chrono::system_clock::now());
}

std::optional<std::string> shiftIsoTime(std::string_view iso, std::int64_t seconds)
{
    // "YYYY-MM-DDTHH:MM:SSZ" (20) or "YYYY-MM-DDTHH:MM:SS.mmmZ" (24), digits where digits belong.
    if (iso.size() != 20 && iso.size() != 24)
        return std::nullopt;
    constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (std::size_t i = 0; i < iso.size(); ++i) {
        const char expected = i == iso.size() - 1 ? 'Z' : shape[i];
        const bool digit = iso[i] >= '0' && iso[i] <= '9';
        if (expected == 'd' ? !digit : iso[i] != expected)
            return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t length) {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i)
            value = value * 10 + (iso[i] - '0');
        return value;
    };
    std::tm utc{};
    utc.tm_year = number(0, 4) - 1900;
    utc.tm_mon = number(5, 2) - 1;
    utc.tm_mday = number(8, 2);
    utc.tm_hour = number(11, 2);
    utc.tm_min = number(14, 2);
    utc.tm_sec = number(17, 2);
    const int milliseconds = iso.size() == 24 ? number(20, 3) : 0;
    const std::tm written = utc;
    const std::time_t parsed = ::timegm(&utc); // normalises out-of-range fields into utc
    if (utc.tm_year != written.tm_year || utc.tm_mon != written.tm_mon || utc.tm_mday != written.tm_mday ||
        utc.tm_hour != written.tm_hour || utc.tm_min != written.tm_min || utc.tm_sec != written.tm_sec)
        return std::nullopt; // 2026-02-30, 24:00, a leap second: not a time we write
    const std::time_t moved = parsed + static_cast<std::time_t>(seconds);
    std::tm out{};
    if (!gmtime_r(&moved, &out) || out.tm_year + 1900 < 0 || out.tm_year + 1900 > 9999)
        return std::nullopt;
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", out.tm_year + 1900, out.tm_mon + 1,
                  out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec, milliseconds);
    return std::string(text);
}

Common::Result<std::string> checkedIsoTime(std::string_view text)
{
    auto normalised = shiftIsoTime(text, 0);
    if (!normalised)
        return Common::fail(Common::ErrorCode::InvalidInput,
                            "not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS[.mmm]Z): '" +
                                std::string(text.substr(0, 40)) + "'");
    return *normalised;
}

Common::Result<std::string> randomBase32(std::size_t characters)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::vector<unsigned char> bytes((characters * 5 + 7) / 8);
    if (!bytes.empty() && RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return Common::fail(Common::ErrorCode::Crypto, "RAND_bytes failed");
    std::string out;
    out.reserve(characters);
    for (std::size_t i = 0; i < characters; ++i) {
        // Bits 5i … 5i+4 of the byte string, most significant first (RFC 4648 order).
        const std::size_t bit = i * 5;
        unsigned value = static_cast<unsigned>(bytes[bit / 8]) << 8;
        if (bit / 8 + 1 < bytes.size())
            value |= bytes[bit / 8 + 1];
        out += alphabet[(value >> (11 - bit % 8)) & 0x1F];
    }
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return out;
}

std::string setupTokenDigest(std::string_view typed)
{
    std::string normalised;
    normalised.reserve(typed.size());
    for (const char c : typed) {
        if (c == ' ' || c == '-')
            continue;
        normalised += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(normalised.data(), normalised.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
        size = 0; // cannot happen with the built-in SHA-256; an empty digest then matches nothing stored
    OPENSSL_cleanse(normalised.data(), normalised.size());
    return toHex(digest.data(), size);
}

} // namespace Server::Storage
