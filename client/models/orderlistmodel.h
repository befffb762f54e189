#pragma once
#include <QAbstractTableModel>
#include <QStringList>
#include "client/storage/records.h"

class LocalDatabase;
class OrderRepository;

// Orders the terminal can work on (pick list choice, pack & ship), read through OrderRepository
// and reset after every committed local change or pulled page. Owned by its parent (MainWindow).
class OrderListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderListModel)
public:
    enum Column { NumberColumn, CustomerColumn, StateColumn, ProgressColumn, ColumnCount };
    enum Role { OrderIdRole = Qt::UserRole + 1, StateRole };

    OrderListModel(LocalDatabase &database, OrderRepository &orders, QObject *parent = nullptr);

    // Shows only orders in these states (empty = all).
    void setStates(const QStringList &states);
    void refresh();
    // On (default): every local commit reloads the list. Off: commits only mark it stale and it
    // reloads when switched on again (a hidden list of thousands of orders costs nothing per scan).
    void setAutoRefresh(bool on);
    OrderRecord orderAt(int row) const;
    int rowOf(qint64 orderId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Translated label of an order state name ("released" → "Released").
    static QString stateLabel(const QString &state);

private:
    OrderRepository &m_orders;
    QStringList m_states;
    QList<OrderRecord> m_rows;
    bool m_autoRefresh = true;
    bool m_stale = false;
};
