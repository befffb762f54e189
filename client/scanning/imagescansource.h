#pragma once
#include <QList>
#include "client/scanning/scansource.h"
#include "common/support/result.h"

class QImage;

// Scans from image files or camera frames, decoded with ZXing-cpp (client/scanning/imagedecoder
// of the scan branch). Every barcode found becomes one scan with its symbology and AIM
// identifier in front of the text, so GS1 symbols classify exactly like a wedge scan with AIM
// identifiers on. CameraScanSource decodes its frames with decodeImage(); owned by its parent.
class ImageScanSource final : public ScanSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageScanSource)
public:
    using ScanSource::ScanSource;
    QString name() const override { return QStringLiteral("image"); }

    // Number of scans emitted. Errors: Io, InvalidInput, TooLarge (from the decoder).
    Common::Result<int> scanFile(const QString &path);
    Common::Result<int> decodeFrame(const QImage &frame);

    // The scans one image holds, in the decoder's order, without emitting them: the warehouse
    // formats (product labels and Codabar, no UPC-E) with the decoder's misread guards. Safe on
    // any thread (a camera decodes off the GUI thread). Errors: InvalidInput, TooLarge.
    static Common::Result<QList<ScanEvent>> decodeImage(const QImage &image, ScanOrigin origin);
};
