// Replay driver for the fuzz targets in the normal (g++, ASan/UBSan) test build: runs
// LLVMFuzzerTestOneInput once over every regular file of the directories (or files) given on the
// command line, in sorted order, and prints how many inputs it ran. A crash, sanitizer report or
// failed invariant aborts the process, so CTest sees a failure naming the input printed last.
// An empty or missing directory is not an error (regressions/<name>/ may not exist yet), but
// at least one input must run overall so a misplaced corpus cannot pass silently.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

namespace {

std::vector<std::filesystem::path> inputsOf(const std::filesystem::path &path)
{
    std::vector<std::filesystem::path> files;
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) {
        files.push_back(path);
    } else if (std::filesystem::is_directory(path, error)) {
        for (const auto &entry : std::filesystem::recursive_directory_iterator(path, error)) {
            if (entry.is_regular_file())
                files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::size_t ran = 0;
    for (int index = 1; index < argc; ++index) {
        for (const auto &file : inputsOf(argv[index])) {
            std::ifstream stream(file, std::ios::binary);
            const std::vector<char> bytes{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
            std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
            // A copy of exactly `size` bytes, as libFuzzer passes it, so ASan sees reads past the end.
            const std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
            LLVMFuzzerTestOneInput(input.data(), input.size());
            ++ran;
        }
    }
    std::printf("replayed %zu inputs\n", ran);
    return ran > 0 ? 0 : 1;
}
