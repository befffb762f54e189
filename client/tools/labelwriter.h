#pragma once
#include <string>
#include <string_view>

#include <QImage>

#include "common/support/result.h"

// Draws test and demo labels with ZXing-cpp 1.4's MultiFormatWriter, for soko-scan make-label.
namespace Client::Tools {

struct Label
{
    QImage image;            // 1-bit look in Format_Grayscale8: black modules on white, quiet zone included
    std::string format;      // ZXing name of the symbology drawn ("Code128" for GS1-128)
    std::string content;     // what a reader returns: for GS1-128 the element string with GS separators
    bool gs1 = false;
};

// Renders `text` as `format`: any ZXing 1.4 writer format ("EAN-13", "EAN-8", "UPC-A", "UPC-E",
// "ITF", "Code39", "Code93", "Code128", "Codabar", "DataMatrix", "QRCode", "Aztec", "PDF417") or
// "GS1-128", which takes GS1 data in bracketed form "(01)…(17)…" or as an element string with GS
// separators, checks it with the GS1 parser and writes Code 128 with FNC1 in first position and
// after every element that is not of predefined length (GS1 General Specifications §5.4, §7.8.4).
// ZXing 1.4 cannot write FNC1 in DataMatrix, QR Code or Aztec, so "GS1-DataMatrix"/"GS1-QRCode"
// are refused with InvalidInput rather than drawn as symbols that do not say GS1.
// EAN/UPC take the digits with or without check digit (a wrong one is refused). Codabar text
// carries its own start/stop characters (A-D), e.g. "A123456789012B".
// Errors: InvalidInput (unknown format, text the symbology cannot carry, the writer's reason),
// TooLarge (more than 4096 bytes), and the GS1 parser's errors for GS1-128.
Common::Result<Label> renderLabel(std::string_view format, std::string_view text);

} // namespace Client::Tools
