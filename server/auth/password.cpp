#include "server/auth/password.h"

#include <algorithm>
#include <atomic>
#include <semaphore>
#include <thread>

#include <sodium.h>

#include "server/auth/breachedpasswords.h"

namespace Server::Auth {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::string_view kArgon2idPrefix = "$argon2id$";
constexpr std::size_t kMemoryBytes = kArgon2MemoryKiB * 1024;

static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);

bool sodiumReady()
{
    // sodium_init() is idempotent and thread-safe: 0 first time, 1 afterwards, -1 on failure.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

// Caps concurrent Argon2 runs so 19 MiB × N stays bounded (REQUIREMENTS.md §4) and records the peak.
class HashSlots final
{
public:
    static constexpr std::ptrdiff_t kMaxSlots = 1024;

    HashSlots()
        : m_limit(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxSlots))
        , m_semaphore(static_cast<std::ptrdiff_t>(m_limit))
    {}
    std::size_t limit() const { return m_limit; }
    std::size_t peak() const { return m_peak.load(); }
    void acquire()
    {
        m_semaphore.acquire();
        const std::size_t now = m_running.fetch_add(1) + 1;
        std::size_t previous = m_peak.load();
        while (now > previous && !m_peak.compare_exchange_weak(previous, now)) {
        }
    }
    void release()
    {
        m_running.fetch_sub(1);
        m_semaphore.release();
    }

private:
    std::size_t m_limit;
    std::counting_semaphore<kMaxSlots> m_semaphore;
    std::atomic<std::size_t> m_running{0};
    std::atomic<std::size_t> m_peak{0};
};

HashSlots &hashSlots()
{
    static HashSlots slots;
    return slots;
}

class HashSlotGuard final
{
public:
    HashSlotGuard() { hashSlots().acquire(); }
    ~HashSlotGuard() { hashSlots().release(); }
    HashSlotGuard(const HashSlotGuard &) = delete;
    HashSlotGuard &operator=(const HashSlotGuard &) = delete;
};

// Decodes one UTF-8 sequence at `index` (Unicode 15 Table 3-7, well-formed byte sequences).
// Returns its byte length, or 0 when the bytes there are not well-formed.
std::size_t utf8SequenceLength(std::string_view text, std::size_t index)
{
    const auto byte = [&](std::size_t offset) -> unsigned {
        return index + offset < text.size() ? static_cast<unsigned char>(text[index + offset]) : 0x100U;
    };
    const auto continuation = [](unsigned value, unsigned low = 0x80, unsigned high = 0xBF) {
        return value >= low && value <= high;
    };
    const unsigned lead = byte(0);
    if (lead <= 0x7F)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return continuation(byte(1)) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        const unsigned high = lead == 0xED ? 0x9F : 0xBF; // no surrogates U+D800..U+DFFF
        return continuation(byte(1), low, high) && continuation(byte(2)) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned low = lead == 0xF0 ? 0x90 : 0x80;  // no overlong forms
        const unsigned high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
        return continuation(byte(1), low, high) && continuation(byte(2)) && continuation(byte(3)) ? 4 : 0;
    }
    return 0;
}

std::string foldAsciiLower(std::string_view text)
{
    std::string folded(text);
    for (char &character : folded) {
        if (character >= 'A' && character <= 'Z')
            character = static_cast<char>(character - 'A' + 'a');
    }
    return folded;
}

// libsodium wants a NUL-terminated PHC string shorter than crypto_pwhash_STRBYTES.
bool copyPhc(std::string_view phc, std::string &out)
{
    if (phc.empty() || phc.size() >= crypto_pwhash_STRBYTES || phc.find('\0') != std::string_view::npos)
        return false;
    out.assign(phc);
    return true;
}

} // namespace

Common::Result<std::size_t> passwordLength(std::string_view text)
{
    std::size_t length = 0;
    bool previousWasSpace = false;
    for (std::size_t index = 0; index < text.size();) {
        const std::size_t sequence = utf8SequenceLength(text, index);
        if (sequence == 0)
            return Common::fail(Common::ErrorCode::InvalidInput, std::string(kPasswordNotUtf8),
                                static_cast<long>(index));
        const bool space = text[index] == ' ';
        if (!(space && previousWasSpace))
            ++length;
        previousWasSpace = space;
        index += sequence;
    }
    return length;
}

Common::Result<void> checkPasswordPolicy(std::string_view password)
{
    if (password.size() > kPasswordMaxBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(kPasswordTooLong));
    const auto length = passwordLength(password);
    if (!length)
        return tl::unexpected(length.error());
    if (*length < kPasswordMinCodePoints)
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(kPasswordTooShort));
    if (*length > kPasswordMaxCodePoints)
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(kPasswordTooLong));
    if (isCommonPassword(password))
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(kPasswordBreached));
    return {};
}

bool isCommonPassword(std::string_view password)
{
    if (password.size() > kPasswordMaxBytes)
        return false;
    const std::string folded = foldAsciiLower(password);
    const auto list = Detail::breachedPasswords();
    return std::binary_search(list.begin(), list.end(), std::string_view(folded));
}

Common::Result<std::string> hashPassword(std::string_view password)
{
    if (password.size() > kPasswordMaxBytes)
        return Common::fail(Common::ErrorCode::TooLarge,
                            "password longer than " + std::to_string(kPasswordMaxBytes) + " bytes");
    if (!sodiumReady())
        return Common::fail(Common::ErrorCode::Crypto, "libsodium failed to initialise");
    char phc[crypto_pwhash_STRBYTES] = {};
    int status = -1;
    {
        HashSlotGuard slot;
        status = crypto_pwhash_str_alg(phc, password.data(), password.size(), kArgon2Iterations, kMemoryBytes,
                                       crypto_pwhash_ALG_ARGON2ID13);
    }
    if (status != 0)
        return Common::fail(Common::ErrorCode::Crypto, "Argon2id hashing failed (out of memory?)");
    return std::string(phc);
}

bool verifyPassword(std::string_view phc, std::string_view password)
{
    std::string terminated;
    if (password.size() > kPasswordMaxBytes || !copyPhc(phc, terminated) || !sodiumReady())
        return false;
    HashSlotGuard slot;
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool needsRehash(std::string_view phc)
{
    std::string terminated;
    if (!phc.starts_with(kArgon2idPrefix) || !copyPhc(phc, terminated) || !sodiumReady())
        return true;
    return crypto_pwhash_str_needs_rehash(terminated.c_str(), kArgon2Iterations, kMemoryBytes) != 0;
}

void dummyVerify(std::string_view password)
{
    // Same path as a real verifyPassword(), including its early refusal of over-long input, so the
    // time depends on the input only, never on whether the account exists.
    static_cast<void>(verifyPassword(Detail::dummyHash(), password));
}

std::size_t passwordHashConcurrency()
{
    return hashSlots().limit();
}

std::size_t passwordHashPeakConcurrency()
{
    return hashSlots().peak();
}

namespace Detail {

Common::Result<std::vector<std::uint8_t>> argon2idRaw(std::string_view password, std::span<const std::uint8_t> salt,
                                                      std::size_t length)
{
    if (salt.size() != kSaltBytes)
        return Common::fail(Common::ErrorCode::InvalidInput, "Argon2id salt must be 16 bytes");
    if (length < crypto_pwhash_BYTES_MIN || length > 1024)
        return Common::fail(Common::ErrorCode::InvalidInput, "Argon2id output length out of range");
    if (password.size() > kPasswordMaxBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "password too long");
    if (!sodiumReady())
        return Common::fail(Common::ErrorCode::Crypto, "libsodium failed to initialise");
    std::vector<std::uint8_t> out(length);
    int status = -1;
    {
        HashSlotGuard slot;
        status = crypto_pwhash(out.data(), out.size(), password.data(), password.size(), salt.data(), kArgon2Iterations,
                               kMemoryBytes, crypto_pwhash_ALG_ARGON2ID13);
    }
    if (status != 0)
        return Common::fail(Common::ErrorCode::Crypto, "Argon2id failed (out of memory?)");
    return out;
}

std::string_view dummyHash()
{
    // Argon2id of 32 random bytes that were discarded right away; tst_password checks that its
    // parameters are the current ones (needsRehash() == false), so the cost always matches.
    return "$argon2id$v=19$m=19456,t=2,p=1$ZqkokVm7id4pyCkDXPefEQ$lkuryp/xpfh7lqxZeX+SjrT1UwqXvfLOL5rTdzOHjok";
}

} // namespace Detail

} // namespace Server::Auth
