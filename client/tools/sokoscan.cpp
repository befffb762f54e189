// soko-scan: checks barcode labels from the command line (docs/soko-scan.md).
//   soko-scan decode [--formats LIST] IMAGE…   every barcode of every image, one JSON object per line
//   soko-scan parse [--gs-substitute C] TEXT…  wedge-scanner text: GS1 element strings, GTIN/JAN
//   soko-scan make-label FORMAT TEXT OUT.png   draws a barcode with ZXing's writer
// Exit codes: 0 everything read and parsed, 1 something was not (the line says why), 2 usage.
#include <cstdio>
#include <string>
#include <vector>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

#include "client/scanning/imagedecoder.h"
#include "client/tools/labelwriter.h"
#include "client/tools/scanreport.h"
#include "common/barcode/gs1.h"

namespace {

enum ExitCode { Ok = 0, NotRead = 1, Usage = 2 };

QString tr(const char *text)
{
    return QCoreApplication::translate("SokoScan", text);
}

void printLine(const QJsonObject &line)
{
    const QByteArray bytes = Client::Tools::toJsonLine(line) + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printError(const QString &message)
{
    const QByteArray bytes = (QStringLiteral("soko-scan: ") + message + QLatin1Char('\n')).toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
}

QString usage()
{
    return tr("Usage:\n"
              "  soko-scan decode [--formats LIST] IMAGE...\n"
              "      Finds every barcode in each image (PNG, JPEG, ...) and prints one JSON object per\n"
              "      barcode: file, format, symbology, text, gs1 (the parsed Application Identifiers, an\n"
              "      object with \"error\" when GS1 data does not parse, or null), gtin for EAN/JAN/UPC/ITF-14,\n"
              "      corners. An image without a barcode prints {\"file\":...,\"error\":\"no barcode found\"}.\n"
              "  soko-scan parse [--gs-substitute C] TEXT...\n"
              "      Interprets text as a keyboard-wedge scanner types it: ]C1/]d2/]Q3/]e0 + element string,\n"
              "      (01)...(17)... bracketed form, element strings with GS separators, plain GTIN/JAN/EAN-8/\n"
              "      UPC-A. Write GS as \\x1d or \\u001d.\n"
              "  soko-scan make-label FORMAT TEXT OUT.png\n"
              "      Draws TEXT as a barcode. FORMAT: EAN-13, EAN-8, UPC-A, UPC-E, ITF, Code39, Code93,\n"
              "      Code128, Codabar (with start/stop, e.g. A123456789012B), DataMatrix, QRCode, Aztec,\n"
              "      PDF417, or GS1-128 with TEXT like (00)349123450000000010 or (01)...(17)...(10)...\n"
              "      (ZXing-cpp 1.4 cannot write GS1 DataMatrix or GS1 QR Code).\n"
              "\n"
              "Options:\n"
              "  --formats LIST      formats decode looks for, comma separated ZXing names (EAN-13,\n"
              "                      Code128, QRCode, ...) or a preset: product, shipping, any.\n"
              "                      Default: product and shipping together (no UPC-E: it appears\n"
              "                      falsely inside EAN-13 symbols).\n"
              "  --gs-substitute C   a character the scanner sends instead of GS (e.g. '|' or '^')\n"
              "  -h, --help          this help\n"
              "  -v, --version       version\n"
              "\n"
              "Exit status: 0 all read and parsed, 1 an image without barcode, an unreadable file or\n"
              "text that does not parse (see its \"error\"), 2 wrong usage.\n");
}

// A usage mistake: the reason, then the usage text, on stderr.
int usageError(const QString &reason)
{
    printError(reason + QStringLiteral("\n\n") + usage());
    return Usage;
}

Common::Result<Client::Scanning::DecodeOptions> decodeOptions(const QString &formats)
{
    using Client::Scanning::DecodeOptions;
    if (formats.isEmpty()) {
        DecodeOptions options = DecodeOptions::product();
        for (const std::string &name : DecodeOptions::shipping().formats)
            if (std::find(options.formats.begin(), options.formats.end(), name) == options.formats.end())
                options.formats.push_back(name);
        return options;
    }
    if (formats == QLatin1String("product"))
        return DecodeOptions::product();
    if (formats == QLatin1String("shipping"))
        return DecodeOptions::shipping();
    if (formats == QLatin1String("any"))
        return DecodeOptions::anyFormat();
    auto names = Client::Scanning::parseFormatList(formats.toStdString());
    if (!names)
        return tl::unexpected(names.error());
    DecodeOptions options;
    options.formats = std::move(*names);
    return options;
}

int decodeImages(const QStringList &files, const Client::Scanning::DecodeOptions &options,
                 const Common::Barcode::Gs1Options &gs1Options)
{
    const Client::Scanning::ImageDecoder decoder(options);
    int status = Ok;
    for (const QString &file : files) {
        const auto scans = decoder.decodeFile(file);
        if (!scans) {
            QJsonObject line{{QStringLiteral("file"), file}};
            const QJsonObject error = Client::Tools::errorJson(scans.error());
            for (auto it = error.constBegin(); it != error.constEnd(); ++it)
                line.insert(it.key(), it.value());
            printLine(line);
            status = NotRead;
            continue;
        }
        if (scans->empty()) {
            printLine({{QStringLiteral("file"), file},
                       {QStringLiteral("error"), QStringLiteral("no barcode found")},
                       {QStringLiteral("code"), QStringLiteral("not_found")}});
            status = NotRead;
            continue;
        }
        for (const auto &scan : *scans) {
            const QJsonObject line = Client::Tools::scanJson(file, scan, gs1Options);
            if (Client::Tools::hasError(line))
                status = NotRead;
            printLine(line);
        }
    }
    return status;
}

int parseTexts(const QStringList &texts, const Common::Barcode::Gs1Options &gs1Options)
{
    int status = Ok;
    for (const QString &text : texts) {
        const QJsonObject line = Client::Tools::scannerTextJson(text, gs1Options);
        if (Client::Tools::hasError(line))
            status = NotRead;
        printLine(line);
    }
    return status;
}

int makeLabel(const QString &format, const QString &text, const QString &out)
{
    const auto unescaped = Client::Tools::unescapeScannerText(text.toStdString());
    const auto label = unescaped ? Client::Tools::renderLabel(format.toStdString(), *unescaped)
                                 : Common::Result<Client::Tools::Label>(tl::unexpected(unescaped.error()));
    if (!label) {
        QJsonObject line{{QStringLiteral("file"), out}, {QStringLiteral("label"), format}};
        const QJsonObject error = Client::Tools::errorJson(label.error());
        for (auto it = error.constBegin(); it != error.constEnd(); ++it)
            line.insert(it.key(), it.value());
        printLine(line);
        return NotRead;
    }
    if (!label->image.save(out)) {
        printLine({{QStringLiteral("file"), out},
                   {QStringLiteral("label"), format},
                   {QStringLiteral("error"), QStringLiteral("cannot write the image (folder missing or unknown extension)")},
                   {QStringLiteral("code"), QStringLiteral("io")}});
        return NotRead;
    }
    printLine({{QStringLiteral("file"), out},
               {QStringLiteral("label"), format},
               {QStringLiteral("format"), QString::fromStdString(label->format)},
               {QStringLiteral("text"), QString::fromStdString(label->content)},
               {QStringLiteral("width"), label->image.width()},
               {QStringLiteral("height"), label->image.height()}});
    return Ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("soko-scan"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SOKO_VERSION));

    QCommandLineParser parser;
    const QCommandLineOption formatsOption(QStringLiteral("formats"), tr("Formats decode looks for."), QStringLiteral("LIST"));
    const QCommandLineOption substituteOption(QStringLiteral("gs-substitute"), tr("Character sent instead of GS."),
                                              QStringLiteral("C"));
    const QCommandLineOption helpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")}, tr("Help."));
    const QCommandLineOption versionOption(QStringList{QStringLiteral("v"), QStringLiteral("version")}, tr("Version."));
    parser.addOptions({formatsOption, substituteOption, helpOption, versionOption});
    if (!parser.parse(QCoreApplication::arguments())) {
        return usageError(parser.errorText());
    }
    if (parser.isSet(helpOption)) {
        const QByteArray text = usage().toUtf8();
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        return Ok;
    }
    if (parser.isSet(versionOption)) {
        std::printf("soko-scan %s\n", SOKO_VERSION);
        return Ok;
    }

    QStringList arguments = parser.positionalArguments();
    const QString command = arguments.isEmpty() ? QString() : arguments.takeFirst();

    Common::Barcode::Gs1Options gs1Options;
    if (parser.isSet(substituteOption)) {
        const QString substitute = parser.value(substituteOption);
        const bool usable = substitute.size() == 1 && substitute[0].unicode() > 0x20 && substitute[0].unicode() < 0x7F
                            && !substitute[0].isLetterOrNumber();
        if (!usable)
            return usageError(tr("--gs-substitute takes one printable ASCII character that is not a letter or digit"));
        gs1Options.gsSubstitute = static_cast<char>(substitute[0].unicode());
    }

    if (command == QLatin1String("decode") && !arguments.isEmpty()) {
        const auto options = decodeOptions(parser.value(formatsOption));
        if (!options)
            return usageError(QString::fromStdString(options.error().describe()));
        return decodeImages(arguments, *options, gs1Options);
    }
    if (command == QLatin1String("parse") && !arguments.isEmpty())
        return parseTexts(arguments, gs1Options);
    if (command == QLatin1String("make-label") && arguments.size() == 3)
        return makeLabel(arguments[0], arguments[1], arguments[2]);

    return usageError(command.isEmpty() ? tr("no command given") : tr("wrong command or arguments: ") + command);
}
