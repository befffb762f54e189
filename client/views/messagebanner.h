#pragma once
#include <QLabel>
#include <QTimer>

// One line of feedback under a screen's prompt: green for an accepted scan, red for a refused
// one (what was expected), so the picker sees the result without reading small text.
class MessageBanner final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageBanner)
public:
    explicit MessageBanner(QWidget *parent = nullptr);

public Q_SLOTS:
    void showAccepted(const QString &message);
    void showRefused(const QString &message);
    void clearMessage();

private:
    QTimer m_clearTimer;
};
