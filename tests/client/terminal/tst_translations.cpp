// translations/soko_ja.ts and soko_en.ts are complete: every message has a translation, none is
// unfinished or vanished, and placeholders (%1, %2, %n) survive translation.
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

class TestTranslations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void complete_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("ja") << QStringLiteral(SOKO_SOURCE_DIR "/translations/soko_ja.ts");
        QTest::newRow("en") << QStringLiteral(SOKO_SOURCE_DIR "/translations/soko_en.ts");
    }
    void complete()
    {
        QFETCH(QString, file);
        QFile ts(file);
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        int messages = 0;
        QString source;
        static const QRegularExpression placeholder(QStringLiteral("%(\\d|n)"));
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                const QString type = xml.attributes().value(QLatin1String("type")).toString();
                QVERIFY2(type.isEmpty(), qPrintable(type + QStringLiteral(": ") + source));
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                QVERIFY2(!text.trimmed().isEmpty(), qPrintable(QStringLiteral("empty: ") + source));
                QSet<QString> expected;
                for (const auto &match : placeholder.globalMatch(source))
                    expected.insert(match.captured());
                for (const QString &needed : std::as_const(expected))
                    QVERIFY2(text.contains(needed), qPrintable(source + QStringLiteral(" → ") + text));
                ++messages;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(messages > 100);
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
