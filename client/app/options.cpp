#include "client/app/options.h"

#include <QCommandLineParser>
#include <QStandardPaths>

Common::Result<TerminalOptions> parseTerminalOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Soko handheld terminal"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("Local database folder."), QStringLiteral("DIR"));
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Language: en or ja."), QStringLiteral("CODE"));
    const QCommandLineOption import(QStringLiteral("import"), QStringLiteral("Apply a JSON snapshot first."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption script(QStringLiteral("script"), QStringLiteral("Run a scripted session, then quit."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption server(QStringLiteral("server"), QStringLiteral("Server address for enrollment."),
                                    QStringLiteral("URL"));
    const QCommandLineOption devices(QStringLiteral("devices"), QStringLiteral("Server sync address (devices listener)."),
                                     QStringLiteral("URL"));
    const QCommandLineOption ca(QStringLiteral("ca"), QStringLiteral("Server CA certificate (PEM)."), QStringLiteral("FILE"));
    const QCommandLineOption carrier(QStringLiteral("carrier"), QStringLiteral("Carrier code for shipments."),
                                     QStringLiteral("CODE"), QStringLiteral("yamato"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH."), QStringLiteral("WxH"),
                                  QStringLiteral("480x800"));
    const QCommandLineOption noSync(QStringLiteral("no-sync"), QStringLiteral("Never contact a server."));
    const QCommandLineOption mute(QStringLiteral("mute"), QStringLiteral("No sounds."));
    const QCommandLineOption gap(QStringLiteral("wedge-gap"), QStringLiteral("Max ms between scanner keystrokes."),
                                 QStringLiteral("MS"), QStringLiteral("40"));
    const QCommandLineOption substitute(QStringLiteral("gs-substitute"),
                                        QStringLiteral("Character the scanner sends for GS."), QStringLiteral("C"));
    parser.addOptions({data, lang, import, script, server, devices, ca, carrier, size, noSync, mute, gap, substitute});
    if (!parser.parse(arguments))
        return Common::fail(Common::ErrorCode::InvalidInput, parser.errorText().toStdString());
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
        parser.process(arguments); // prints and exits, as every command-line tool does
    }

    TerminalOptions options;
    options.dataDirectory = parser.isSet(data) ? parser.value(data)
                                               : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    options.language = parser.value(lang);
    if (!options.language.isEmpty() && options.language != QLatin1String("en") && options.language != QLatin1String("ja"))
        return Common::fail(Common::ErrorCode::InvalidInput, "--lang must be en or ja");
    options.importFile = parser.value(import);
    options.scriptFile = parser.value(script);
    options.server = parser.value(server);
    options.devices = parser.value(devices);
    options.caFile = parser.value(ca);
    options.carrier = parser.value(carrier);
    if (options.carrier.isEmpty() || options.carrier.size() > 64)
        return Common::fail(Common::ErrorCode::InvalidInput, "--carrier must be 1 to 64 characters");
    const QStringList parts = parser.value(size).split(QLatin1Char('x'));
    bool widthOk = false;
    bool heightOk = false;
    if (parts.size() == 2)
        options.windowSize = QSize(parts[0].toInt(&widthOk), parts[1].toInt(&heightOk));
    if (!widthOk || !heightOk || options.windowSize.width() < 200 || options.windowSize.height() < 200
        || options.windowSize.width() > 8000 || options.windowSize.height() > 8000)
        return Common::fail(Common::ErrorCode::InvalidInput, "--size must be WxH between 200 and 8000");
    options.noSync = parser.isSet(noSync);
    options.muted = parser.isSet(mute);
    bool gapOk = false;
    options.wedgeGapMs = parser.value(gap).toInt(&gapOk);
    if (!gapOk || options.wedgeGapMs < 5 || options.wedgeGapMs > 1000)
        return Common::fail(Common::ErrorCode::InvalidInput, "--wedge-gap must be 5 to 1000 ms");
    options.gsSubstitute = parser.value(substitute);
    if (options.gsSubstitute.size() > 1)
        return Common::fail(Common::ErrorCode::InvalidInput, "--gs-substitute must be one character");
    return options;
}
