#include "client/views/pickingpage.h"

#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include "client/models/picklistmodel.h"
#include "client/views/messagebanner.h"
#include "client/workflows/pickingworkflow.h"

PickingPage::PickingPage(PickingWorkflow &workflow, PickListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_workflow(workflow)
{
    auto *layout = new QVBoxLayout(this);
    m_order = new QLabel(this);
    m_order->setObjectName(QStringLiteral("title"));
    m_order->setWordWrap(true);
    m_location = new QLabel(this);
    m_location->setObjectName(QStringLiteral("bigLocation"));
    m_location->setAlignment(Qt::AlignCenter);
    m_item = new QLabel(this);
    m_item->setObjectName(QStringLiteral("bigItem"));
    m_item->setAlignment(Qt::AlignCenter);
    m_item->setWordWrap(true);
    m_quantity = new QLabel(this);
    m_quantity->setObjectName(QStringLiteral("bigQuantity"));
    m_quantity->setAlignment(Qt::AlignCenter);
    m_prompt = new QLabel(this);
    m_prompt->setObjectName(QStringLiteral("prompt"));
    m_prompt->setWordWrap(true);
    m_prompt->setMinimumWidth(0);
    m_banner = new MessageBanner(this);

    m_keypad = new QSpinBox(this);
    m_keypad->setRange(0, 100000);
    m_keypad->setButtonSymbols(QAbstractSpinBox::NoButtons); // the handheld's keypad types the number
    m_keypad->setAlignment(Qt::AlignCenter);
    m_setQuantity = new QPushButton(tr("Set quantity"), this);
    m_setQuantity->setProperty("role", QStringLiteral("secondary"));
    m_confirm = new QPushButton(tr("Confirm"), this);
    m_short = new QPushButton(tr("Short…"), this);
    m_short->setProperty("role", QStringLiteral("danger"));
    auto *back = new QPushButton(tr("Back"), this);
    back->setProperty("role", QStringLiteral("secondary"));

    m_table = new QTableView(this);
    m_table->setModel(model);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(PickListModel::NameColumn, QHeaderView::Stretch);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->setDefaultSectionSize(40);
    m_table->setMinimumHeight(120);
    // Location, item name, picked of ordered: what a picker reads at arm's length.
    m_table->setColumnHidden(PickListModel::SkuColumn, true);
    m_table->setColumnHidden(PickListModel::ShortColumn, true);

    // Top bar: back and the order; then where to go (huge), what and how many side by side.
    m_topRow = new QHBoxLayout;
    back->setMinimumWidth(0);
    m_topRow->addWidget(back);
    m_topRow->addWidget(m_order, 1);
    layout->addLayout(m_topRow);
    layout->addWidget(m_location);
    auto *itemRow = new QHBoxLayout;
    itemRow->addWidget(m_item, 3);
    itemRow->addWidget(m_quantity, 2);
    layout->addLayout(itemRow);
    layout->addWidget(m_prompt);
    layout->addWidget(m_banner);
    auto *keypadRow = new QHBoxLayout;
    keypadRow->addWidget(m_keypad, 1);
    keypadRow->addWidget(m_setQuantity, 1);
    layout->addLayout(keypadRow);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_confirm, 2);
    actions->addWidget(m_short, 1);
    layout->addLayout(actions);
    layout->addWidget(m_table, 1);
    connect(m_setQuantity, &QPushButton::clicked, this, [this] { m_workflow.setQuantity(m_keypad->value()); });
    connect(m_confirm, &QPushButton::clicked, this, [this] { m_workflow.confirm(); });
    connect(m_short, &QPushButton::clicked, this, &PickingPage::askShortReason);
    connect(back, &QPushButton::clicked, this, &PickingPage::backRequested);
    connect(&m_workflow, &PickingWorkflow::changed, this, &PickingPage::refresh);
    connect(&m_workflow, &PickingWorkflow::accepted, m_banner, &MessageBanner::showAccepted);
    connect(&m_workflow, &PickingWorkflow::refused, m_banner, &MessageBanner::showRefused);
    refresh();
}

void PickingPage::setCameraButton(QWidget *button)
{
    // Top right, beside the order: the hand holding the item stays clear of the keypad row.
    m_topRow->addWidget(button);
}

void PickingPage::refresh()
{
    const OrderRecord order = m_workflow.order();
    const QList<OrderLineRecord> lines = m_workflow.lines();
    int done = 0;
    for (const OrderLineRecord &line : lines)
        done += line.isDone() ? 1 : 0;
    m_order->setText(tr("Order %1 · %2 of %3 lines done").arg(order.orderNumber).arg(done).arg(lines.size()));
    const OrderLineRecord *line = m_workflow.currentLine();
    const bool picking = line && m_workflow.step() != PickingWorkflow::Step::OrderDone;
    m_location->setText(picking ? line->locationCode : tr("Done"));
    m_item->setText(picking ? tr("%1\n%2").arg(line->skuName, line->skuCode) : QString());
    m_quantity->setText(picking ? tr("%1 / %2").arg(m_workflow.pendingQuantity()).arg(line->remaining()) : QString());
    m_prompt->setText(m_workflow.prompt());
    const bool scanItem = m_workflow.step() == PickingWorkflow::Step::ScanItem;
    m_keypad->setMaximum(picking ? int(line->remaining()) : 0);
    m_keypad->setValue(int(m_workflow.pendingQuantity()));
    m_keypad->setEnabled(scanItem);
    m_setQuantity->setEnabled(scanItem);
    m_confirm->setEnabled(scanItem && m_workflow.pendingQuantity() > 0);
    m_short->setEnabled(picking);
}

void PickingPage::askShortReason()
{
    QStringList labels;
    const QStringList codes = PickingWorkflow::shortReasons();
    for (const QString &code : codes)
        labels.append(PickingWorkflow::shortReasonLabel(code));
    bool ok = false;
    const QString label = QInputDialog::getItem(this, tr("Short pick"), tr("Why is the item short?"), labels, 0,
                                                false, &ok);
    if (ok)
        m_workflow.shortPick(codes.value(labels.indexOf(label)));
}
