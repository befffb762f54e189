#include "client/views/camerabutton.h"

#include "client/scanning/camerascansource.h"

CameraButton::CameraButton(CameraScanSource &camera, QWidget *parent)
    : QPushButton(parent)
    , m_camera(camera)
{
    setObjectName(QStringLiteral("cameraButton"));
    setCheckable(true);
    setFocusPolicy(Qt::NoFocus); // a wedge scan must keep going to the screen's input field
    connect(this, &QPushButton::clicked, &m_camera, &CameraScanSource::toggle);
    connect(&m_camera, &CameraScanSource::statusChanged, this, &CameraButton::refresh);
    connect(&m_camera, &CameraScanSource::camerasChanged, this, &CameraButton::refresh);
    refresh();
}

void CameraButton::refresh()
{
    setVisible(m_camera.hasCamera());
    setChecked(m_camera.isOn());
    switch (m_camera.status()) {
    case CameraScanSource::Status::Starting:
        setText(tr("Camera…"));
        break;
    case CameraScanSource::Status::Active:
        setText(tr("Camera on"));
        break;
    case CameraScanSource::Status::Off:
    case CameraScanSource::Status::NoCamera:
    case CameraScanSource::Status::Error:
        setText(tr("Camera"));
        break;
    }
    setToolTip(m_camera.isOn() ? tr("Stop scanning with the camera") : tr("Scan with the camera"));
}
