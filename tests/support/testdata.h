#pragma once
#include <QDir>
#include <QString>
#include <QtGlobal>

// Where the read-only shared/ folder with real test inputs lives (../shared beside the repo).
// CTest sets SOKO_SHARED_DIR; a test run by hand falls back to the path seen from the build.
namespace TestSupport {

inline QString sharedDir()
{
    const QByteArray fromEnv = qgetenv("SOKO_SHARED_DIR");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QString::fromLocal8Bit(fromEnv));
    return QDir::cleanPath(QStringLiteral(SOKO_SOURCE_DIR "/../shared"));
}

inline QString testDataPath(const QString &relative)
{
    return sharedDir() + QStringLiteral("/testdata/") + relative;
}

} // namespace TestSupport
