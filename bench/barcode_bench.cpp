// Barcode decoding side by side: Soko's ImageDecoder against ZXingReader (Debian zxing-cpp-tools)
// and zbarimg (Debian zbar-tools) on every image of ../shared/testdata/barcodes (MANIFEST.tsv).
//
// Tools, each run on every image in every round:
//   - soko          ImageDecoder::decodeFile() in this process (file load + decode),
//   - soko-scan     `soko-scan decode --formats F IMAGE` as a process (the fair process-to-process
//                   comparison),
//   - ZXingReader   `ZXingReader [-format F] IMAGE` as a process (tryHarder and rotation are its
//                   defaults, as Soko's),
//   - zbarimg       `zbarimg --nodbus -q [-Sdisable -S<sym>.enable] IMAGE` as a process.
// Two modes: "expected" looks only for the image's own format (as a warehouse workflow does) and
// "any" enables every format the tool has.
// Process start-up is measured on a 1×1 white PNG (same arguments); the corrected per-image time
// is the raw per-image time minus that median.
//
// Read = the image's expected text (X.txt, byte for byte) was among the results. Text
// normalisations, applied to every tool alike: UPC-A also counts when read as EAN-13 with a
// leading 0 (zbar's default), EAN-13/UPC-A also count with a 2- or 5-digit add-on after a space
// (ZXingReader reads add-ons by default), Codabar also counts with its A–D start/stop characters
// (zbar keeps them). Misread = the image produced at least one other text, except the second
// barcodes really in the picture (the manifest's notes column for the image's own format, plus the Japanese book price code
// at the bottom edge of ean13-2/13.png, which ZXing 1.4 does not see but zbar reads).
// A process that crashes or times out reads nothing for that image (counted under "crashed").
//
// Usage: barcode_bench [rounds=5] [output=<source>/bench/results/barcode.json]
// Environment: SOKO_SHARED_DIR (default <source>/../shared), SOKO_SCAN (default
// <build>/client/soko-scan next to this program's bench/ folder).
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench/benchmachine.h"
#include "client/scanning/imagedecoder.h"
#include "tests/support/barcodemanifest.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Sample
{
    QString relativePath;
    QString path;
    QString format;                      // ZXing 1.4 name from the manifest
    QByteArray expected;                 // X.txt, exact bytes
    std::vector<QByteArray> alsoPresent; // other real barcodes (manifest notes)
};

// What one tool answered for one image.
struct Outcome
{
    std::vector<QByteArray> texts;
    bool failed = false; // the process crashed, did not run or timed out
};

std::vector<Sample> readManifest(const QString &folder)
{
    std::vector<Sample> samples;
    for (const TestSupport::BarcodeManifestRow &row : TestSupport::readBarcodeManifest()) {
        Sample sample;
        sample.relativePath = row.relativePath;
        sample.path = folder + QLatin1Char('/') + sample.relativePath;
        sample.format = row.format;
        QFile expected(sample.path.left(sample.path.lastIndexOf(QLatin1Char('.'))) + QStringLiteral(".txt"));
        if (!expected.open(QIODevice::ReadOnly))
            continue;
        sample.expected = expected.readAll();
        // A second barcode of the image's own format really in the picture (manifest notes).
        sample.alsoPresent = TestSupport::alsoPresentTexts(row.notes, row.format);
        // The second barcode at the bottom edge of this ISBN photo: the Japanese book price code
        // (192…, "書籍JANコード" second row), a real symbol the manifest does not list.
        if (sample.relativePath == QLatin1String("ean-13/ean13-2/13.png"))
            sample.alsoPresent.push_back("1920081045006");
        samples.push_back(sample);
    }
    return samples;
}

// zbar's symbology switch for a ZXing format name; empty when zbar has none (DataMatrix).
QString zbarSymbology(const QString &format)
{
    static const std::map<QString, QString> names = {
        {QStringLiteral("EAN-13"), QStringLiteral("ean13")},   {QStringLiteral("EAN-8"), QStringLiteral("ean8")},
        {QStringLiteral("UPC-A"), QStringLiteral("upca")},     {QStringLiteral("Code128"), QStringLiteral("code128")},
        {QStringLiteral("ITF"), QStringLiteral("i25")},        {QStringLiteral("Codabar"), QStringLiteral("codabar")},
        {QStringLiteral("QRCode"), QStringLiteral("qrcode")}};
    const auto it = names.find(format);
    return it == names.end() ? QString() : it->second;
}

// ZXingReader 1.4 default output: one block per barcode, `Text:       "<raw text>"` possibly over
// several lines, then `Bytes:`.
std::vector<QByteArray> parseZxingReader(const QByteArray &output)
{
    std::vector<QByteArray> texts;
    const QByteArray open = "Text:       \"";
    qsizetype from = 0;
    while (true) {
        const qsizetype start = output.indexOf(open, from);
        if (start < 0 || (start > 0 && output[start - 1] != '\n'))
            break;
        const qsizetype textStart = start + open.size();
        const qsizetype end = output.indexOf("\"\nBytes:", textStart);
        if (end < 0)
            break;
        texts.push_back(output.mid(textStart, end - textStart));
        from = end;
    }
    return texts;
}

// zbarimg -q output: `TYPE:data` per symbol, data may span lines (QR CR LF), so a new symbol starts
// only at a line beginning with a known zbar type name.
std::vector<QByteArray> parseZbarimg(const QByteArray &output)
{
    static const std::vector<QByteArray> types = {"EAN-13:",   "EAN-8:",   "EAN-2:",   "EAN-5:",   "UPC-A:",
                                                  "UPC-E:",    "ISBN-10:", "ISBN-13:", "I2/5:",    "CODE-128:",
                                                  "CODE-39:",  "CODE-93:", "Codabar:", "QR-Code:", "DataBar:",
                                                  "DataBar-Exp:", "PDF417:", "SQ-Code:"};
    std::vector<QByteArray> texts;
    QByteArray body = output;
    if (body.endsWith('\n'))
        body.chop(1);
    if (body.isEmpty())
        return texts;
    for (const QByteArray &line : body.split('\n')) {
        bool started = false;
        for (const QByteArray &type : types)
            if (line.startsWith(type)) {
                texts.push_back(line.mid(type.size()));
                started = true;
                break;
            }
        if (!started && !texts.empty())
            texts.back().append('\n').append(line);
    }
    return texts;
}

// soko-scan decode: one JSON object per barcode, "text" when read.
std::vector<QByteArray> parseSokoScan(const QByteArray &output)
{
    std::vector<QByteArray> texts;
    for (const QByteArray &line : output.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.contains(QStringLiteral("text")))
            texts.push_back(object.value(QStringLiteral("text")).toString().toUtf8());
    }
    return texts;
}

bool isExpected(const Sample &sample, const QByteArray &text)
{
    if (text == sample.expected)
        return true;
    if (sample.format == QLatin1String("UPC-A") && text == "0" + sample.expected)
        return true;
    if ((sample.format == QLatin1String("EAN-13") || sample.format == QLatin1String("UPC-A")) &&
        text.startsWith(sample.expected + ' ')) {
        const QByteArray addOn = text.mid(sample.expected.size() + 1);
        if ((addOn.size() == 2 || addOn.size() == 5) &&
            std::all_of(addOn.begin(), addOn.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return true;
    }
    const auto isStartStop = [](char c) { return c >= 'A' && c <= 'D'; };
    if (sample.format == QLatin1String("Codabar") && text.size() == sample.expected.size() + 2 &&
        isStartStop(text.front()) && isStartStop(text.back()) && text.mid(1, sample.expected.size()) == sample.expected)
        return true;
    return false;
}

class Bench
{
public:
    Bench(QString sokoScan, QString blankImage) : m_sokoScan(std::move(sokoScan)), m_blank(std::move(blankImage)) {}

    // Arguments of a process tool for one image; empty program when the tool cannot look for the format.
    std::pair<QString, QStringList> command(const QString &tool, const QString &mode, const QString &format,
                                            const QString &image) const
    {
        const bool any = mode == QLatin1String("any");
        if (tool == QLatin1String("soko-scan"))
            return {m_sokoScan, {QStringLiteral("decode"), QStringLiteral("--formats"), any ? QStringLiteral("any") : format, image}};
        if (tool == QLatin1String("ZXingReader")) {
            if (any)
                return {QStringLiteral("ZXingReader"), {image}};
            return {QStringLiteral("ZXingReader"), {QStringLiteral("-format"), format, image}};
        }
        QStringList arguments{QStringLiteral("--nodbus"), QStringLiteral("-q")};
        if (!any) {
            const QString symbology = zbarSymbology(format);
            if (symbology.isEmpty())
                return {};
            arguments << QStringLiteral("-Sdisable") << QStringLiteral("-S%1.enable").arg(symbology);
            // zbar decodes UPC-A inside its EAN-13 decoder: without it, no UPC-A at all.
            if (symbology == QLatin1String("upca"))
                arguments << QStringLiteral("-Sean13.enable");
        }
        arguments << image;
        return {QStringLiteral("zbarimg"), arguments};
    }

    // Runs one tool on one image; returns the texts and adds the wall time to `seconds`.
    Outcome run(const QString &tool, const QString &mode, const QString &format, const QString &image,
                double &seconds) const
    {
        Outcome outcome;
        if (tool == QLatin1String("soko")) {
            Client::Scanning::DecodeOptions options = Client::Scanning::DecodeOptions::anyFormat();
            if (mode != QLatin1String("any"))
                options.formats = {format.toStdString()};
            const auto begin = Clock::now();
            const auto scans = Client::Scanning::ImageDecoder(options).decodeFile(image);
            seconds += std::chrono::duration<double>(Clock::now() - begin).count();
            if (!scans) {
                outcome.failed = true;
                return outcome;
            }
            for (const auto &scan : *scans)
                outcome.texts.push_back(QByteArray::fromStdString(scan.text));
            return outcome;
        }
        const auto [program, arguments] = command(tool, mode, format, image);
        QProcess process;
        process.setProcessChannelMode(QProcess::SeparateChannels);
        const auto begin = Clock::now();
        process.start(program, arguments);
        const bool finished = process.waitForStarted(10000) && process.waitForFinished(60000);
        seconds += std::chrono::duration<double>(Clock::now() - begin).count();
        if (!finished || process.exitStatus() == QProcess::CrashExit) {
            process.kill();
            process.waitForFinished(1000);
            outcome.failed = true;
            return outcome;
        }
        const QByteArray output = process.readAllStandardOutput();
        if (tool == QLatin1String("soko-scan"))
            outcome.texts = parseSokoScan(output);
        else if (tool == QLatin1String("ZXingReader"))
            outcome.texts = parseZxingReader(output);
        else
            outcome.texts = parseZbarimg(output);
        return outcome;
    }

    const QString &blank() const { return m_blank; }

private:
    QString m_sokoScan;
    QString m_blank;
};

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

QString commandOutput(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(10000))
        return {};
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
    return {};
}

QJsonArray toArray(const std::vector<double> &values, double scale)
{
    QJsonArray array;
    for (double value : values)
        array.append(value * scale);
    return array;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const int rounds = arguments.size() > 1 ? std::max(1, arguments[1].toInt()) : 5;
    const QString output = arguments.size() > 2 ? arguments[2]
                                                : QStringLiteral(SOKO_SOURCE_DIR "/bench/results/barcode.json");
    QString sokoScan = QString::fromLocal8Bit(qgetenv("SOKO_SCAN"));
    if (sokoScan.isEmpty())
        sokoScan = QDir::cleanPath(app.applicationDirPath() + QStringLiteral("/../client/soko-scan"));

    const QString folder = TestSupport::testDataPath(QStringLiteral("barcodes"));
    const std::vector<Sample> samples = readManifest(folder);
    if (samples.empty()) {
        std::fprintf(stderr, "barcode_bench: no samples in %s/MANIFEST.tsv\n", qPrintable(folder));
        return 1;
    }
    std::vector<QString> formats;
    for (const Sample &sample : samples)
        if (std::find(formats.begin(), formats.end(), sample.format) == formats.end())
            formats.push_back(sample.format);

    QTemporaryDir temporary;
    const QString blank = temporary.path() + QStringLiteral("/blank-1x1.png");
    {
        QImage image(1, 1, QImage::Format_Grayscale8);
        image.fill(255);
        image.save(blank);
    }
    const Bench bench(sokoScan, blank);

    std::vector<QString> tools{QStringLiteral("soko"), QStringLiteral("soko-scan"), QStringLiteral("ZXingReader"),
                               QStringLiteral("zbarimg")};
    if (!QFileInfo(sokoScan).isExecutable()) {
        std::fprintf(stderr, "barcode_bench: %s missing, soko-scan skipped\n", qPrintable(sokoScan));
        tools.erase(tools.begin() + 1);
    }
    const std::vector<QString> modes{QStringLiteral("expected"), QStringLiteral("any")};
    const int startupRuns = 10;

    // key: tool + '/' + mode
    std::map<QString, std::vector<double>> totals;         // seconds per round over all images it ran
    std::map<QString, std::vector<double>> startups;       // seconds per 1×1 run
    std::map<QString, std::vector<double>> perImage;       // seconds, image-major then round
    std::map<QString, std::vector<Outcome>> firstOutcomes; // round 1
    std::map<QString, int> unstable;                       // images whose texts changed between rounds
    std::map<QString, int> imagesRun;

    for (int round = 0; round < rounds; ++round) {
        for (const QString &mode : modes) {
            for (const QString &tool : tools) {
                const QString key = tool + QLatin1Char('/') + mode;
                double total = 0;
                int count = 0;
                auto &times = perImage[key];
                times.resize(samples.size() * size_t(rounds));
                for (size_t i = 0; i < samples.size(); ++i) {
                    const Sample &sample = samples[i];
                    if (tool != QLatin1String("soko") && bench.command(tool, mode, sample.format, sample.path).first.isEmpty())
                        continue;
                    double seconds = 0;
                    const Outcome outcome = bench.run(tool, mode, sample.format, sample.path, seconds);
                    total += seconds;
                    ++count;
                    times[i * size_t(rounds) + size_t(round)] = seconds;
                    auto &first = firstOutcomes[key];
                    if (round == 0) {
                        first.resize(samples.size());
                        first[i] = outcome;
                    } else if (first[i].texts != outcome.texts) {
                        ++unstable[key];
                    }
                }
                totals[key].push_back(total);
                imagesRun[key] = count;
                if (tool != QLatin1String("soko")) {
                    for (int i = 0; i < startupRuns; ++i) {
                        double seconds = 0;
                        bench.run(tool, mode, QStringLiteral("QRCode"), blank, seconds);
                        startups[key].push_back(seconds);
                    }
                }
                std::fprintf(stderr, "round %d %-22s %8.1f ms for %d images\n", round + 1, qPrintable(key),
                             total * 1000, count);
            }
        }
    }

    QJsonObject results;
    for (const QString &mode : modes) {
        QJsonObject modeObject;
        for (const QString &tool : tools) {
            const QString key = tool + QLatin1Char('/') + mode;
            const std::vector<double> &roundTotals = totals[key];
            const int count = imagesRun[key];
            const double medianTotal = median(roundTotals);
            const double startup = median(startups[key]);
            QJsonObject toolObject;
            toolObject[QStringLiteral("images")] = count;
            toolObject[QStringLiteral("total_ms_per_round")] = toArray(roundTotals, 1000);
            toolObject[QStringLiteral("total_ms_median")] = medianTotal * 1000;
            toolObject[QStringLiteral("total_ms_min")] = *std::min_element(roundTotals.begin(), roundTotals.end()) * 1000;
            toolObject[QStringLiteral("total_ms_max")] = *std::max_element(roundTotals.begin(), roundTotals.end()) * 1000;
            toolObject[QStringLiteral("ms_per_image_median")] = count ? medianTotal * 1000 / count : 0;
            if (tool != QLatin1String("soko")) {
                toolObject[QStringLiteral("startup_ms_median")] = startup * 1000;
                toolObject[QStringLiteral("startup_ms_min")] = *std::min_element(startups[key].begin(), startups[key].end()) * 1000;
                toolObject[QStringLiteral("startup_ms_max")] = *std::max_element(startups[key].begin(), startups[key].end()) * 1000;
                toolObject[QStringLiteral("ms_per_image_startup_corrected")] =
                    count ? (medianTotal / count - startup) * 1000 : 0;
            }
            toolObject[QStringLiteral("images_with_unstable_results")] = unstable[key];

            QJsonObject perFormat;
            QJsonArray misreadList;
            QJsonArray missedList;
            QJsonArray crashedList;
            int read = 0;
            int misreads = 0;
            for (const QString &format : formats) {
                int formatImages = 0;
                int formatRead = 0;
                int formatMisreads = 0;
                double formatSeconds = 0;
                bool supported = true;
                for (size_t i = 0; i < samples.size(); ++i) {
                    const Sample &sample = samples[i];
                    if (sample.format != format)
                        continue;
                    if (tool != QLatin1String("soko") &&
                        bench.command(tool, mode, sample.format, sample.path).first.isEmpty()) {
                        supported = false;
                        continue;
                    }
                    ++formatImages;
                    std::vector<double> imageTimes(perImage[key].begin() + long(i) * rounds,
                                                   perImage[key].begin() + long(i + 1) * rounds);
                    formatSeconds += median(imageTimes);
                    const Outcome &outcome = firstOutcomes[key][i];
                    if (outcome.failed)
                        crashedList.append(sample.relativePath);
                    bool hit = false;
                    bool misread = false;
                    for (const QByteArray &text : outcome.texts) {
                        if (isExpected(sample, text))
                            hit = true;
                        else if (std::find(sample.alsoPresent.begin(), sample.alsoPresent.end(), text) ==
                                 sample.alsoPresent.end()) {
                            misread = true;
                            misreadList.append(QJsonObject{{QStringLiteral("image"), sample.relativePath},
                                                           {QStringLiteral("read"), QString::fromUtf8(text)},
                                                           {QStringLiteral("expected"), QString::fromUtf8(sample.expected)}});
                        }
                    }
                    if (!hit)
                        missedList.append(sample.relativePath);
                    formatRead += hit ? 1 : 0;
                    formatMisreads += misread ? 1 : 0;
                }
                QJsonObject formatObject;
                if (!supported && formatImages == 0) {
                    formatObject[QStringLiteral("supported")] = false;
                } else {
                    formatObject[QStringLiteral("images")] = formatImages;
                    formatObject[QStringLiteral("read")] = formatRead;
                    formatObject[QStringLiteral("read_rate")] = formatImages ? double(formatRead) / formatImages : 0;
                    formatObject[QStringLiteral("images_with_misreads")] = formatMisreads;
                    formatObject[QStringLiteral("ms_per_image_median")] =
                        formatImages ? formatSeconds * 1000 / formatImages : 0;
                }
                perFormat[format] = formatObject;
                read += formatRead;
                misreads += formatMisreads;
            }
            toolObject[QStringLiteral("formats")] = perFormat;
            toolObject[QStringLiteral("read")] = read;
            toolObject[QStringLiteral("images_with_misreads")] = misreads;
            toolObject[QStringLiteral("misreads")] = misreadList;
            toolObject[QStringLiteral("not_read")] = missedList;
            toolObject[QStringLiteral("crashed")] = crashedList;
            modeObject[tool] = toolObject;
        }
        results[mode] = modeObject;
    }

    QJsonObject machine{{QStringLiteral("nproc"), int(std::thread::hardware_concurrency())},
                        {QStringLiteral("cpu"), cpuModel()},
                        {QStringLiteral("date_utc"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                        {QStringLiteral("load_average"), QString::fromStdString(benchLoadAverage())},
                        {QStringLiteral("zxing_cpp_tools"),
                         commandOutput(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), QStringLiteral("-f=${Version}"), QStringLiteral("zxing-cpp-tools")})},
                        {QStringLiteral("zbar_tools"),
                         commandOutput(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), QStringLiteral("-f=${Version}"), QStringLiteral("zbar-tools")})},
                        {QStringLiteral("libzxing2"),
                         commandOutput(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), QStringLiteral("-f=${Version}"), QStringLiteral("libzxing2")})}};
    QJsonObject document{
        {QStringLiteral("benchmark"), QStringLiteral("barcode")},
        {QStringLiteral("description"),
         QStringLiteral("Soko ImageDecoder (in-process and soko-scan process) vs ZXingReader and zbarimg processes on "
                        "../shared/testdata/barcodes; mode 'expected' = only the image's format, 'any' = every format")},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("images"), int(samples.size())},
        {QStringLiteral("machine"), machine},
        {QStringLiteral("results"), results}};
    QDir().mkpath(QFileInfo(output).absolutePath());
    QFile file(output);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "barcode_bench: cannot write %s\n", qPrintable(output));
        return 1;
    }
    file.write(QJsonDocument(document).toJson(QJsonDocument::Indented));
    std::fprintf(stderr, "wrote %s\n", qPrintable(output));
    return 0;
}
