#include "client/scanning/imagescansource.h"

#include <QImage>

#include "client/scanning/imagedecoder.h"

namespace {

// Product labels plus Codabar (NW-7 tracking numbers); no UPC-E, whose false positives inside
// EAN-13 would ship the wrong item.
Client::Scanning::DecodeOptions warehouseFormats()
{
    Client::Scanning::DecodeOptions options = Client::Scanning::DecodeOptions::product();
    options.formats.push_back("Codabar");
    return options;
}

} // namespace

namespace {

QList<ScanEvent> toEvents(const std::vector<Client::Scanning::Scan> &scans, ScanOrigin origin)
{
    QList<ScanEvent> events;
    events.reserve(qsizetype(scans.size()));
    for (const Client::Scanning::Scan &scan : scans)
        events.append(ScanEvent{QString::fromStdString(scan.parserInput()), QString::fromStdString(scan.format), origin});
    return events;
}

} // namespace

Common::Result<int> ImageScanSource::scanFile(const QString &path)
{
    auto scans = Client::Scanning::ImageDecoder(warehouseFormats()).decodeFile(path);
    if (!scans)
        return tl::unexpected(scans.error());
    for (const ScanEvent &event : toEvents(*scans, ScanOrigin::Image))
        Q_EMIT scanned(event);
    return int(scans->size());
}

Common::Result<int> ImageScanSource::decodeFrame(const QImage &frame)
{
    auto events = decodeImage(frame, ScanOrigin::Camera);
    if (!events)
        return tl::unexpected(events.error());
    for (const ScanEvent &event : std::as_const(*events))
        Q_EMIT scanned(event);
    return int(events->size());
}

Common::Result<QList<ScanEvent>> ImageScanSource::decodeImage(const QImage &image, ScanOrigin origin)
{
    auto scans = Client::Scanning::ImageDecoder(warehouseFormats()).decode(image);
    if (!scans)
        return tl::unexpected(scans.error());
    return toEvents(*scans, origin);
}
