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

Common::Result<int> ImageScanSource::scanFile(const QString &path)
{
    auto scans = Client::Scanning::ImageDecoder(warehouseFormats()).decodeFile(path);
    if (!scans)
        return tl::unexpected(scans.error());
    for (const Client::Scanning::Scan &scan : *scans)
        Q_EMIT scanned(ScanEvent{QString::fromStdString(scan.parserInput()), QString::fromStdString(scan.format),
                                 ScanOrigin::Image});
    return int(scans->size());
}

Common::Result<int> ImageScanSource::decodeFrame(const QImage &frame)
{
    auto scans = Client::Scanning::ImageDecoder(warehouseFormats()).decode(frame);
    if (!scans)
        return tl::unexpected(scans.error());
    for (const Client::Scanning::Scan &scan : *scans)
        Q_EMIT scanned(ScanEvent{QString::fromStdString(scan.parserInput()), QString::fromStdString(scan.format),
                                 ScanOrigin::Camera});
    return int(scans->size());
}
