#pragma once
#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <vector>

#include "tests/support/testdata.h"

// The barcode photos' manifest, ../shared/testdata/barcodes/MANIFEST.tsv (tab-separated, columns
// named in that folder's README), read by tst_imagedecoder and bench/barcode_bench.
namespace TestSupport {

struct BarcodeManifestRow
{
    QString relativePath; // below testdata/barcodes/, e.g. "ean-13/ean13-2/13.png"
    QString format;       // ZXing 1.4 format name
    bool decodesWith140 = false;
    QString symbologyIdentifier140;
    QString contentType140;
    QString notes;
};

// "\xHH" escapes of the manifest notes back to bytes (README: unambiguous in these files).
inline QByteArray unescapeManifest(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        if (utf8[i] == '\\' && i + 3 < utf8.size() && utf8[i + 1] == 'x') {
            bool ok = false;
            const int value = utf8.mid(i + 2, 2).toInt(&ok, 16);
            if (ok) {
                out.append(char(value));
                i += 3;
                continue;
            }
        }
        out.append(utf8[i]);
    }
    return out;
}

// Every row of the manifest; empty when the file cannot be read.
inline std::vector<BarcodeManifestRow> readBarcodeManifest()
{
    std::vector<BarcodeManifestRow> rows;
    QFile file(testDataPath(QStringLiteral("barcodes/MANIFEST.tsv")));
    if (!file.open(QIODevice::ReadOnly))
        return rows;
    const QList<QByteArray> lines = file.readAll().split('\n');
    const QList<QByteArray> header = lines.value(0).split('\t');
    const auto column = [&header](const char *name) { return header.indexOf(QByteArray(name)); };
    const qsizetype pathColumn = column("relative_path");
    const qsizetype formatColumn = column("format");
    const qsizetype decodesColumn = column("decodes_with_zxing_cpp_1_4_0");
    const qsizetype symbologyColumn = column("symbology_identifier_1_4_0");
    const qsizetype contentColumn = column("content_type_1_4_0");
    const qsizetype notesColumn = column("notes");
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const QList<QByteArray> cells = lines[i].split('\t');
        BarcodeManifestRow row;
        row.relativePath = QString::fromUtf8(cells.value(pathColumn));
        row.format = QString::fromUtf8(cells.value(formatColumn));
        row.decodesWith140 = cells.value(decodesColumn).startsWith("yes");
        row.symbologyIdentifier140 = QString::fromUtf8(cells.value(symbologyColumn));
        row.contentType140 = QString::fromUtf8(cells.value(contentColumn));
        row.notes = QString::fromUtf8(cells.value(notesColumn));
        rows.push_back(row);
    }
    return rows;
}

// Other barcodes of `format` the notes column says are really in the picture ("also decodes
// EAN-13 7034759003930"): not misreads. A barcode of another format named there is one.
inline std::vector<QByteArray> alsoPresentTexts(const QString &notes, const QString &format)
{
    std::vector<QByteArray> texts;
    const QString marker = QStringLiteral("also decodes ") + format + QLatin1Char(' ');
    if (notes.startsWith(marker))
        texts.push_back(unescapeManifest(notes.mid(marker.size())));
    return texts;
}

} // namespace TestSupport
