#include "client/views/orderlistpage.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "client/models/orderlistmodel.h"

OrderListPage::OrderListPage(OrderListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Pick lists"), this);
    title->setObjectName(QStringLiteral("title"));
    m_table = new QTableView(this);
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(56);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *pick = new QPushButton(tr("Pick"), this);
    auto *pack = new QPushButton(tr("Pack && ship"), this);
    auto *status = new QPushButton(tr("Sync status"), this);
    status->setProperty("role", QStringLiteral("secondary"));
    auto *logout = new QPushButton(tr("Log out"), this);
    logout->setProperty("role", QStringLiteral("secondary"));
    layout->addWidget(title);
    layout->addWidget(m_table, 1);
    m_actionRow = new QHBoxLayout;
    m_actionRow->addWidget(pick);
    m_actionRow->addWidget(pack);
    layout->addLayout(m_actionRow);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(status);
    row2->addWidget(logout);
    layout->addLayout(row2);

    connect(pick, &QPushButton::clicked, this, &OrderListPage::pickSelected);
    connect(m_table, &QTableView::doubleClicked, this, &OrderListPage::pickSelected);
    connect(pack, &QPushButton::clicked, this, &OrderListPage::packRequested);
    connect(status, &QPushButton::clicked, this, &OrderListPage::statusRequested);
    connect(logout, &QPushButton::clicked, this, &OrderListPage::logoutRequested);
}

void OrderListPage::setCameraButton(QWidget *button)
{
    m_actionRow->addWidget(button);
}

void OrderListPage::pickSelected()
{
    const QModelIndex current = m_table->currentIndex();
    const int row = current.isValid() ? current.row() : (m_model->rowCount() == 1 ? 0 : -1);
    if (row < 0)
        return;
    Q_EMIT pickRequested(m_model->orderAt(row).id);
}
