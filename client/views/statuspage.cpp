#include "client/views/statuspage.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "client/models/outboxproblemmodel.h"

StatusPage::StatusPage(OutboxProblemModel *problems, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Sync status"), this);
    title->setObjectName(QStringLiteral("title"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    // A device UUID cannot wrap; it must not widen a 480-pixel screen either.
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *problemsTitle = new QLabel(tr("Actions the server did not accept as they were"), this);
    problemsTitle->setWordWrap(true);
    m_table = new QTableView(this);
    m_table->setModel(problems);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_language = new QComboBox(this);
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("日本語"), QStringLiteral("ja"));
    auto *languageRow = new QVBoxLayout; // stacked: a side-by-side row is wider than a handheld
    languageRow->addWidget(new QLabel(tr("Language (after restart)"), this));
    languageRow->addWidget(m_language);
    m_cameraChoice = new QWidget(this);
    auto *cameraRow = new QVBoxLayout(m_cameraChoice);
    cameraRow->setContentsMargins(0, 0, 0, 0);
    cameraRow->addWidget(new QLabel(tr("Camera for scanning"), m_cameraChoice));
    m_camera = new QComboBox(m_cameraChoice);
    m_camera->setObjectName(QStringLiteral("cameraChoice"));
    cameraRow->addWidget(m_camera);
    m_cameraChoice->hide();
    auto *sync = new QPushButton(tr("Sync now"), this);
    auto *back = new QPushButton(tr("Back"), this);
    back->setProperty("role", QStringLiteral("secondary"));
    layout->addWidget(title);
    layout->addWidget(m_summary);
    layout->addWidget(sync);
    layout->addWidget(problemsTitle);
    layout->addWidget(m_table, 1);
    layout->addLayout(languageRow);
    layout->addWidget(m_cameraChoice);
    layout->addWidget(back);
    connect(sync, &QPushButton::clicked, this, &StatusPage::syncRequested);
    connect(back, &QPushButton::clicked, this, &StatusPage::backRequested);
    connect(m_language, &QComboBox::activated, this,
            [this](int index) { Q_EMIT languageChosen(m_language->itemData(index).toString()); });
    connect(m_camera, &QComboBox::activated, this,
            [this](int index) { Q_EMIT cameraChosen(m_camera->itemData(index).toByteArray()); });
}

void StatusPage::setInfo(const SyncStatusInfo &info)
{
    QStringList lines;
    lines << tr("State: %1").arg(info.state);
    lines << tr("Server: %1").arg(info.server.isEmpty() ? tr("not connected") : info.server);
    lines << tr("Device: %1").arg(info.deviceId);
    lines << tr("Actions waiting to be sent: %1").arg(info.pendingOps);
    lines << tr("Last sync: %1").arg(info.lastSync.isEmpty() ? tr("never") : info.lastSync);
    if (!info.lastError.isEmpty())
        lines << tr("Last problem: %1").arg(info.lastError);
    m_summary->setText(lines.join(QLatin1Char('\n')));
}

void StatusPage::setLanguage(const QString &code)
{
    const int index = m_language->findData(code);
    m_language->setCurrentIndex(index < 0 ? 0 : index);
}

void StatusPage::setCameras(const QList<QPair<QByteArray, QString>> &cameras, const QByteArray &current)
{
    m_camera->clear();
    m_camera->addItem(tr("Default camera"), QByteArray());
    for (const auto &[id, description] : cameras)
        m_camera->addItem(description.isEmpty() ? QString::fromUtf8(id) : description, id);
    const int index = m_camera->findData(current);
    m_camera->setCurrentIndex(index < 0 ? 0 : index);
    m_cameraChoice->setVisible(!cameras.isEmpty());
}
