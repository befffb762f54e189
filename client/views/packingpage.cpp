#include "client/views/packingpage.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "client/views/messagebanner.h"
#include "client/workflows/packingworkflow.h"

PackingPage::PackingPage(PackingWorkflow &workflow, QWidget *parent)
    : QWidget(parent)
    , m_workflow(workflow)
{
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Pack & ship"), this);
    title->setObjectName(QStringLiteral("title"));
    m_prompt = new QLabel(this);
    m_prompt->setObjectName(QStringLiteral("prompt"));
    m_prompt->setWordWrap(true);
    m_input = new QLineEdit(this);
    m_input->setPlaceholderText(tr("Type the number if the label cannot be scanned"));
    m_banner = new MessageBanner(this);
    auto *enter = new QPushButton(tr("Enter"), this);
    auto *restart = new QPushButton(tr("Start over"), this);
    restart->setProperty("role", QStringLiteral("secondary"));
    auto *back = new QPushButton(tr("Back"), this);
    back->setProperty("role", QStringLiteral("secondary"));
    layout->addWidget(title);
    layout->addWidget(m_prompt);
    layout->addWidget(m_input);
    layout->addWidget(enter);
    layout->addWidget(m_banner);
    layout->addStretch(1);
    m_restartRow = new QHBoxLayout;
    m_restartRow->addWidget(restart, 1);
    layout->addLayout(m_restartRow);
    layout->addWidget(back);

    auto submit = [this] {
        const QString text = m_input->text();
        m_input->clear();
        if (!text.trimmed().isEmpty())
            m_workflow.enterText(text);
    };
    connect(enter, &QPushButton::clicked, this, submit);
    connect(m_input, &QLineEdit::returnPressed, this, submit);
    connect(restart, &QPushButton::clicked, &m_workflow, &PackingWorkflow::reset);
    connect(back, &QPushButton::clicked, this, &PackingPage::backRequested);
    connect(&m_workflow, &PackingWorkflow::changed, this, &PackingPage::refresh);
    connect(&m_workflow, &PackingWorkflow::accepted, m_banner, &MessageBanner::showAccepted);
    connect(&m_workflow, &PackingWorkflow::refused, m_banner, &MessageBanner::showRefused);
    refresh();
}

void PackingPage::setCameraButton(QWidget *button)
{
    m_restartRow->addWidget(button, 1);
}

void PackingPage::refresh()
{
    m_prompt->setText(m_workflow.prompt());
}
