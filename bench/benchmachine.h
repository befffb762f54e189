#pragma once
#include <fstream>
#include <string>

// The machine's 1, 5 and 15 minute load averages ("1.61 1.71 1.97", /proc/loadavg), recorded in
// every benchmark's JSON: a figure measured on a busy machine says so. Empty when unreadable.
inline std::string benchLoadAverage()
{
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    if (!(file >> one >> five >> fifteen))
        return {};
    return one + " " + five + " " + fifteen;
}
