#include "server/audit/utctime.h"
#include "server/storage/ids.h"

#include <cstdio>
#include <ctime>

namespace Server::Audit {

std::string formatUtc(TimePoint time)
{
    return Storage::isoTime(time);
}

std::optional<TimePoint> parseUtc(std::string_view text)
{
    if (text.size() < 20 || text.size() > 40 || text.back() != 'Z')
        return std::nullopt;
    const auto digits = [&](std::size_t at, std::size_t count, int &out) {
        out = 0;
        for (std::size_t i = at; i < at + count; ++i) {
            if (text[i] < '0' || text[i] > '9')
                return false;
            out = out * 10 + (text[i] - '0');
        }
        return true;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(0, 4, year) || text[4] != '-' || !digits(5, 2, month) || text[7] != '-' || !digits(8, 2, day) ||
        text[10] != 'T' || !digits(11, 2, hour) || text[13] != ':' || !digits(14, 2, minute) || text[16] != ':' ||
        !digits(17, 2, second))
        return std::nullopt;
    long long nanoseconds = 0;
    std::size_t position = 19;
    if (text[position] == '.') {
        long long scale = 100'000'000;
        for (++position; position < text.size() - 1; ++position) {
            if (text[position] < '0' || text[position] > '9')
                return std::nullopt;
            nanoseconds += (text[position] - '0') * scale;
            scale /= 10;
        }
    }
    if (position != text.size() - 1)
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(unsigned(month)),
                                           std::chrono::day(unsigned(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    return TimePoint(std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(hour) +
                     std::chrono::minutes(minute) + std::chrono::seconds(second) +
                     std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanoseconds)));
}

} // namespace Server::Audit
