#include "server/auth/mac.h"

#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace Server::Auth::Detail {

Common::Result<std::vector<std::uint8_t>> hmac(const char *digest, std::span<const std::uint8_t> key,
                                               std::span<const std::uint8_t> data)
{
    if (key.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "HMAC key is empty");
    // OSSL_PARAM wants a non-const char*; OpenSSL only reads it.
    std::string digestName(digest);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", digestName.data(), 0),
        OSSL_PARAM_construct_end(),
    };
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    std::size_t length = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, nullptr, params, key.data(), key.size(), data.data(), data.size(),
                  out.data(), out.size(), &length) == nullptr)
        return Common::fail(Common::ErrorCode::Crypto, std::string("HMAC-") + digest + " failed");
    out.resize(length);
    return out;
}

Common::Result<std::vector<std::uint8_t>> randomBytes(std::size_t count)
{
    if (count > (1U << 20))
        return Common::fail(Common::ErrorCode::InvalidInput, "too many random bytes requested");
    std::vector<std::uint8_t> out(count);
    if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1)
        return Common::fail(Common::ErrorCode::Crypto, "RAND_bytes failed");
    return out;
}

std::span<const std::uint8_t> asBytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t *>(text.data()), text.size()};
}

} // namespace Server::Auth::Detail
