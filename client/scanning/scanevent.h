#pragma once
#include <QMetaType>
#include <QString>

// Where a scan came from; workflows never depend on it, the status bar and logs show it.
enum class ScanOrigin { Wedge, Camera, Image, Fake, Script };

// One decoded barcode as delivered by a ScanSource (DESIGN.md "Barcodes"). `text` is the content
// as the reader produced it: GS (ASCII 29) separates GS1 fields, and a leading AIM symbology
// identifier ("]C1", "]d2", "]E0", …) may be present. `symbology` is the format name when the
// source knows it ("EAN-13", "Code128", "Codabar", "DataMatrix", …), else empty.
struct ScanEvent
{
    QString text;
    QString symbology;
    ScanOrigin origin = ScanOrigin::Wedge;
};

Q_DECLARE_METATYPE(ScanEvent)
