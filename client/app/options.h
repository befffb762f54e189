#pragma once
#include <QSize>
#include <QString>
#include <QStringList>
#include "common/support/result.h"

// Command line of soko-terminal. Everything a headless run (QT_QPA_PLATFORM=offscreen) needs:
//   --data DIR        local database folder (default: the platform's app data folder)
//   --lang CODE       "en" or "ja" (default: settings, then the system locale)
//   --import FILE     apply a JSON snapshot (SnapshotImporter shape) before starting
//   --script FILE     run a scripted session of scans and commands (see ScriptRunner), then quit
//   --server URL      the server's api listener, for enrollment (prefills the enrollment screen)
//   --devices URL     the server's devices listener, for sync (default: --server's host, port 8443)
//   --ca FILE         the server CA certificate trusted for enrollment
//   --carrier CODE    carrier sent with shipments (default "yamato")
//   --size WxH        window size (default 480x800, a 5" handheld in portrait)
//   --no-sync         never contact a server (demo, tests)
//   --mute            no sounds
//   --wedge-gap MS, --gs-substitute C   keyboard-wedge settings
struct TerminalOptions
{
    QString dataDirectory;
    QString language;
    QString importFile;
    QString scriptFile;
    QString server;
    QString devices;
    QString caFile;
    QString carrier = QStringLiteral("yamato");
    QSize windowSize{480, 800};
    bool noSync = false;
    bool muted = false;
    int wedgeGapMs = 40;
    QString gsSubstitute;
};

// Errors: InvalidInput naming the option.
Common::Result<TerminalOptions> parseTerminalOptions(const QStringList &arguments);
