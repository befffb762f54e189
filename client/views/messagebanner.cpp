#include "client/views/messagebanner.h"

MessageBanner::MessageBanner(QWidget *parent)
    : QLabel(parent)
{
    setWordWrap(true);
    setMinimumHeight(64);
    setAlignment(Qt::AlignCenter);
    m_clearTimer.setSingleShot(true);
    m_clearTimer.setInterval(8000);
    connect(&m_clearTimer, &QTimer::timeout, this, &MessageBanner::clearMessage);
}

void MessageBanner::showAccepted(const QString &message)
{
    setStyleSheet(QStringLiteral("background: #1a7f37; color: white; font-size: 18pt; font-weight: bold;"
                                 " border-radius: 8px; padding: 8px;"));
    setText(message);
    m_clearTimer.start();
}

void MessageBanner::showRefused(const QString &message)
{
    // Refusals stay until the next scan: the picker must read what was expected.
    setStyleSheet(QStringLiteral("background: #b3261e; color: white; font-size: 18pt; font-weight: bold;"
                                 " border: 3px solid #ffd33d; border-radius: 8px; padding: 8px;"));
    setText(message);
    m_clearTimer.stop();
}

void MessageBanner::clearMessage()
{
    setStyleSheet(QString());
    clear();
}
