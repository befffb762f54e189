#include "client/views/loginpage.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

#include "client/views/messagebanner.h"
#include "client/workflows/loginworkflow.h"

LoginPage::LoginPage(LoginWorkflow &workflow, QWidget *parent)
    : QWidget(parent)
    , m_workflow(workflow)
{
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Log in"), this);
    title->setObjectName(QStringLiteral("title"));
    m_prompt = new QLabel(this);
    m_prompt->setObjectName(QStringLiteral("prompt"));
    m_prompt->setWordWrap(true);
    m_input = new QLineEdit(this);
    m_ok = new QPushButton(tr("OK"), this);
    m_banner = new MessageBanner(this);
    auto *cancel = new QPushButton(tr("Cancel"), this);
    cancel->setProperty("role", QStringLiteral("secondary"));
    layout->addWidget(title);
    layout->addWidget(m_prompt);
    layout->addWidget(m_input);
    layout->addWidget(m_banner);
    layout->addStretch(1);
    layout->addWidget(m_ok);
    m_bottomRow = new QHBoxLayout;
    m_bottomRow->addWidget(cancel, 1);
    layout->addLayout(m_bottomRow);

    auto submit = [this] {
        const QString text = m_input->text();
        m_input->clear();
        if (m_workflow.step() == LoginWorkflow::Step::EnterPin)
            m_workflow.submitPin(text);
        else
            m_workflow.enterBadge(text);
    };
    connect(m_ok, &QPushButton::clicked, this, submit);
    connect(m_input, &QLineEdit::returnPressed, this, submit);
    connect(cancel, &QPushButton::clicked, &m_workflow, &LoginWorkflow::cancel);
    connect(&m_workflow, &LoginWorkflow::stepChanged, this, &LoginPage::updateStep);
    connect(&m_workflow, &LoginWorkflow::accepted, m_banner, &MessageBanner::showAccepted);
    connect(&m_workflow, &LoginWorkflow::refused, m_banner, &MessageBanner::showRefused);
    updateStep();
}

void LoginPage::setCameraButton(QWidget *button)
{
    m_bottomRow->addWidget(button, 1);
}

void LoginPage::submitPin(const QString &pin)
{
    m_input->setText(pin);
    m_ok->click();
}

void LoginPage::updateStep()
{
    if (m_workflow.step() == LoginWorkflow::Step::EnterPin) {
        m_prompt->setText(tr("%1, enter your PIN.").arg(m_workflow.pendingOperatorName()));
        m_input->setEchoMode(QLineEdit::Password);
        m_input->setPlaceholderText(tr("PIN"));
        m_input->setInputMethodHints(Qt::ImhDigitsOnly | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    } else {
        m_prompt->setText(tr("Scan your operator badge."));
        m_input->setEchoMode(QLineEdit::Normal);
        m_input->setPlaceholderText(tr("Badge (if the label cannot be scanned)"));
        m_input->setInputMethodHints(Qt::ImhNone);
    }
    m_input->clear();
    m_input->setFocus();
}
