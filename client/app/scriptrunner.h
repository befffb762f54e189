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
//   wedge TEXT                 types TEXT + Enter as key events into the focused widget, as a
//                              keyboard-wedge scanner does (through WedgeScanSource)
//   enroll CODE                enrolls with --server/--devices/--ca and waits for the answer
//   sync                       runs a sync round and waits for it; fails when the round fails
//   sync-try                   the same, but a failed round (server away) is not an error
//   expect-sync online|offline the sync state after the last round
//   expect-picked ORDER-NUMBER LINE N   the order line's picked quantity on this terminal
//   echo TEXT                  prints TEXT on stdout (a marker for a driving process)
//   interactive                stops the script and leaves the window to the user
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
    // Asynchronous commands: the run continues (or fails) when the awaited answer arrives.
    int beginWait(const QString &timeoutMessage);
    bool endWait(int token);
    void waitForSync(bool mustSucceed, int roundsLeft);
    void resume(const Common::Result<void> &outcome);
    void typeIntoFocus(const QString &text);

    Terminal &m_terminal;
    QStringList m_lines;
    int m_next = 0;
    int m_currentLine = 0;
    bool m_asyncCommand = false;     // the command being executed answers later (resume)
    int m_waitToken = 0;             // identifies the current wait; stale answers are ignored
    bool m_stopped = false;          // interactive: the script ended without finishing the app
};
