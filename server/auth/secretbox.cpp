#include "server/auth/secretbox.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace Server::Auth {

namespace {

constexpr std::size_t kMaxPlaintextBytes = std::size_t{1} << 20;

struct CipherContextDeleter
{
    void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

// Closes a POSIX file descriptor on every path out of a function.
class FileDescriptor final
{
public:
    explicit FileDescriptor(int descriptor)
        : m_descriptor(descriptor)
    {}
    ~FileDescriptor()
    {
        if (m_descriptor >= 0)
            ::close(m_descriptor);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_descriptor; }
    bool valid() const { return m_descriptor >= 0; }
    int release()
    {
        const int descriptor = m_descriptor;
        m_descriptor = -1;
        return descriptor;
    }

private:
    int m_descriptor;
};

std::string systemError(int error)
{
    return std::strerror(error);
}

Common::Error ioError(const std::filesystem::path &path, const std::string &what)
{
    return Common::Error::make(Common::ErrorCode::Io, "key file " + path.string() + ": " + what);
}

std::string octalMode(mode_t mode)
{
    char text[8] = {};
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

bool readFully(int descriptor, std::uint8_t *data, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t count = ::read(descriptor, data + done, size - done);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            return false;
        done += static_cast<std::size_t>(count);
    }
    return true;
}

bool writeFully(int descriptor, const std::uint8_t *data, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t count = ::write(descriptor, data + done, size - done);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            return false;
        done += static_cast<std::size_t>(count);
    }
    return true;
}

Common::Result<std::vector<std::uint8_t>> gcmEncrypt(std::span<const std::uint8_t, kSecretKeyBytes> key,
                                                     std::span<const std::uint8_t, kSealNonceBytes> nonce,
                                                     std::span<const std::uint8_t> plaintext,
                                                     std::span<const std::uint8_t> aad)
{
    if (plaintext.size() > kMaxPlaintextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "plaintext larger than 1 MiB");
    if (aad.size() > kMaxPlaintextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "AAD larger than 1 MiB");
    const auto failed = [] { return Common::fail(Common::ErrorCode::Crypto, "AES-256-GCM encryption failed"); };
    CipherContext context(EVP_CIPHER_CTX_new());
    int length = 0;
    if (!context || EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kSealNonceBytes), nullptr) != 1 ||
        EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key.data(), nonce.data()) != 1)
        return failed();
    if (!aad.empty() &&
        EVP_EncryptUpdate(context.get(), nullptr, &length, aad.data(), static_cast<int>(aad.size())) != 1)
        return failed();
    std::vector<std::uint8_t> blob(kSealOverheadBytes + plaintext.size());
    blob[0] = kSealVersion;
    std::memcpy(blob.data() + 1, nonce.data(), kSealNonceBytes);
    std::uint8_t *const ciphertext = blob.data() + 1 + kSealNonceBytes;
    int written = 0;
    if (!plaintext.empty() && EVP_EncryptUpdate(context.get(), ciphertext, &written, plaintext.data(),
                                                static_cast<int>(plaintext.size())) != 1)
        return failed();
    if (EVP_EncryptFinal_ex(context.get(), ciphertext + written, &length) != 1 ||
        static_cast<std::size_t>(written + length) != plaintext.size())
        return failed();
    if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSealTagBytes),
                            ciphertext + plaintext.size()) != 1)
        return failed();
    return blob;
}

Common::Result<SecretKey> readKeyFile(const std::filesystem::path &path, int descriptor)
{
    struct stat status = {};
    if (::fstat(descriptor, &status) != 0)
        return tl::unexpected(ioError(path, "cannot stat: " + systemError(errno)));
    if (!S_ISREG(status.st_mode))
        return tl::unexpected(ioError(path, "is not a regular file"));
    if ((status.st_mode & 077) != 0)
        return tl::unexpected(ioError(path, "has mode " + octalMode(status.st_mode) +
                                                ", readable or writable by group/others; it must be 0600 (chmod 600)"));
    if (status.st_uid != ::geteuid())
        return tl::unexpected(ioError(path, "belongs to uid " + std::to_string(status.st_uid) + ", not to uid " +
                                                std::to_string(::geteuid()) + " that runs the server"));
    if (status.st_size != static_cast<off_t>(kSecretKeyBytes))
        return tl::unexpected(ioError(path, "is " + std::to_string(status.st_size) + " bytes; a key is exactly " +
                                                std::to_string(kSecretKeyBytes) + " bytes"));
    std::array<std::uint8_t, kSecretKeyBytes> bytes{};
    const bool complete = readFully(descriptor, bytes.data(), bytes.size());
    auto key =
        complete ? SecretKey::fromBytes(bytes) : Common::Result<SecretKey>(tl::unexpected(ioError(path, "short read")));
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
}

Common::Result<SecretKey> loadKeyFile(const std::filesystem::path &path)
{
    // O_NOFOLLOW: a symlink planted at the key path is refused instead of followed.
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!file.valid()) {
        const int error = errno;
        if (error == ELOOP)
            return tl::unexpected(ioError(path, "is a symbolic link"));
        return tl::unexpected(ioError(path, "cannot open: " + systemError(error)));
    }
    return readKeyFile(path, file.get());
}

Common::Result<SecretKey> createKeyFile(const std::filesystem::path &path)
{
    auto key = SecretKey::generate();
    if (!key)
        return key;
    std::array<std::uint8_t, 8> suffix{};
    if (RAND_bytes(suffix.data(), static_cast<int>(suffix.size())) != 1)
        return Common::fail(Common::ErrorCode::Crypto, "RAND_bytes failed");
    std::string temporaryName = path.string() + ".tmp-";
    for (const std::uint8_t byte : suffix)
        temporaryName += "0123456789abcdef"[byte & 0x0F];
    const std::filesystem::path temporary(temporaryName);

    // 0600 from the start (the umask can only remove bits), then the key, fsync, and link() into
    // place: link fails with EEXIST instead of replacing a key another process created meanwhile.
    FileDescriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file.valid())
        return tl::unexpected(ioError(path, "cannot create: " + systemError(errno)));
    const bool written = ::fchmod(file.get(), 0600) == 0 &&
                         writeFully(file.get(), key->bytes().data(), kSecretKeyBytes) && ::fsync(file.get()) == 0;
    const int writeError = errno;
    const bool closed = ::close(file.release()) == 0;
    if (!written || !closed) {
        ::unlink(temporary.c_str());
        return tl::unexpected(ioError(path, "cannot write: " + systemError(writeError)));
    }
    const int linked = ::link(temporary.c_str(), path.c_str());
    const int linkError = errno;
    ::unlink(temporary.c_str());
    if (linked != 0) {
        if (linkError == EEXIST)
            return loadKeyFile(path); // another process won the race: use its key
        return tl::unexpected(ioError(path, "cannot create: " + systemError(linkError)));
    }
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    FileDescriptor directoryFile(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directoryFile.valid())
        ::fsync(directoryFile.get());
    return key;
}

} // namespace

Common::Result<SecretKey> SecretKey::loadOrCreate(const std::filesystem::path &path)
{
    struct stat status = {};
    if (::lstat(path.c_str(), &status) != 0) {
        if (errno == ENOENT)
            return createKeyFile(path);
        return tl::unexpected(ioError(path, "cannot stat: " + systemError(errno)));
    }
    return loadKeyFile(path);
}

Common::Result<SecretKey> SecretKey::fromBytes(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() != kSecretKeyBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, "an AES-256 key is exactly 32 bytes");
    SecretKey key;
    std::memcpy(key.m_bytes.data(), bytes.data(), kSecretKeyBytes);
    return key;
}

Common::Result<SecretKey> SecretKey::generate()
{
    SecretKey key;
    if (RAND_bytes(key.m_bytes.data(), static_cast<int>(key.m_bytes.size())) != 1)
        return Common::fail(Common::ErrorCode::Crypto, "RAND_bytes failed");
    return key;
}

SecretKey::SecretKey(SecretKey &&other) noexcept
    : m_bytes(other.m_bytes)
{
    OPENSSL_cleanse(other.m_bytes.data(), other.m_bytes.size());
}

SecretKey &SecretKey::operator=(SecretKey &&other) noexcept
{
    if (this != &other) {
        m_bytes = other.m_bytes;
        OPENSSL_cleanse(other.m_bytes.data(), other.m_bytes.size());
    }
    return *this;
}

SecretKey::~SecretKey()
{
    OPENSSL_cleanse(m_bytes.data(), m_bytes.size());
}

Common::Result<std::vector<std::uint8_t>> seal(const SecretKey &key, std::span<const std::uint8_t> plaintext,
                                               std::string_view aad)
{
    const auto nonce = Detail::sealNonce();
    if (!nonce)
        return tl::unexpected(nonce.error());
    return gcmEncrypt(key.bytes(), *nonce, plaintext, {reinterpret_cast<const std::uint8_t *>(aad.data()), aad.size()});
}

Common::Result<std::vector<std::uint8_t>> open(const SecretKey &key, std::span<const std::uint8_t> blob,
                                               std::string_view aad)
{
    const auto refused = [] {
        return Common::fail(Common::ErrorCode::Crypto, "sealed blob failed authentication (wrong key, AAD or data)");
    };
    if (blob.size() < kSealOverheadBytes)
        return Common::fail(Common::ErrorCode::Crypto, "sealed blob shorter than version, nonce and tag");
    if (blob[0] != kSealVersion)
        return Common::fail(Common::ErrorCode::Crypto, "sealed blob has unknown version " + std::to_string(blob[0]), 0);
    if (blob.size() - kSealOverheadBytes > kMaxPlaintextBytes || aad.size() > kMaxPlaintextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "sealed blob larger than 1 MiB");
    const std::uint8_t *const nonce = blob.data() + 1;
    const std::span<const std::uint8_t> ciphertext =
        blob.subspan(1 + kSealNonceBytes, blob.size() - kSealOverheadBytes);
    std::array<std::uint8_t, kSealTagBytes> tag{};
    std::memcpy(tag.data(), blob.data() + blob.size() - kSealTagBytes, kSealTagBytes);

    CipherContext context(EVP_CIPHER_CTX_new());
    int length = 0;
    if (!context || EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kSealNonceBytes), nullptr) != 1 ||
        EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key.bytes().data(), nonce) != 1)
        return refused();
    if (!aad.empty() &&
        EVP_DecryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const std::uint8_t *>(aad.data()),
                          static_cast<int>(aad.size())) != 1)
        return refused();
    std::vector<std::uint8_t> plaintext(ciphertext.size());
    int written = 0;
    bool ok = ciphertext.empty() || EVP_DecryptUpdate(context.get(), plaintext.data(), &written, ciphertext.data(),
                                                      static_cast<int>(ciphertext.size())) == 1;
    ok = ok &&
         EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kSealTagBytes), tag.data()) == 1;
    // The tag is checked here; until it passes, the decrypted bytes are unauthenticated and are wiped.
    ok = ok && EVP_DecryptFinal_ex(context.get(), plaintext.data() + written, &length) == 1;
    if (!ok) {
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return refused();
    }
    return plaintext;
}

namespace Detail {

Common::Result<std::array<std::uint8_t, kSealNonceBytes>> sealNonce()
{
    std::array<std::uint8_t, kSealNonceBytes> nonce{};
    if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
        return Common::fail(Common::ErrorCode::Crypto, "RAND_bytes failed");
    return nonce;
}

Common::Result<std::vector<std::uint8_t>> sealWithNonce(const SecretKey &key,
                                                        std::span<const std::uint8_t, kSealNonceBytes> nonce,
                                                        std::span<const std::uint8_t> plaintext,
                                                        std::span<const std::uint8_t> aad)
{
    return gcmEncrypt(key.bytes(), nonce, plaintext, aad);
}

} // namespace Detail

} // namespace Server::Auth
