#include "client/models/picklistmodel.h"

#include <QFont>

#include "client/workflows/pickingworkflow.h"

PickListModel::PickListModel(PickingWorkflow &workflow, QObject *parent)
    : QAbstractTableModel(parent)
    , m_workflow(workflow)
{
    connect(&workflow, &PickingWorkflow::changed, this, &PickListModel::refresh);
    refresh();
}

void PickListModel::refresh()
{
    beginResetModel();
    m_lines = m_workflow.lines();
    const OrderLineRecord *current = m_workflow.currentLine();
    m_currentLineNumber = current ? current->lineNumber : -1;
    endResetModel();
}

int PickListModel::currentRow() const
{
    for (int row = 0; row < m_lines.size(); ++row) {
        if (m_lines.at(row).lineNumber == m_currentLineNumber)
            return row;
    }
    return -1;
}

int PickListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int PickListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PickListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OrderLineRecord &line = m_lines.at(index.row());
    const bool current = line.lineNumber == m_currentLineNumber;
    switch (role) {
    case CurrentRole: return current;
    case DoneRole: return line.isDone();
    case Qt::FontRole: {
        if (!current)
            return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::DisplayRole:
        switch (index.column()) {
        case LocationColumn: return line.locationCode;
        case SkuColumn: return line.skuCode;
        case NameColumn: return line.skuName;
        case QuantityColumn: return line.quantity;
        case PickedColumn: return line.picked;
        case ShortColumn: return line.shorted;
        default: return {};
        }
    default: return {};
    }
}

QVariant PickListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LocationColumn: return tr("Location");
    case SkuColumn: return tr("SKU");
    case NameColumn: return tr("Item");
    case QuantityColumn: return tr("Ordered");
    case PickedColumn: return tr("Picked");
    case ShortColumn: return tr("Short");
    default: return {};
    }
}
