// Fuzz target: the sync protocol's JSON decoders (common/protocol/protocol.h, strictjson.h) as
// the server and the terminal meet them on the wire. The whole input goes to every decoder
// (push request, push response, refusal, incarnation response, pull response, each payload type)
// and to parseStrict, with the default limits and with tight ones (depth 4, 2 ops, 2 changes).
// Invariants: no crash or sanitizer report; every failure has a reason decodeFailureReason()
// knows; a decoded message survives decode → encode → decode unchanged and encoding it again
// gives the same bytes (the encoder is canonical); a tight-limits success is a default success.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/protocol/protocol.h"
#include "common/protocol/strictjson.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Common::Protocol;

void checkFailure(const Common::Error &error)
{
    FUZZ_CHECK(!decodeFailureReason(error).empty(), "decode failure without a reason");
    FUZZ_CHECK(!error.message.empty(), "decode failure without a message");
}

// decode → encode → decode must be the identity, and encode canonical.
template <typename Decode, typename Encode>
void roundTrip(std::string_view input, const Limits &limits, Decode decode, Encode encodeMessage)
{
    const auto decoded = decode(input, limits);
    if (!decoded) {
        checkFailure(decoded.error());
        return;
    }
    const std::string encoded = encodeMessage(*decoded);
    const auto again = decode(encoded, Limits{});
    FUZZ_CHECK(again.has_value(), "the encoder's output does not decode");
    FUZZ_CHECK(*again == *decoded, "decode -> encode -> decode changed the message");
    FUZZ_CHECK(encodeMessage(*again) == encoded, "encoding is not canonical");
}

void decodeAll(std::string_view input, const Limits &limits)
{
    roundTrip(input, limits, [](std::string_view text, const Limits &l) { return decodePushRequest(text, l); },
              [](const PushRequest &message) { return encode(message); });
    roundTrip(input, limits, [](std::string_view text, const Limits &l) { return decodePushResponse(text, l); },
              [](const PushResponse &message) { return encode(message); });
    roundTrip(input, limits, [](std::string_view text, const Limits &l) { return decodeRefusal(text, l); },
              [](const Refusal &message) { return encode(message); });
    roundTrip(input, limits, [](std::string_view text, const Limits &l) { return decodeIncarnationResponse(text, l); },
              [](const IncarnationResponse &message) { return encode(message); });
    roundTrip(input, limits, [](std::string_view text, const Limits &l) { return decodePullResponse(text, l); },
              [](const PullResponse &message) { return encode(message); });
    for (int type = 0; type <= static_cast<int>(OperationType::Count); ++type) {
        const auto operation = static_cast<OperationType>(type);
        roundTrip(
            input, limits,
            [operation](std::string_view text, const Limits &l) { return decodePayload(operation, text, l); },
            [operation](const Payload &payload) {
                FUZZ_CHECK(payloadType(payload) == operation, "payload decoded as another type");
                return encodePayload(payload);
            });
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const auto strict = parseStrict(input, ParseLimits{});
    if (!strict)
        checkFailure(strict.error());
    decodeAll(input, Limits{});

    Limits tight;
    tight.maxDepth = 4;
    tight.maxOps = 2;
    tight.maxResults = 2;
    tight.maxChanges = 2;
    tight.maxBytes = 4096;
    decodeAll(input, tight);
    if (decodePushRequest(input, tight))
        FUZZ_CHECK(decodePushRequest(input, Limits{}).has_value(), "accepted under tight limits, refused by default");
    return 0;
}
