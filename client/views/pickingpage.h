#pragma once
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableView;
class MessageBanner;
class PickListModel;
class PickingWorkflow;

// The picking screen: where to go (location in large yellow type), what to take, how many, the
// last scan's result, and the whole pick list below. Scans drive PickingWorkflow; the buttons
// cover +1, keypad quantity, confirm and short pick for gloved hands.
class PickingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PickingPage)
public:
    PickingPage(PickingWorkflow &workflow, PickListModel *model, QWidget *parent = nullptr);
    // Places the camera switch (CameraButton) on this screen; the screen takes ownership.
    void setCameraButton(QWidget *button);

Q_SIGNALS:
    void backRequested();

private:
    void refresh();
    void askShortReason();

    PickingWorkflow &m_workflow;
    QLabel *m_order = nullptr;
    QLabel *m_location = nullptr;
    QLabel *m_item = nullptr;
    QLabel *m_quantity = nullptr;
    QLabel *m_prompt = nullptr;
    MessageBanner *m_banner = nullptr;
    QSpinBox *m_keypad = nullptr;
    QPushButton *m_setQuantity = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_short = nullptr;
    QTableView *m_table = nullptr;
    QHBoxLayout *m_topRow = nullptr;
};
