#include "server/net/tlscontext.h"

#include <array>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/pki.h"

namespace Server::Net {
namespace {

constexpr unsigned char devicesSessionContext[] = "soko-devices";

// Our own ex_data slot: Asio keeps its verify callback in the SSL_CTX "app data" slot and deletes
// whatever it finds there, so the revocation check must live elsewhere.
int revocationIndex()
{
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

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

tl::unexpected<Common::Error> tlsFailure(const ListenerConfig &listener, const std::string &what)
{
    return Common::fail(Common::ErrorCode::Crypto,
                        std::string(listenerName(listener.kind)) + " listener: " + what + " (" + opensslErrors() + ")");
}

int verifyClientCertificate(int preverifyOk, X509_STORE_CTX *store)
{
    if (preverifyOk != 1)
        return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0)
        return 1;
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto *isRevoked =
        ssl ? static_cast<const RevocationCheck *>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), revocationIndex()))
            : nullptr;
    if (!isRevoked || !*isRevoked)
        return 1;
    const std::string serial = Common::Crypto::certificateSerialHex(X509_STORE_CTX_get_current_cert(store));
    bool revoked = true; // fail closed
    try {
        revoked = serial.empty() || (*isRevoked)(serial);
    } catch (...) {
        revoked = true;
    }
    if (revoked) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
        return 0;
    }
    return 1;
}

} // namespace

void TlsContextFree::operator()(ssl_ctx_st *context) const
{
    SSL_CTX_free(context);
}

Common::Result<TlsContextPtr> makeTlsContext(const ListenerConfig &listener, const RevocationCheck *isRevoked)
{
    ERR_clear_error();
    TlsContextPtr context(SSL_CTX_new(TLS_server_method()));
    if (!context)
        return tlsFailure(listener, "SSL_CTX_new failed");
    SSL_CTX *raw = context.get();
    const bool modern = listener.kind != Listener::Api;

    // No SSL_OP_CIPHER_SERVER_PREFERENCE: Mozilla 6.0 says off for both profiles.
    SSL_CTX_set_options(raw, SSL_OP_ALL | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_SSLv2 |
                                 SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
    if (SSL_CTX_set_min_proto_version(raw, modern ? TLS1_3_VERSION : TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION) != 1)
        return tlsFailure(listener, "cannot set protocol versions");
    if (SSL_CTX_set_cipher_list(raw, std::string(intermediateTls12Ciphers).c_str()) != 1 ||
        SSL_CTX_set_ciphersuites(raw, std::string(tls13Ciphersuites).c_str()) != 1)
        return tlsFailure(listener, "cannot set cipher suites");
    if (SSL_CTX_set1_groups_list(raw, std::string(tlsGroups).c_str()) != 1)
        return tlsFailure(listener, "cannot set key exchange groups");

    if (SSL_CTX_use_certificate_chain_file(raw, listener.certificateChainFile.c_str()) != 1)
        return tlsFailure(listener, "cannot load certificate chain '" + listener.certificateChainFile + "'");
    if (SSL_CTX_use_PrivateKey_file(raw, listener.privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1)
        return tlsFailure(listener, "cannot load private key '" + listener.privateKeyFile + "'");
    if (SSL_CTX_check_private_key(raw) != 1)
        return tlsFailure(listener, "private key does not match the certificate");

    if (!listener.clientCaFile.empty()) {
        // Without a session id context every resumption on a verify_peer context fails (§2.3 a).
        if (SSL_CTX_set_session_id_context(raw, devicesSessionContext, sizeof devicesSessionContext - 1) != 1)
            return tlsFailure(listener, "cannot set session id context");
        // Trust only the device CA: no default paths are loaded into this store.
        if (SSL_CTX_load_verify_locations(raw, listener.clientCaFile.c_str(), nullptr) != 1)
            return tlsFailure(listener, "cannot load client CA '" + listener.clientCaFile + "'");
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(listener.clientCaFile.c_str());
        if (!names)
            return tlsFailure(listener, "cannot read client CA names from '" + listener.clientCaFile + "'");
        SSL_CTX_set_client_CA_list(raw, names);
        if (SSL_CTX_set_purpose(raw, X509_PURPOSE_SSL_CLIENT) != 1)
            return tlsFailure(listener, "cannot require the clientAuth purpose");
        SSL_CTX_set_verify_depth(raw, 4);
        if (SSL_CTX_set_ex_data(raw, revocationIndex(), const_cast<RevocationCheck *>(isRevoked)) != 1)
            return tlsFailure(listener, "cannot attach the revocation check");
        SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyClientCertificate);
    }
    ERR_clear_error();
    return context;
}

} // namespace Server::Net
