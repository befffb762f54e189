#include "client/app/scriptrunner.h"

#include <QFile>
#include <QMetaEnum>
#include <QTimer>

#include <cstdio>

#include "client/app/mainwindow.h"
#include "client/app/terminal.h"
#include "client/scanning/imagescansource.h"
#include "client/scanning/scriptscansource.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/sync/syncclient.h"
#include "client/views/loginpage.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/pickingworkflow.h"

namespace {

constexpr qint64 s_maxScriptBytes = 1024 * 1024;
constexpr int s_maxLines = 10000;

QString unescape(QString text)
{
    text.replace(QLatin1String("\\x1d"), QString(QChar(0x1d)));
    text.replace(QLatin1String("\\t"), QStringLiteral("\t"));
    return text;
}

std::optional<MainWindow::Page> pageFromName(const QString &name)
{
    const QMetaEnum pages = QMetaEnum::fromType<MainWindow::Page>();
    for (int i = 0; i < pages.keyCount(); ++i) {
        if (name.compare(QLatin1String(pages.key(i)), Qt::CaseInsensitive) == 0)
            return MainWindow::Page(pages.value(i));
    }
    return std::nullopt;
}

Common::Result<void> failure(const QString &message)
{
    return Common::fail(Common::ErrorCode::InvalidInput, message.toStdString());
}

} // namespace

ScriptRunner::ScriptRunner(Terminal &terminal, QObject *parent)
    : QObject(parent)
    , m_terminal(terminal)
{
}

Common::Result<void> ScriptRunner::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Common::fail(Common::ErrorCode::Io, "cannot read script " + path.toStdString());
    if (file.size() > s_maxScriptBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "script is larger than 1 MiB");
    m_lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (m_lines.size() > s_maxLines)
        return Common::fail(Common::ErrorCode::TooLarge, "script has more than 10000 lines");
    m_next = 0;
    return {};
}

void ScriptRunner::start()
{
    QTimer::singleShot(0, this, &ScriptRunner::step);
}

void ScriptRunner::step()
{
    while (m_next < m_lines.size()) {
        const int lineNumber = m_next + 1;
        const QString line = m_lines.at(m_next++).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        const QString command = space < 0 ? line : line.left(space);
        const QString argument = space < 0 ? QString() : line.mid(space + 1).trimmed();
        std::fprintf(stderr, "script %d: %s\n", lineNumber, qPrintable(line));
        if (command == QLatin1String("quit")) {
            Q_EMIT finished(0);
            return;
        }
        if (command == QLatin1String("wait")) {
            QTimer::singleShot(qBound(0, argument.toInt(), 60000), this, &ScriptRunner::step);
            return;
        }
        if (auto done = execute(command, argument); !done) {
            std::fprintf(stderr, "script line %d failed: %s\n", lineNumber, done.error().message.c_str());
            Q_EMIT finished(1);
            return;
        }
        // Let the window repaint between commands, as it would between real scans.
        QTimer::singleShot(0, this, &ScriptRunner::step);
        return;
    }
    Q_EMIT finished(0);
}

Common::Result<void> ScriptRunner::execute(const QString &command, const QString &argument)
{
    MainWindow &window = m_terminal.window();
    if (command == QLatin1String("scan")) {
        const QStringList parts = argument.split(QLatin1String(" | "));
        m_terminal.scriptSource().inject(unescape(parts.value(0)), parts.value(1));
        return {};
    }
    if (command == QLatin1String("badge")) {
        m_terminal.login().enterBadge(argument);
        return {};
    }
    if (command == QLatin1String("pin")) {
        window.loginPage()->submitPin(argument);
        return {};
    }
    if (command == QLatin1String("page")) {
        const auto page = pageFromName(argument);
        if (!page)
            return failure(QStringLiteral("unknown page ") + argument);
        window.showPage(*page);
        return {};
    }
    if (command == QLatin1String("open")) {
        auto order = m_terminal.orders().findByNumber(argument);
        if (!order)
            return failure(QStringLiteral("unknown order ") + argument);
        if (!window.openOrder(order->id))
            return failure(QStringLiteral("cannot open order ") + argument);
        return {};
    }
    if (command == QLatin1String("quantity")) {
        m_terminal.picking().setQuantity(argument.toLongLong());
        return {};
    }
    if (command == QLatin1String("confirm")) {
        m_terminal.picking().confirm();
        return {};
    }
    if (command == QLatin1String("short")) {
        m_terminal.picking().shortPick(argument);
        return {};
    }
    if (command == QLatin1String("image")) {
        auto scanned = m_terminal.imageSource().scanFile(argument);
        if (!scanned)
            return tl::unexpected(scanned.error());
        return {};
    }
    if (command == QLatin1String("sync")) {
        if (m_terminal.sync())
            m_terminal.sync()->syncNow();
        return {};
    }
    if (command == QLatin1String("screenshot")) {
        if (!window.grab().save(argument, "PNG"))
            return failure(QStringLiteral("cannot write ") + argument);
        return {};
    }
    if (command == QLatin1String("expect-page")) {
        const auto page = pageFromName(argument);
        if (!page || *page != window.page())
            return failure(QStringLiteral("expected page %1, on %2")
                               .arg(argument, QLatin1String(QMetaEnum::fromType<MainWindow::Page>().valueToKey(
                                                  int(window.page())))));
        return {};
    }
    if (command == QLatin1String("expect-state")) {
        const QStringList parts = argument.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        auto order = m_terminal.orders().findByNumber(parts.value(0));
        if (!order || order->state != parts.value(1))
            return failure(QStringLiteral("order %1 is %2, expected %3")
                               .arg(parts.value(0), order ? order->state : QStringLiteral("unknown"), parts.value(1)));
        return {};
    }
    if (command == QLatin1String("expect-pending")) {
        const int pending = m_terminal.outbox().pendingCount();
        if (pending != argument.toInt())
            return failure(QStringLiteral("%1 ops pending, expected %2").arg(pending).arg(argument));
        return {};
    }
    return failure(QStringLiteral("unknown command ") + command);
}
