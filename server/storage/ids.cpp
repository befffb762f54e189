#include "server/storage/ids.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
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

std::string utcNowIso()
{
    const auto now = std::chrono::system_clock::now();
    const auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(milliseconds));
    return text;
}

} // namespace Server::Storage
