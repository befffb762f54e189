#pragma once
#include <QObject>
#include <QPointer>
#include <QRegularExpression>
#include "client/scanning/scanevent.h"

class ScanSource;

// What a scan means on the warehouse floor, decided from its content alone.
enum class ScanKind {
    Item,       // GTIN (EAN/JAN/UPC/ITF-14 or GS1 AI 01/02), normalised to GTIN-14
    Container,  // SSCC (GS1 AI 00): a carton or pallet
    Location,   // a bin label matching ScanPatterns::location
    Badge,      // an operator badge matching ScanPatterns::badge
    Order,      // a pick slip matching ScanPatterns::order
    Tracking,   // a carrier tracking number (Codabar/NW-7, or digits failing the GTIN check)
    Unknown,    // anything else, or a GS1 string that failed to parse (see `error`)
};

// A scan with its classification and the GS1 fields it carried. `code` is the normalised key the
// workflows match on: GTIN-14 for Item, SSCC for Container, the text otherwise (AIM identifier,
// Codabar start/stop and surrounding blanks removed).
struct ClassifiedScan
{
    ScanEvent event;
    ScanKind kind = ScanKind::Unknown;
    QString code;
    QString gtin;
    QString lot;                     // AI 10
    QString expiry;                  // AI 17 as ISO date "2027-03-31"
    QString serial;                  // AI 21
    qint64 count = 0;                // AI 30/37, 0 when absent
    QString error;                   // why a GS1-looking scan was not understood (English, for logs)
};

Q_DECLARE_METATYPE(ClassifiedScan)

// Site-specific label patterns (anchored regular expressions), configurable per warehouse.
struct ScanPatterns
{
    QRegularExpression location{QStringLiteral("^[A-Z]{1,3}[0-9]{0,2}(?:-[0-9]{1,3}){2,3}$")};
    QRegularExpression badge{QStringLiteral("^(?:OP|BADGE)-?[0-9A-Z]{2,16}$")};
    QRegularExpression order{QStringLiteral("^(?:SO|ORD)-?[0-9A-Z-]{2,24}$")};
};

// Receives classified scans: the active workflow (non-owning pointer held by the router).
class ScanConsumer
{
public:
    virtual ~ScanConsumer() = default;
    virtual void handleScan(const ClassifiedScan &scan) = 0;
};

// Classifies scans from every connected ScanSource with common/barcode and hands them to the
// active workflow. Owned by the composition root; sources and consumers outlive their wiring.
class ScanRouter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanRouter)
public:
    explicit ScanRouter(QObject *parent = nullptr);

    void addSource(ScanSource *source);
    // The workflow that gets scans from now on; nullptr drops them (reported by `unhandled`).
    void setConsumer(ScanConsumer *consumer) { m_consumer = consumer; }
    ScanConsumer *consumer() const { return m_consumer; }
    void setPatterns(const ScanPatterns &patterns) { m_patterns = patterns; }

    static ClassifiedScan classify(const ScanEvent &event, const ScanPatterns &patterns = {});

public Q_SLOTS:
    void route(const ScanEvent &event);

Q_SIGNALS:
    void routed(const ClassifiedScan &scan);     // before the consumer sees it (status bar, log)
    void unhandled(const ClassifiedScan &scan);  // no active consumer

private:
    ScanPatterns m_patterns;
    ScanConsumer *m_consumer = nullptr;
};
