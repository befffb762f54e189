#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "common/support/result.h"

// Decoding of HTML form bodies, `application/x-www-form-urlencoded` (WHATWG URL Standard §5.1):
// fields separated by '&', '+' is a space, %XX escapes. Stricter than browsers need: a repeated
// field name, an invalid escape, invalid UTF-8, NUL or another control character (tab, CR and LF
// excepted), more than `maxFormFields` fields or a name longer than `maxFieldNameBytes` is
// refused (InvalidInput, position = byte offset in the body), so credentials and CSRF tokens
// have one unambiguous value.
namespace Server::Admin {

using FormFields = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t maxFormFields = 64;
inline constexpr std::size_t maxFieldNameBytes = 64;

Common::Result<FormFields> parseForm(std::string_view body);
std::optional<std::string_view> formValue(const FormFields &form, std::string_view name);

} // namespace Server::Admin
