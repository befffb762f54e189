// soko-terminal: the handheld/desktop warehouse terminal. Everything is built by Terminal (the
// composition root); main only parses the command line, loads translations and runs the loop.
#include <QApplication>
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTranslator>

#include <cstdio>

#include "client/app/options.h"
#include "client/app/scriptrunner.h"
#include "client/app/terminal.h"
#include "client/views/theme.h"

int main(int argc, char **argv)
{
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Soko"));
    QApplication::setApplicationName(QStringLiteral("soko-terminal"));
    QApplication::setApplicationVersion(QStringLiteral(SOKO_VERSION));

    const auto options = parseTerminalOptions(QApplication::arguments());
    if (!options) {
        std::fprintf(stderr, "soko-terminal: %s\n", options.error().message.c_str());
        return 2;
    }
    QDir().mkpath(options->dataDirectory);

    // Language: --lang, else the stored setting, else the system locale.
    QString language = options->language;
    if (language.isEmpty())
        language = Terminal::languageSetting(options->dataDirectory);
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    QTranslator translator;
    if (translator.load(locale, QStringLiteral("soko"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);
    QTranslator qtTranslator;
    if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    Theme::apply(application);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/soko.svg")));

    int status = 0;
    {
        Terminal terminal(*options);
        if (auto started = terminal.start(); !started) {
            std::fprintf(stderr, "soko-terminal: %s\n", started.error().describe().c_str());
            // On a screen, the operator sees why too (e.g. a damaged database: call the supervisor);
            // the message is already translated. Not under a script or without a display.
            const QString platform = QGuiApplication::platformName();
            if (options->scriptFile.isEmpty() && platform != QLatin1String("offscreen") &&
                platform != QLatin1String("minimal"))
                QMessageBox::critical(nullptr, QStringLiteral("Soko"),
                                      QString::fromStdString(started.error().message));
            return 1;
        }
        ScriptRunner script(terminal);
        if (!options->scriptFile.isEmpty()) {
            if (auto loaded = script.load(options->scriptFile); !loaded) {
                std::fprintf(stderr, "soko-terminal: %s\n", loaded.error().message.c_str());
                return 2;
            }
            QObject::connect(&script, &ScriptRunner::finished, &application, &QApplication::exit);
            script.start();
        }
        status = QApplication::exec();
    }
    // Objects the terminal's teardown handed to deleteLater (network replies) go before the app.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return status;
}
