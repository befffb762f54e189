#pragma once
#include "client/scanning/scansource.h"

// Scans from a scripted session (soko-terminal --script): the same path as a real scanner, so
// a headless run exercises routing and workflows exactly as a picker would.
class ScriptScanSource final : public ScanSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptScanSource)
public:
    using ScanSource::ScanSource;
    QString name() const override { return QStringLiteral("script"); }
    void inject(const QString &text, const QString &symbology = {})
    {
        Q_EMIT scanned(ScanEvent{text, symbology, ScanOrigin::Script});
    }
};
