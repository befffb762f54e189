#pragma once
#include <QAbstractTableModel>
#include "client/storage/records.h"

class LocalDatabase;
class OutboxRepository;

// Ops the server answered with conflict or rejected, with its reason, for the status page
// (DESIGN.md: never silently dropped). Resets after every commit. Owned by its parent.
class OutboxProblemModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OutboxProblemModel)
public:
    enum Column { SeqColumn, TypeColumn, StateColumn, ReasonColumn, CreatedColumn, ColumnCount };

    OutboxProblemModel(LocalDatabase &database, OutboxRepository &outbox, QObject *parent = nullptr);
    void refresh();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString typeLabel(const QString &type);

private:
    OutboxRepository &m_outbox;
    QList<OutboxEntry> m_rows;
};
