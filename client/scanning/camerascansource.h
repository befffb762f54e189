#pragma once
#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QThreadPool>
#include <functional>
#include "client/scanning/scansource.h"
#include "common/support/result.h"

class QCamera;
class QImage;
class QMediaCaptureSession;
class QVideoFrame;
class QVideoSink;

// Scans from a camera through Qt Multimedia (QCamera → QMediaCaptureSession → QVideoSink). Each
// frame is converted (QVideoFrame::toImage) and decoded on a worker thread by
// ImageScanSource::decodeImage (same formats, same misread guards); at most one frame is in work
// and frames arriving meanwhile are dropped. Scans are emitted on the GUI thread with
// ScanOrigin::Camera.
// Debounce: a code is reported when it comes into view and not again while it stays there; it has
// left the view once no decoded frame showed it for holdOffMs, and is reported again when it comes
// back after that (a blurred frame in between never repeats a scan).
// A terminal without a camera has hasCamera() false and start() ends in Status::NoCamera; nothing
// is logged. Owned by its QObject parent (the composition root).
class CameraScanSource final : public ScanSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CameraScanSource)
public:
    struct Camera
    {
        QByteArray id;       // QCameraDevice::id()
        QString description; // for the settings list, e.g. "Integrated Camera"
    };
    using CameraLister = std::function<QList<Camera>()>;
    using Clock = std::function<qint64()>; // monotonic milliseconds

    enum class Status { Off, Starting, Active, NoCamera, Error };
    Q_ENUM(Status)

    static constexpr int defaultHoldOffMs = 1500;

    // `lister` enumerates the cameras; empty = QMediaDevices::videoInputs(). Read at construction,
    // by start() and by refreshCameras(). Tests pass their own list.
    explicit CameraScanSource(QObject *parent = nullptr, CameraLister lister = {});
    ~CameraScanSource() override;
    QString name() const override { return QStringLiteral("camera"); }

    QList<Camera> cameras() const { return m_cameras; }
    bool hasCamera() const { return !m_cameras.isEmpty(); }
    // The camera start() opens: its id, or empty for the system's default camera.
    void setCameraId(const QByteArray &id) { m_cameraId = id; }
    QByteArray cameraId() const { return m_cameraId; }
    // How long a code must be out of view before it counts again (0..60000 ms).
    void setHoldOffMs(int milliseconds);
    int holdOffMs() const { return m_holdOffMs; }
    void setClock(Clock clock) { m_clock = std::move(clock); }

    Status status() const { return m_status; }
    bool isOn() const { return m_status == Status::Starting || m_status == Status::Active; }
    // What the operator reads about a problem (translated); empty while Off, Starting or Active.
    QString statusText() const { return m_statusText; }
    bool isBusy() const { return m_busy; }
    qint64 framesDecoded() const { return m_framesDecoded; }
    qint64 framesDropped() const { return m_framesDropped; }

public Q_SLOTS:
    // Opens the chosen camera and starts scanning; problems end in NoCamera or Error.
    void start();
    void stop();
    void toggle() { isOn() ? stop() : start(); }
    // One camera frame (the sink calls it; tests feed frames made from images). Dropped while
    // another frame is in work.
    void processFrame(const QVideoFrame &frame);
    // The same for a picture that is already a QImage.
    void processImage(const QImage &image);
    // Reads the camera list again (a camera plugged in or out); camerasChanged() when it differs.
    void refreshCameras();

Q_SIGNALS:
    void statusChanged(CameraScanSource::Status status);
    void camerasChanged();
    // A frame was decoded: how many codes it showed (reported or not).
    void frameDecoded(int codes);
    void frameDropped();

private:
    void decodeInBackground(std::function<QImage()> picture);
    void onDecoded(const Common::Result<QList<ScanEvent>> &events, quint64 generation);
    void setStatus(Status status, const QString &text = {});
    void onCameraActiveChanged(bool active);
    void closeCamera();

    CameraLister m_lister;
    Clock m_clock;
    QList<Camera> m_cameras;
    QByteArray m_cameraId;
    int m_holdOffMs = defaultHoldOffMs;
    Status m_status = Status::Off;
    QString m_statusText;
    QPointer<QCamera> m_camera;
    QMediaCaptureSession *m_session = nullptr; // created on the first start()
    QVideoSink *m_sink = nullptr;
    QThreadPool m_pool; // one worker: one frame in work at a time
    bool m_busy = false;
    qint64 m_framesDecoded = 0;
    qint64 m_framesDropped = 0;
    quint64 m_generation = 0; // bumped when a camera closes
    QElapsedTimer m_uptime;
    QHash<QString, qint64> m_lastSeen; // symbology + text → when a decoded frame last showed it
};
