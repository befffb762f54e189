#include "client/models/orderlistmodel.h"

#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"

OrderListModel::OrderListModel(LocalDatabase &database, OrderRepository &orders, QObject *parent)
    : QAbstractTableModel(parent)
    , m_orders(orders)
{
    connect(&database, &LocalDatabase::committed, this, [this] {
        if (m_autoRefresh)
            refresh();
        else
            m_stale = true;
    });
    refresh();
}

void OrderListModel::setAutoRefresh(bool on)
{
    m_autoRefresh = on;
    if (on && m_stale)
        refresh();
}

void OrderListModel::setStates(const QStringList &states)
{
    m_states = states;
    refresh();
}

void OrderListModel::refresh()
{
    m_stale = false;
    beginResetModel();
    auto rows = m_orders.orders(m_states);
    m_rows = rows ? *rows : QList<OrderRecord>();
    endResetModel();
}

OrderRecord OrderListModel::orderAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : OrderRecord{};
}

int OrderListModel::rowOf(qint64 orderId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == orderId)
            return row;
    }
    return -1;
}

int OrderListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OrderListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString OrderListModel::stateLabel(const QString &state)
{
    if (state == QLatin1String("imported"))
        return tr("Imported");
    if (state == QLatin1String("allocated"))
        return tr("Allocated");
    if (state == QLatin1String("released"))
        return tr("Released");
    if (state == QLatin1String("picking"))
        return tr("Picking");
    if (state == QLatin1String("picked"))
        return tr("Picked");
    if (state == QLatin1String("packed"))
        return tr("Packed");
    if (state == QLatin1String("shipped"))
        return tr("Shipped");
    if (state == QLatin1String("cancelled"))
        return tr("Cancelled");
    return state;
}

QVariant OrderListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OrderRecord &order = m_rows.at(index.row());
    if (role == OrderIdRole)
        return order.id;
    if (role == StateRole)
        return order.state;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NumberColumn: return order.orderNumber;
    case CustomerColumn: return order.customer;
    case StateColumn: return stateLabel(order.state);
    case ProgressColumn: return tr("%1 / %2").arg(order.linesDone).arg(order.lineCount);
    default: return {};
    }
}

QVariant OrderListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NumberColumn: return tr("Order");
    case CustomerColumn: return tr("Customer");
    case StateColumn: return tr("State");
    case ProgressColumn: return tr("Lines");
    default: return {};
    }
}
