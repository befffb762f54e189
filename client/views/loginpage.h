#pragma once
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class LoginWorkflow;
class MessageBanner;

// Badge + PIN login screen over LoginWorkflow. The badge comes from a scan (or is typed when the
// badge label is damaged); the PIN field is masked and cleared after every attempt.
class LoginPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginPage)
public:
    explicit LoginPage(LoginWorkflow &workflow, QWidget *parent = nullptr);
    // Types `pin` into the field and submits it (scripted sessions).
    void submitPin(const QString &pin);
    // Places the camera switch (CameraButton) on this screen; the screen takes ownership.
    void setCameraButton(QWidget *button);

private:
    void updateStep();

    LoginWorkflow &m_workflow;
    QLabel *m_prompt = nullptr;
    QLineEdit *m_input = nullptr;
    QPushButton *m_ok = nullptr;
    MessageBanner *m_banner = nullptr;
    QHBoxLayout *m_bottomRow = nullptr;
};
