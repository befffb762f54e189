#include "server/audit/signingkey.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "server/storage/auditchain.h"

namespace Server::Audit {

namespace {

using Common::ErrorCode;

std::shared_ptr<evp_pkey_st> own(EVP_PKEY *key)
{
    return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

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

bool fromHex(std::string_view hex, std::string &out)
{
    if (hex.size() % 2)
        return false;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    out.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = nibble(hex[i]);
        const int low = nibble(hex[i + 1]);
        if (high < 0 || low < 0)
            return false;
        out += static_cast<char>((high << 4) | low);
    }
    return true;
}

// PEM text of a BIO written by `write`.
template <typename Write> std::string pemOf(Write write)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return {};
    std::string out;
    if (write(bio) == 1) {
        char *data = nullptr;
        const long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data); // BIO_get_mem_data without its C cast
        if (size > 0)
            out.assign(data, static_cast<std::size_t>(size));
    }
    BIO_free(bio);
    return out;
}

Common::Result<std::string> readKeyFile(const std::filesystem::path &path)
{
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (descriptor < 0) {
        if (errno == ENOENT)
            return Common::fail(ErrorCode::NotFound, path.string() + " does not exist");
        return Common::fail(ErrorCode::Io, "cannot open " + path.string() + ": " + std::strerror(errno));
    }
    struct stat status = {};
    if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(descriptor);
        return Common::fail(ErrorCode::Io, path.string() + " is not a regular file");
    }
    if ((status.st_mode & 077) != 0) {
        ::close(descriptor);
        return Common::fail(ErrorCode::Forbidden,
                            path.string() + " is readable by group or others; it must be mode 0600 (chmod 600)");
    }
    std::string text;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t read = ::read(descriptor, buffer.data(), buffer.size());
        if (read < 0 && errno == EINTR)
            continue;
        if (read <= 0)
            break;
        text.append(buffer.data(), static_cast<std::size_t>(read));
        if (text.size() > 16 * 1024) {
            ::close(descriptor);
            return Common::fail(ErrorCode::TooLarge, path.string() + " is too large for a key file");
        }
    }
    ::close(descriptor);
    return text;
}

} // namespace

Common::Result<AuditPublicKey> AuditPublicKey::fromKey(std::shared_ptr<evp_pkey_st> key)
{
    std::array<unsigned char, 32> raw{};
    std::size_t size = raw.size();
    if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519 ||
        EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &size) != 1 || size != raw.size())
        return Common::fail(ErrorCode::InvalidInput, "not an Ed25519 key");
    AuditPublicKey out;
    out.m_keyId =
        Storage::sha256HexOf(std::string_view(reinterpret_cast<const char *>(raw.data()), size)).substr(0, 16);
    out.m_pem = pemOf([&](BIO *bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
    out.m_key = std::move(key);
    return out;
}

Common::Result<AuditPublicKey> AuditPublicKey::fromPem(std::string_view pem)
{
    BIO *bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (!bio)
        return Common::fail(ErrorCode::Crypto, "out of memory");
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key)
        return Common::fail(ErrorCode::InvalidInput, "not a PEM public key (BEGIN PUBLIC KEY)");
    return fromKey(own(key));
}

bool AuditPublicKey::verify(std::string_view message, std::string_view signatureHex) const
{
    std::string signature;
    if (!m_key || signatureHex.size() != 128 || !fromHex(signatureHex, signature))
        return false;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context)
        return false;
    const bool valid =
        EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, m_key.get()) == 1 &&
        EVP_DigestVerify(context, reinterpret_cast<const unsigned char *>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char *>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(context);
    return valid;
}

Common::Result<AuditSigningKey> AuditSigningKey::load(const std::filesystem::path &path)
{
    auto text = readKeyFile(path);
    if (!text)
        return tl::unexpected(text.error());
    BIO *bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
    if (!bio)
        return Common::fail(ErrorCode::Crypto, "out of memory");
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    OPENSSL_cleanse(text->data(), text->size());
    if (!key)
        return Common::fail(ErrorCode::InvalidInput, path.string() + " is not a PEM private key");
    AuditSigningKey out;
    out.m_key = own(key);
    auto publicKey = AuditPublicKey::fromKey(out.m_key);
    if (!publicKey)
        return Common::fail(ErrorCode::InvalidInput, path.string() + " is not an Ed25519 private key");
    out.m_public = std::move(*publicKey);
    return out;
}

Common::Result<AuditSigningKey> AuditSigningKey::loadOrCreate(const std::filesystem::path &path)
{
    auto loaded = load(path);
    if (loaded || loaded.error().code != ErrorCode::NotFound)
        return loaded;
    EVP_PKEY *fresh = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!fresh)
        return Common::fail(ErrorCode::Crypto, "cannot generate an Ed25519 key");
    auto key = own(fresh);
    std::string pem = pemOf(
        [&](BIO *bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    if (pem.empty())
        return Common::fail(ErrorCode::Crypto, "cannot encode the Ed25519 key");
    const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) {
        OPENSSL_cleanse(pem.data(), pem.size());
        if (errno == EEXIST) // another process created it first: use theirs
            return load(path);
        return Common::fail(ErrorCode::Io, "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    ::fchmod(descriptor, 0600); // whatever the umask
    std::size_t written = 0;
    while (written < pem.size()) {
        const ssize_t step = ::write(descriptor, pem.data() + written, pem.size() - written);
        if (step < 0 && errno == EINTR)
            continue;
        if (step <= 0)
            break;
        written += static_cast<std::size_t>(step);
    }
    const bool complete = written == pem.size() && ::fsync(descriptor) == 0;
    ::close(descriptor);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!complete) {
        ::unlink(path.c_str());
        return Common::fail(ErrorCode::Io, "cannot write " + path.string());
    }
    return load(path);
}

Common::Result<std::string> AuditSigningKey::sign(std::string_view message) const
{
    std::array<unsigned char, 64> signature{};
    std::size_t size = signature.size();
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context)
        return Common::fail(ErrorCode::Crypto, "out of memory");
    // Ed25519 is PureEdDSA: no digest is named, the message is signed as is (RFC 8032 §5.1).
    const bool signedOk = EVP_DigestSignInit(context, nullptr, nullptr, nullptr, m_key.get()) == 1 &&
                          EVP_DigestSign(context, signature.data(), &size,
                                         reinterpret_cast<const unsigned char *>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(context);
    if (!signedOk || size != signature.size())
        return Common::fail(ErrorCode::Crypto, "Ed25519 signing failed");
    return toHex(signature.data(), size);
}

} // namespace Server::Audit
