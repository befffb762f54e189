#include <exception>
#include <iostream>
#include <string>
#include <vector>
#include "server/app/commands.h"

// soko-server: the whole program is server/app/commands.cpp; main only catches what escaped.
int main(int argc, char **argv)
{
    try {
        return Server::App::runCommand(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception &exception) {
        std::cerr << "soko-server: " << exception.what() << "\n";
    } catch (...) {
        std::cerr << "soko-server: unexpected failure\n";
    }
    return Server::App::ExitFailure;
}
