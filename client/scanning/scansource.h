#pragma once
#include <QObject>
#include "client/scanning/scanevent.h"

// One physical input (keyboard wedge, camera, image file, test fake) that delivers scans;
// emits on the GUI thread. Owned by its QObject parent, normally the composition root.
class ScanSource : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanSource)
public:
    using QObject::QObject;
    ~ScanSource() override = default;
    virtual QString name() const = 0;

Q_SIGNALS:
    void scanned(const ScanEvent &event);
};
