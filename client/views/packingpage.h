#pragma once
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class MessageBanner;
class PackingWorkflow;

// Pack & ship: scan the pick slip, then the carton's tracking label. A field takes a typed
// number when a label cannot be read.
class PackingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PackingPage)
public:
    explicit PackingPage(PackingWorkflow &workflow, QWidget *parent = nullptr);
    // Places the camera switch (CameraButton) on this screen; the screen takes ownership.
    void setCameraButton(QWidget *button);

Q_SIGNALS:
    void backRequested();

private:
    void refresh();

    PackingWorkflow &m_workflow;
    QLabel *m_prompt = nullptr;
    QLineEdit *m_input = nullptr;
    MessageBanner *m_banner = nullptr;
    QHBoxLayout *m_restartRow = nullptr;
};
