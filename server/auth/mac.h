#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/support/result.h"

// Internal helpers shared by totp/tokens/secretbox: one-shot HMAC through OpenSSL EVP_MAC (RFC 2104)
// and RAND_bytes. Not part of the public API.
namespace Server::Auth::Detail {

// HMAC with `digest` ("SHA1", "SHA256", "SHA512") over `data`. Errors: InvalidInput (empty key),
// Crypto (OpenSSL failure).
Common::Result<std::vector<std::uint8_t>> hmac(const char *digest, std::span<const std::uint8_t> key,
                                               std::span<const std::uint8_t> data);

// `count` bytes from OpenSSL's CSPRNG; Crypto error when RAND_bytes fails.
Common::Result<std::vector<std::uint8_t>> randomBytes(std::size_t count);

std::span<const std::uint8_t> asBytes(std::string_view text);

} // namespace Server::Auth::Detail
