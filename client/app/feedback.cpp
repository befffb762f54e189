#include "client/app/feedback.h"

#include <QApplication>
#include <QUrl>

#ifdef SOKO_HAVE_MULTIMEDIA
#include <QSoundEffect>
#endif

Feedback::Feedback(bool muted, QObject *parent)
    : QObject(parent)
    , m_muted(muted)
{
#ifdef SOKO_HAVE_MULTIMEDIA
    if (!m_muted) {
        m_accepted = new QSoundEffect(this);
        m_accepted->setSource(QUrl(QStringLiteral("qrc:/sounds/accepted.wav")));
        m_refused = new QSoundEffect(this);
        m_refused->setSource(QUrl(QStringLiteral("qrc:/sounds/rejected.wav")));
    }
#endif
}

void Feedback::accepted()
{
#ifdef SOKO_HAVE_MULTIMEDIA
    if (m_accepted)
        m_accepted->play();
#endif
}

void Feedback::refused()
{
    if (m_muted)
        return;
#ifdef SOKO_HAVE_MULTIMEDIA
    if (m_refused) {
        m_refused->play();
        return;
    }
#endif
    QApplication::beep();
}
