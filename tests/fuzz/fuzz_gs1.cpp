// Fuzz target: GS1 element strings (common/barcode/gs1.h, parseGs1) as scanners deliver them:
// the whole input is the scanned text (AIM prefix ]C1/]d2/]Q3…, bracketed or FNC1/GS-separated
// element strings). Parsed twice: as is, and with '~' as the GS substitute some wedge scanners use.
// Invariants: no crash or sanitizer report; an error's position lies inside the input; no parsed
// value holds a GS; a parsed message survives parse → toBracketed() → parse with identical
// elements; every accessor (gtin, expiry, count, …) runs on what was parsed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/barcode/gs1.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Common::Barcode;

void checkMessage(std::string_view input, const Gs1Options &options)
{
    const auto parsed = parseGs1(input, options);
    if (!parsed) {
        FUZZ_CHECK(parsed.error().position >= -1 && parsed.error().position <= static_cast<long>(input.size()),
                   "error position outside the input");
        FUZZ_CHECK(!parsed.error().message.empty(), "error without a message");
        return;
    }
    for (const ElementString &element : parsed->elements) {
        FUZZ_CHECK(!element.ai.empty(), "element without an AI");
        FUZZ_CHECK(element.value.find(kGroupSeparator) == std::string::npos, "GS left inside a value");
    }
    (void)parsed->gtin();
    (void)parsed->lot();
    (void)parsed->serial();
    (void)parsed->sscc();
    (void)parsed->expiry();
    (void)parsed->count();

    // The bracketed form is what logs and the admin pages show: it must read back the same.
    const std::string bracketed = parsed->toBracketed();
    Gs1Options plain;
    plain.today = options.today;
    const auto again = parseGs1(bracketed, plain);
    if (bracketed.size() > kMaxGs1InputLength)
        return; // the bracketed form adds brackets and escapes; it may exceed the input limit
    FUZZ_CHECK(again.has_value(), "toBracketed() output does not parse");
    FUZZ_CHECK(again->elements == parsed->elements, "parse -> toBracketed -> parse changed the elements");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    Gs1Options options;
    options.today = Common::Domain::Date{2026, 11, 30}; // fixed: the century rule must not depend on the clock
    checkMessage(input, options);
    options.gsSubstitute = '~';
    checkMessage(input, options);
    return 0;
}
