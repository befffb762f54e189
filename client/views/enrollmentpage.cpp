#include "client/views/enrollmentpage.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "client/views/messagebanner.h"

EnrollmentPage::EnrollmentPage(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Connect this terminal"), this);
    title->setObjectName(QStringLiteral("title"));
    layout->addWidget(title);
    auto *form = new QFormLayout;
    m_server = new QLineEdit(this);
    m_server->setPlaceholderText(tr("https://soko.example:8444"));
    m_sync = new QLineEdit(this);
    m_sync->setPlaceholderText(tr("https://soko.example:8443"));
    m_code = new QLineEdit(this);
    m_code->setPlaceholderText(tr("One-time code"));
    m_code->setEchoMode(QLineEdit::Password);
    m_caFile = new QLineEdit(this);
    m_caFile->setPlaceholderText(tr("server-ca.pem"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setProperty("role", QStringLiteral("secondary"));
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);
    form->addRow(tr("Server address"), m_server);
    form->addRow(tr("Sync address"), m_sync);
    form->addRow(tr("Enrollment code"), m_code);
    form->addRow(tr("Server CA certificate"), caRow);
    layout->addLayout(form);
    m_banner = new MessageBanner(this);
    layout->addWidget(m_banner);
    layout->addStretch(1);
    m_enroll = new QPushButton(tr("Connect"), this);
    auto *skip = new QPushButton(tr("Work offline"), this);
    skip->setProperty("role", QStringLiteral("secondary"));
    layout->addWidget(m_enroll);
    layout->addWidget(skip);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Server CA certificate"), QString(),
                                                          tr("Certificates (*.pem *.crt)"));
        if (!path.isEmpty())
            m_caFile->setText(path);
    });
    connect(m_enroll, &QPushButton::clicked, this, [this] {
        if (m_server->text().trimmed().isEmpty() || m_code->text().trimmed().isEmpty()) {
            m_banner->showRefused(tr("Enter the server address and the one-time code."));
            return;
        }
        m_enroll->setEnabled(false);
        m_banner->showAccepted(tr("Connecting…"));
        Q_EMIT enrollRequested(m_server->text().trimmed(), m_sync->text().trimmed(), m_code->text().trimmed(),
                               m_caFile->text().trimmed());
    });
    connect(skip, &QPushButton::clicked, this, &EnrollmentPage::skipRequested);
}

void EnrollmentPage::setServerAddress(const QString &address)
{
    m_server->setText(address);
}

void EnrollmentPage::setSyncAddress(const QString &address)
{
    m_sync->setText(address);
}

void EnrollmentPage::setCaFile(const QString &path)
{
    m_caFile->setText(path);
}

void EnrollmentPage::showResult(bool ok, const QString &message)
{
    m_enroll->setEnabled(true);
    m_code->clear(); // one-time: never kept in a field after use
    if (ok)
        m_banner->showAccepted(message);
    else
        m_banner->showRefused(message);
}
