#include "client/scanning/camerascansource.h"

#include <algorithm>
#include <exception>

#include <QCamera>
#include <QCameraDevice>
#include <QImage>
#include <QLoggingCategory>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QVideoFrame>
#include <QVideoSink>

#include "client/scanning/imagescansource.h"

Q_LOGGING_CATEGORY(lcCamera, "soko.camera")

namespace {

QList<CameraScanSource::Camera> systemCameras()
{
    QList<CameraScanSource::Camera> cameras;
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    for (const QCameraDevice &device : inputs)
        cameras.append(CameraScanSource::Camera{device.id(), device.description()});
    return cameras;
}

bool sameCameras(const QList<CameraScanSource::Camera> &a, const QList<CameraScanSource::Camera> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto &x, const auto &y) { return x.id == y.id && x.description == y.description; });
}

} // namespace

CameraScanSource::CameraScanSource(QObject *parent, CameraLister lister)
    : ScanSource(parent)
    , m_lister(std::move(lister))
{
    // No QMediaDevices instance to watch for plugged cameras: it also opens the audio device
    // monitor, which prints a PulseAudio error on every start of a terminal without sound.
    // refreshCameras() is called when a scanning screen is shown instead.
    if (!m_lister)
        m_lister = systemCameras;
    m_cameras = m_lister();
    m_pool.setMaxThreadCount(1);
    // One long-lived worker: toImage() keeps a per-thread conversion context (QRhi), which would
    // otherwise be rebuilt each time the camera is switched on after 30 s idle.
    m_pool.setExpiryTimeout(-1);
    m_uptime.start();
}

CameraScanSource::~CameraScanSource()
{
    closeCamera();
    // The worker calls back into this object: it must be done before the members go.
    m_pool.waitForDone();
}

void CameraScanSource::setHoldOffMs(int milliseconds)
{
    m_holdOffMs = std::clamp(milliseconds, 0, 60000);
}

void CameraScanSource::refreshCameras()
{
    QList<Camera> cameras = m_lister();
    if (sameCameras(cameras, m_cameras))
        return;
    m_cameras = std::move(cameras);
    Q_EMIT camerasChanged();
}

void CameraScanSource::start()
{
    if (isOn())
        return;
    refreshCameras();
    if (m_cameras.isEmpty()) {
        setStatus(Status::NoCamera, tr("No camera found on this terminal."));
        return;
    }
    QCameraDevice device;
    if (m_cameraId.isEmpty()) {
        device = QMediaDevices::defaultVideoInput();
    } else {
        const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
        for (const QCameraDevice &input : inputs) {
            if (input.id() == m_cameraId)
                device = input;
        }
    }
    if (device.isNull()) {
        setStatus(Status::Error, tr("The camera is not connected. Choose another one on the Sync status screen."));
        return;
    }
    if (!m_session) {
        m_session = new QMediaCaptureSession(this);
        m_sink = new QVideoSink(this);
        m_session->setVideoSink(m_sink);
        // The sink may emit on a capture thread: the connection then queues to this (GUI) thread.
        connect(m_sink, &QVideoSink::videoFrameChanged, this, &CameraScanSource::processFrame);
    }
    m_camera = new QCamera(device, this);
    connect(m_camera, &QCamera::errorOccurred, this, [this](QCamera::Error error, const QString &text) {
        if (error == QCamera::NoError)
            return;
        // Also how a refused permission (the device cannot be opened) shows on Qt 6.4.
        qCWarning(lcCamera) << "camera error" << error << text;
        closeCamera();
        setStatus(Status::Error, tr("The camera stopped: %1").arg(text));
    });
    connect(m_camera, &QCamera::activeChanged, this, &CameraScanSource::onCameraActiveChanged);
    m_session->setCamera(m_camera);
    m_lastSeen.clear();
    setStatus(Status::Starting);
    m_camera->start();
}

void CameraScanSource::stop()
{
    closeCamera();
    m_lastSeen.clear();
    setStatus(Status::Off);
}

void CameraScanSource::closeCamera()
{
    ++m_generation; // a frame still in work belongs to the closed camera: its codes are not reported
    if (!m_camera)
        return;
    m_camera->disconnect(this);
    if (m_session)
        m_session->setCamera(nullptr);
    m_camera->stop();
    m_camera->deleteLater();
    m_camera = nullptr;
}

void CameraScanSource::onCameraActiveChanged(bool active)
{
    if (active)
        setStatus(Status::Active);
    else if (isOn())
        stop(); // the camera went away (unplugged, taken by another app)
}

void CameraScanSource::setStatus(Status status, const QString &text)
{
    if (m_status == status && m_statusText == text)
        return;
    m_status = status;
    m_statusText = text;
    Q_EMIT statusChanged(status);
}

void CameraScanSource::processFrame(const QVideoFrame &frame)
{
    if (!frame.isValid())
        return;
    // The conversion (colour space, possibly from GPU memory) runs on the worker too.
    decodeInBackground([frame] { return frame.toImage(); });
}

void CameraScanSource::processImage(const QImage &image)
{
    decodeInBackground([image] { return image; });
}

void CameraScanSource::decodeInBackground(std::function<QImage()> picture)
{
    if (m_busy) {
        // A camera delivers 15-60 frames a second; a decode takes longer. Waiting frames would
        // only show the past, so the newest frame after the decode is the one that counts.
        ++m_framesDropped;
        Q_EMIT frameDropped();
        return;
    }
    m_busy = true;
    const quint64 generation = m_generation;
    m_pool.start([this, picture = std::move(picture), generation] {
        Common::Result<QList<ScanEvent>> events;
        try {
            const QImage image = picture();
            events = image.isNull() ? Common::Result<QList<ScanEvent>>(Common::fail(Common::ErrorCode::InvalidInput,
                                                                                    "the frame could not be converted"))
                                    : ImageScanSource::decodeImage(image, ScanOrigin::Camera);
        } catch (const std::exception &error) {
            // The edge of the worker thread: nothing may escape a QRunnable.
            events = Common::fail(Common::ErrorCode::InvalidInput, std::string("decoding failed: ") + error.what());
        }
        QMetaObject::invokeMethod(
            this, [this, events, generation] { onDecoded(events, generation); }, Qt::QueuedConnection);
    });
}

void CameraScanSource::onDecoded(const Common::Result<QList<ScanEvent>> &events, quint64 generation)
{
    m_busy = false;
    ++m_framesDecoded;
    if (!events) {
        qCDebug(lcCamera) << "frame not decoded:" << events.error().message.c_str();
        Q_EMIT frameDecoded(0);
        return;
    }
    if (generation != m_generation) { // the camera was switched off meanwhile
        Q_EMIT frameDecoded(int(events->size()));
        return;
    }
    const qint64 now = m_clock ? m_clock() : m_uptime.elapsed();
    // Codes no decoded frame has shown for the hold-off have left the view.
    for (auto it = m_lastSeen.begin(); it != m_lastSeen.end();)
        it = now - it.value() >= m_holdOffMs ? m_lastSeen.erase(it) : std::next(it);
    QList<ScanEvent> arrived;
    for (const ScanEvent &event : std::as_const(*events)) {
        const QString key = event.symbology + QChar(0x1f) + event.text;
        if (!m_lastSeen.contains(key))
            arrived.append(event);
        m_lastSeen.insert(key, now);
    }
    Q_EMIT frameDecoded(int(events->size()));
    for (const ScanEvent &event : std::as_const(arrived))
        Q_EMIT scanned(event);
}
