#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <set>

#include "common/barcode/gs1aitable.h"
#include "tests/support/testdata.h"

using Common::Barcode::Gs1AiEntry;
using Common::Barcode::Gs1CharacterSet;
using Common::Barcode::Gs1Component;

namespace {

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// The dictionary's spelling of one component, e.g. "N6,yymmd0", "X..20", "[N3],iso3166".
QString render(const Gs1Component &component)
{
    QString type;
    switch (component.characterSet) {
    case Gs1CharacterSet::Numeric:
        type = QStringLiteral("N");
        break;
    case Gs1CharacterSet::Set82:
        type = QStringLiteral("X");
        break;
    case Gs1CharacterSet::Set39:
        type = QStringLiteral("Y");
        break;
    case Gs1CharacterSet::Set64:
        type = QStringLiteral("Z");
        break;
    }
    if (!component.fixedLength()) {
        type += QStringLiteral("..");
        if (component.minLength != 1)
            type += QStringLiteral("(min %1)").arg(component.minLength); // the dictionary has no such form
    }
    type += QString::number(component.maxLength);
    if (component.optional)
        type = QLatin1Char('[') + type + QLatin1Char(']');
    if (!component.linters.empty())
        type += QLatin1Char(',') + fromView(component.linters);
    return type;
}

struct DictionaryRow
{
    int line = 0;
    QString ai;
    bool predefinedLength = false;
    bool digitalLink = false;
    QStringList specification;
    QString title;
};

} // namespace

// The compiled-in AI table against GS1's Barcode Syntax Dictionary, row by row (ranges expanded),
// so a typo in a length, character set, linter or FNC1 flag fails here.
class TestGs1AiTable : public QObject
{
    Q_OBJECT
private:
    QList<DictionaryRow> m_rows;

private Q_SLOTS:
    void initTestCase()
    {
        QFile file(TestSupport::testDataPath(QStringLiteral("gs1/gs1-syntax-dictionary.txt")));
        QVERIFY2(file.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(file.fileName()));
        static const QRegularExpression component(QStringLiteral("^\\[?[NXYZ](\\.\\.)?\\d"));
        static const QRegularExpression flags(QStringLiteral("^[*?!\"$%&'()+,\\-./:;<=>@\\\\^_`{|}~]+$"));
        int lineNumber = 0;
        while (!file.atEnd()) {
            ++lineNumber;
            QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            QString title;
            if (const auto hash = line.indexOf(QLatin1Char('#')); hash >= 0) {
                title = line.mid(hash + 1).trimmed();
                line.truncate(hash);
            }
            QStringList tokens = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const QString ais = tokens.takeFirst();
            QString flagText;
            if (!tokens.isEmpty() && flags.match(tokens.first()).hasMatch())
                flagText = tokens.takeFirst();
            QStringList specification;
            while (!tokens.isEmpty() && component.match(tokens.first()).hasMatch())
                specification << tokens.takeFirst();
            QVERIFY2(!specification.isEmpty(), qPrintable(QStringLiteral("line %1").arg(lineNumber)));
            const QStringList range = ais.split(QLatin1Char('-'));
            const int first = range.first().toInt();
            const int last = range.last().toInt();
            QVERIFY(first <= last && range.first().size() == range.last().size());
            for (int ai = first; ai <= last; ++ai) {
                DictionaryRow row;
                row.line = lineNumber;
                row.ai = QStringLiteral("%1").arg(ai, static_cast<int>(range.first().size()), 10, QLatin1Char('0'));
                row.predefinedLength = flagText.contains(QLatin1Char('*'));
                row.digitalLink = flagText.contains(QLatin1Char('?'));
                row.specification = specification;
                row.title = title;
                m_rows << row;
            }
        }
        QVERIFY(m_rows.size() > 500); // 3100-3105 etc. expanded
    }

    void everyDictionaryRow_data()
    {
        QTest::addColumn<int>("index");
        for (qsizetype i = 0; i < m_rows.size(); ++i)
            QTest::addRow("%s (line %d)", qPrintable(m_rows.at(i).ai), m_rows.at(i).line) << static_cast<int>(i);
    }
    void everyDictionaryRow()
    {
        QFETCH(int, index);
        const DictionaryRow &row = m_rows.at(index);
        const Gs1AiEntry *entry = Common::Barcode::findAi(row.ai.toStdString());
        QVERIFY2(entry, "AI missing from the table");
        QCOMPARE(fromView(entry->ai), row.ai);
        QCOMPARE(entry->predefinedLength, row.predefinedLength);
        QCOMPARE(entry->digitalLinkAttribute, row.digitalLink);
        QStringList specification;
        for (const Gs1Component &component : entry->specification())
            specification << render(component);
        QCOMPARE(specification.join(QLatin1Char(' ')), row.specification.join(QLatin1Char(' ')));
        QCOMPARE(fromView(entry->title), row.title);
        // matchAiPrefix finds it inside data too.
        const std::string data = row.ai.toStdString() + "123456789012345678";
        QCOMPARE(Common::Barcode::matchAiPrefix(data), entry);
    }

    void nothingExtra()
    {
        const auto table = Common::Barcode::allAis();
        QCOMPARE(static_cast<qsizetype>(table.size()), m_rows.size());
        std::set<std::string_view> seen;
        for (std::size_t i = 0; i < table.size(); ++i) {
            QVERIFY2(seen.insert(table[i].ai).second, table[i].ai.data());
            if (i > 0)
                QVERIFY(table[i - 1].ai < table[i].ai); // findAi relies on the order
        }
    }

    // Independent of the dictionary: GenSpecs Figure 7.8.4-2 lists the predefined-length prefixes, and
    // the structure rules of the format (only the last component varies, none mandatory after optional).
    void structureRules()
    {
        const std::set<std::string> predefinedPrefixes{"00", "01", "02", "03", "04", "11", "12", "13",
                                                       "14", "15", "16", "17", "18", "19", "20", "31",
                                                       "32", "33", "34", "35", "36", "41"};
        for (const Gs1AiEntry &entry : Common::Barcode::allAis()) {
            QCOMPARE(entry.predefinedLength, predefinedPrefixes.count(std::string(entry.ai.substr(0, 2))) == 1);
            QVERIFY(entry.componentCount >= 1 && entry.componentCount <= entry.components.size());
            bool optionalSeen = false;
            for (std::size_t i = 0; i < entry.componentCount; ++i) {
                const Gs1Component &component = entry.components[i];
                QVERIFY(component.minLength >= 1 && component.minLength <= component.maxLength);
                QVERIFY(component.fixedLength() || i + 1 == entry.componentCount);
                QVERIFY(!optionalSeen || component.optional);
                optionalSeen = optionalSeen || component.optional;
            }
            if (entry.predefinedLength)
                QCOMPARE(entry.minLength(), entry.maxLength());
        }
    }

    void lookups()
    {
        QVERIFY(!Common::Barcode::findAi("49"));
        QVERIFY(!Common::Barcode::findAi("3106"));
        QVERIFY(!Common::Barcode::findAi("8101"));
        QVERIFY(!Common::Barcode::matchAiPrefix("1"));
        QVERIFY(!Common::Barcode::matchAiPrefix("8912345"));
        const Gs1AiEntry *expiry = Common::Barcode::findAi("17");
        QVERIFY(expiry && expiry->hasLinter("yymmd0") && !expiry->hasLinter("yymmdd"));
        const Gs1AiEntry *grai = Common::Barcode::findAi("8003");
        QVERIFY(grai && grai->hasLinter("csum") && grai->hasLinter("zero"));
        QCOMPARE(grai->minLength(), 14);
        QCOMPARE(grai->maxLength(), 30);
        QCOMPARE(Common::Barcode::matchAiPrefix("3103001250")->ai, std::string_view("3103"));
    }
};

QTEST_GUILESS_MAIN(TestGs1AiTable)
#include "tst_gs1aitable.moc"
