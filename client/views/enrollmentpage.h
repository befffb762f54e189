#pragma once
#include <QWidget>

class QLineEdit;
class QPushButton;
class MessageBanner;

// First start: connects the terminal to its soko-server. The operator types the server address
// (its api listener, where enrollment happens), the sync address (its devices listener; default:
// the same host on port 8443) and the one-time enrollment code shown by the back office, and
// picks the server's CA certificate file (trusted for enrollment; the server then names the CA
// the terminal pins from then on).
class EnrollmentPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EnrollmentPage)
public:
    explicit EnrollmentPage(QWidget *parent = nullptr);

    void setServerAddress(const QString &address);
    void setSyncAddress(const QString &address);
    void setCaFile(const QString &path);

public Q_SLOTS:
    void showResult(bool ok, const QString &message);

Q_SIGNALS:
    void enrollRequested(const QString &serverAddress, const QString &syncAddress, const QString &oneTimeCode,
                         const QString &caFile);
    void skipRequested();

private:
    QLineEdit *m_server = nullptr;
    QLineEdit *m_sync = nullptr;
    QLineEdit *m_code = nullptr;
    QLineEdit *m_caFile = nullptr;
    QPushButton *m_enroll = nullptr;
    MessageBanner *m_banner = nullptr;
};
