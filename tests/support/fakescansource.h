#pragma once
#include "client/scanning/scansource.h"

// A ScanSource for tests and scripted sessions: inject(text) emits one scan synchronously, as a
// wedge scanner would after its Enter.
class FakeScanSource final : public ScanSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeScanSource)
public:
    using ScanSource::ScanSource;
    QString name() const override { return QStringLiteral("fake"); }
    void inject(const QString &text, const QString &symbology = {})
    {
        Q_EMIT scanned(ScanEvent{text, symbology, ScanOrigin::Fake});
    }
};
