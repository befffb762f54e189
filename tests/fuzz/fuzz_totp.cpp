// Fuzz target: the admin second factor's text inputs (server/auth/totp.h, tokens.h): base32
// seeds, otpauth:// enrollment URIs, typed TOTP codes and recovery codes. The input is split at
// its first '\n': the first line is a base32 seed or an otpauth:// URI, the rest a typed code.
// Invariants: no crash or sanitizer report; base32Decode → base32Encode gives the input back in
// upper case; an otpauth URI read with Boost.URL and rebuilt with otpauthUri() reads back with
// the same label, issuer and secret; a code verifyTotp() accepts is six digits and equals totp()
// at the step it matched, which lies within T−1..T+1; normalizeRecoveryCode() gives 24 base32
// characters and is idempotent.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/url/parse.hpp>

#include "server/auth/tokens.h"
#include "server/auth/totp.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Server::Auth;

constexpr std::int64_t s_now = 1'800'000'000; // fixed: the target must not depend on the clock

std::string upperCase(std::string_view text)
{
    std::string result(text);
    for (char &c : result)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

std::vector<std::uint8_t> checkBase32(std::string_view text)
{
    const auto decoded = base32Decode(text);
    if (!decoded)
        return {};
    FUZZ_CHECK(base32Encode(*decoded) == upperCase(text), "base32 decode -> encode is not the identity");
    return *decoded;
}

// Reads an otpauth URI as an authenticator app would, rebuilds it and reads the rebuilt one.
std::vector<std::uint8_t> checkOtpauth(std::string_view text)
{
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed || parsed->scheme() != "otpauth")
        return {};
    const std::string label = parsed->path();
    const auto colon = label.find(':');
    if (label.empty() || label.front() != '/' || colon == std::string::npos)
        return {};
    const std::string issuer = label.substr(1, colon - 1);
    const std::string account = label.substr(colon + 1);
    std::string secretText;
    for (const auto &parameter : parsed->params()) {
        if (parameter.key == "secret")
            secretText = parameter.value;
    }
    const std::vector<std::uint8_t> secret = checkBase32(secretText);
    const auto rebuilt = otpauthUri(issuer, account, secret);
    if (!rebuilt)
        return secret;
    const auto again = boost::urls::parse_uri(*rebuilt);
    FUZZ_CHECK(again.has_value(), "otpauthUri() output is not a URI");
    FUZZ_CHECK(again->path() == label, "otpauthUri() label does not read back");
    std::map<std::string, std::string> parameters;
    for (const auto &parameter : again->params())
        parameters[parameter.key] = parameter.value;
    FUZZ_CHECK(parameters["issuer"] == issuer, "otpauthUri() issuer does not read back");
    const auto secretAgain = base32Decode(parameters["secret"]);
    FUZZ_CHECK(secretAgain && *secretAgain == secret, "otpauthUri() secret does not read back");
    return secret;
}

void checkCode(std::span<const std::uint8_t> seed, std::string_view code)
{
    const bool wellFormed = isWellFormedCode(code);
    const auto step = verifyTotp(seed, code, s_now, kNoStepAccepted);
    if (!step)
        return;
    FUZZ_CHECK(wellFormed, "verifyTotp accepted a malformed code");
    const std::int64_t now = s_now / kTotpPeriodSeconds;
    FUZZ_CHECK(*step >= now - 1 && *step <= now + 1, "verifyTotp matched outside T-1..T+1");
    const auto expected = totp(seed, *step * kTotpPeriodSeconds);
    FUZZ_CHECK(expected && *expected == code, "verifyTotp accepted a code totp() does not give");
    const auto replay = verifyTotp(seed, code, s_now, *step);
    FUZZ_CHECK(!replay || *replay > *step, "a step was accepted twice");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const auto newline = input.find('\n');
    const std::string_view first = input.substr(0, newline);
    const std::string_view rest = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    std::vector<std::uint8_t> seed = first.starts_with("otpauth:") ? checkOtpauth(first) : checkBase32(first);
    checkBase32(input);
    if (seed.empty())
        seed.assign(20, 0x5a); // still exercise verification with an odd code
    checkCode(seed, rest);
    // Every code of the window must be accepted exactly as totp() computes it.
    for (std::int64_t offset = -1; offset <= 1; ++offset) {
        const auto code = totp(seed, s_now + offset * kTotpPeriodSeconds);
        FUZZ_CHECK(code.has_value(), "totp() failed on a non-empty seed");
        FUZZ_CHECK(verifyTotp(seed, *code, s_now, kNoStepAccepted).has_value(), "a current code was refused");
    }

    const auto recovery = normalizeRecoveryCode(input);
    if (recovery) {
        FUZZ_CHECK(recovery->size() == 24, "normalized recovery code is not 24 characters");
        const auto again = normalizeRecoveryCode(*recovery);
        FUZZ_CHECK(again && *again == *recovery, "normalizeRecoveryCode is not idempotent");
    }
    return 0;
}
