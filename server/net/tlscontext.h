#pragma once
#include <functional>
#include <memory>
#include <string_view>
#include "common/support/result.h"
#include "server/net/httpsserver.h"

struct ssl_ctx_st; // OpenSSL's SSL_CTX

// Builds the OpenSSL server context of one listener (REQUIREMENTS.md §2.1, §2.2): devices and
// admin get Mozilla "modern" (TLS 1.3 only), api gets "intermediate" (TLS 1.2 + 1.3, the 6.0
// cipher list); groups X25519:prime256v1:secp384r1, no renegotiation, no compression, no server
// cipher preference. With a clientCaFile: mutual TLS trusting only that CA, clientAuth purpose,
// session id context set, and `isRevoked(serialHex)` consulted for the leaf on fresh handshakes
// (alert 44 certificate_revoked). `isRevoked` must outlive the context; a throw counts as revoked.
namespace Server::Net {

struct TlsContextFree
{
    void operator()(ssl_ctx_st *context) const;
};
using TlsContextPtr = std::unique_ptr<ssl_ctx_st, TlsContextFree>;

using RevocationCheck = std::function<bool(std::string_view serialHex)>;

// Errors: Crypto (unreadable/mismatched certificate or key files, OpenSSL refusing a setting).
Common::Result<TlsContextPtr> makeTlsContext(const ListenerConfig &listener, const RevocationCheck *isRevoked);

inline constexpr std::string_view intermediateTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr std::string_view tls13Ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr std::string_view tlsGroups = "X25519:prime256v1:secp384r1";

} // namespace Server::Net
