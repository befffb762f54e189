#pragma once
#include <QAbstractTableModel>
#include "client/storage/records.h"

class PickingWorkflow;

// The lines of the order being picked, in pick sequence, from PickingWorkflow; the current line
// is marked (CurrentRole, bold) so the picker sees where he is. Owned by its parent.
class PickListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PickListModel)
public:
    enum Column { LocationColumn, SkuColumn, NameColumn, QuantityColumn, PickedColumn, ShortColumn, ColumnCount };
    enum Role { CurrentRole = Qt::UserRole + 1, DoneRole };

    explicit PickListModel(PickingWorkflow &workflow, QObject *parent = nullptr);
    void refresh();
    int currentRow() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    PickingWorkflow &m_workflow;
    QList<OrderLineRecord> m_lines;
    int m_currentLineNumber = -1;
};
