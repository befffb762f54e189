#pragma once
#include <tl/expected.hpp>
#include "common/support/error.h"

namespace Common {

// Result<T> carries a value or the Error that explains why there is none (STYLE.md §4).
// tl::expected has std::expected's shape (C++23), so switching later is mechanical.
template<typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message, long position = -1)
{
    return tl::unexpected<Error>(Error::make(code, std::move(message), position));
}

} // namespace Common
