#include "client/models/outboxproblemmodel.h"

#include <QBrush>
#include <QColor>

#include "client/storage/localdatabase.h"
#include "client/storage/outboxrepository.h"

OutboxProblemModel::OutboxProblemModel(LocalDatabase &database, OutboxRepository &outbox, QObject *parent)
    : QAbstractTableModel(parent)
    , m_outbox(outbox)
{
    connect(&database, &LocalDatabase::committed, this, &OutboxProblemModel::refresh);
    refresh();
}

void OutboxProblemModel::refresh()
{
    beginResetModel();
    auto rows = m_outbox.problems();
    m_rows = rows ? *rows : QList<OutboxEntry>();
    endResetModel();
}

int OutboxProblemModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OutboxProblemModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString OutboxProblemModel::typeLabel(const QString &type)
{
    if (type == QLatin1String("pick"))
        return tr("Pick");
    if (type == QLatin1String("short_pick"))
        return tr("Short pick");
    if (type == QLatin1String("pack"))
        return tr("Pack");
    if (type == QLatin1String("ship"))
        return tr("Ship");
    return type;
}

QVariant OutboxProblemModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OutboxEntry &entry = m_rows.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == StateColumn)
        return QBrush(entry.state == OutboxState::Rejected ? QColor(0xb0, 0x00, 0x20) : QColor(0x8a, 0x4b, 0x00));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case SeqColumn: return entry.seq;
    case TypeColumn: return typeLabel(entry.type);
    case StateColumn: return entry.state == OutboxState::Rejected ? tr("Rejected") : tr("Conflict");
    case ReasonColumn: return entry.reason;
    case CreatedColumn: return entry.createdAt;
    default: return {};
    }
}

QVariant OutboxProblemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeqColumn: return tr("No.");
    case TypeColumn: return tr("Action");
    case StateColumn: return tr("Result");
    case ReasonColumn: return tr("Server reason");
    case CreatedColumn: return tr("Time (UTC)");
    default: return {};
    }
}
