#pragma once
#include <QPushButton>

class CameraScanSource;

// The camera switch of a scanning screen: one large checkable button (the theme's 64 px touch
// target, for gloved hands) that turns the CameraScanSource on and off and shows whether it
// runs. Hidden while the terminal has no camera. Owned by its screen; the source outlives it.
class CameraButton final : public QPushButton
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CameraButton)
public:
    explicit CameraButton(CameraScanSource &camera, QWidget *parent = nullptr);

private:
    void refresh();

    CameraScanSource &m_camera;
};
