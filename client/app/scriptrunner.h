#pragma once
#include <QObject>
#include <QStringList>
#include "common/support/result.h"

class Terminal;

// Drives a running terminal from a text file, one command per line, for the headless demo and
// end-to-end tests (QT_QPA_PLATFORM=offscreen). Scans go through ScriptScanSource → ScanRouter,
// exactly like a scanner. Commands ('#' starts a comment; \x1d in text is GS):
//   scan TEXT [| SYMBOLOGY]    pin DIGITS          badge TEXT          page login|orders|picking|packing|status
//   open ORDER-NUMBER          quantity N          confirm             short REASON
//   image FILE                 sync                wait MS             screenshot FILE.png
//   expect-page NAME           expect-state ORDER-NUMBER STATE         expect-pending N
//   quit
// A failed expectation or an unknown command stops the run with exit code 1 and names the line.
class ScriptRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptRunner)
public:
    ScriptRunner(Terminal &terminal, QObject *parent = nullptr);

    // Errors: Io, TooLarge (≤ 1 MiB, ≤ 10,000 lines).
    Common::Result<void> load(const QString &path);
    // Runs the commands asynchronously (the event loop renders between them); then finished().
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void step();
    Common::Result<void> execute(const QString &command, const QString &argument);

    Terminal &m_terminal;
    QStringList m_lines;
    int m_next = 0;
};
