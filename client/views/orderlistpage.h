#pragma once
#include <QWidget>

class QHBoxLayout;
class QTableView;
class OrderListModel;

// The pick list choice: open orders of this warehouse with their progress. Picking starts on a
// row (tap "Pick" or double-tap); pack & ship and the sync status are one tap away.
class OrderListPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderListPage)
public:
    OrderListPage(OrderListModel *model, QWidget *parent = nullptr);
    // Places the camera switch (CameraButton) on this screen; the screen takes ownership.
    void setCameraButton(QWidget *button);

Q_SIGNALS:
    void pickRequested(qint64 orderId);
    void packRequested();
    void statusRequested();
    void logoutRequested();

private:
    void pickSelected();

    OrderListModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QHBoxLayout *m_actionRow = nullptr;
};
