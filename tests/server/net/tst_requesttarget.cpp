#include <QTest>

#include "server/net/requesttarget.h"

// Request-target validation (RFC 9112 §3.2, RFC 3986 §2.1, REQUIREMENTS.md §5.2 "Paths", R30).
class TestRequestTarget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("query"); // name=value pairs joined with '|'
        QTest::newRow("root") << QByteArray("/") << QByteArray("/") << QByteArray();
        QTest::newRow("plain") << QByteArray("/api/v1/items") << QByteArray("/api/v1/items") << QByteArray();
        QTest::newRow("encoded space") << QByteArray("/a%20b") << QByteArray("/a b") << QByteArray();
        QTest::newRow("utf-8") << QByteArray("/%E5%80%89%E5%BA%AB") << QByteArray("/\xE5\x80\x89\xE5\xBA\xAB")
                               << QByteArray();
        QTest::newRow("query") << QByteArray("/sync/pull?cursor=12&limit=50") << QByteArray("/sync/pull")
                               << QByteArray("cursor=12|limit=50");
        QTest::newRow("plus and percent in query")
            << QByteArray("/s?q=a+b%2Bc&empty=&flag") << QByteArray("/s") << QByteArray("q=a b+c|empty=|flag=");
        QTest::newRow("encoded slash in query is fine")
            << QByteArray("/s?next=%2Fadmin%2F") << QByteArray("/s") << QByteArray("next=/admin/");
        QTest::newRow("empty pieces skipped")
            << QByteArray("/s?a=1&&b=2&") << QByteArray("/s") << QByteArray("a=1|b=2");
        QTest::newRow("dots inside a name")
            << QByteArray("/files/a..b/.hidden") << QByteArray("/files/a..b/.hidden") << QByteArray();
        QTest::newRow("trailing slash") << QByteArray("/api/") << QByteArray("/api/") << QByteArray();
    }
    void accepted()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, query);
        auto parsed = Server::Net::parseRequestTarget(target.toStdString());
        QVERIFY2(parsed.has_value(), parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(QByteArray::fromStdString(parsed->path), path);
        QByteArrayList pairs;
        for (const auto &[name, value] : parsed->query)
            pairs << QByteArray::fromStdString(name) + '=' + QByteArray::fromStdString(value);
        QCOMPARE(pairs.join('|'), query);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("position");
        QTest::newRow("H12 absolute form") << QByteArray("http://evil/x") << QStringLiteral("origin-form") << 0;
        QTest::newRow("authority form") << QByteArray("evil:443") << QStringLiteral("origin-form") << 0;
        QTest::newRow("asterisk form") << QByteArray("*") << QStringLiteral("origin-form") << 0;
        QTest::newRow("empty") << QByteArray() << QStringLiteral("origin-form") << 0;
        QTest::newRow("U2 encoded NUL") << QByteArray("/api/v1/items/1%00.json") << QStringLiteral("NUL") << 15;
        QTest::newRow("NUL in query") << QByteArray("/s?a=%00") << QStringLiteral("NUL") << 5;
        QTest::newRow("encoded newline") << QByteArray("/a%0d%0aSet-Cookie:x") << QStringLiteral("control") << 2;
        QTest::newRow("bad escape") << QByteArray("/a%zz") << QStringLiteral("percent") << 2;
        QTest::newRow("truncated escape") << QByteArray("/a%4") << QStringLiteral("percent") << 2;
        QTest::newRow("U1 encoded slash and dots")
            << QByteArray("/static/..%2f..%2fetc/passwd") << QStringLiteral("encoded '/'") << 8;
        QTest::newRow("U1 encoded dots") << QByteArray("/static/%2e%2e/%2e%2e/etc/passwd")
                                         << QStringLiteral("dot segment") << 8;
        QTest::newRow("U1 backslashes") << QByteArray("/static/..\\..\\x") << QStringLiteral("origin-form") << -1;
        QTest::newRow("encoded backslash") << QByteArray("/static/a%5cb") << QStringLiteral("'\\'") << 8;
        QTest::newRow("encoded slash") << QByteArray("/static/a%2Fb") << QStringLiteral("encoded '/'") << 8;
        QTest::newRow("raw dot dot") << QByteArray("/static/../x") << QStringLiteral("dot segment") << 8;
        QTest::newRow("single dot") << QByteArray("/./x") << QStringLiteral("dot segment") << 1;
        QTest::newRow("fragment") << QByteArray("/a#b") << QStringLiteral("origin-form") << -1;
        QTest::newRow("space") << QByteArray("/a b") << QStringLiteral("origin-form") << -1;
        QTest::newRow("U3 duplicate query")
            << QByteArray("/api/v1/orders?status=open&status=shipped") << QStringLiteral("duplicate") << 27;
        QTest::newRow("duplicate after decoding") << QByteArray("/s?a=1&%61=2") << QStringLiteral("duplicate") << 7;
        QTest::newRow("nameless parameter") << QByteArray("/s?=1") << QStringLiteral("without a name") << 3;
        QTest::newRow("too long") << QByteArray("/" + QByteArray(5000, 'a')) << QStringLiteral("longer") << -1;
        QByteArray many = "/s?";
        for (int index = 0; index < 65; ++index)
            many += "p" + QByteArray::number(index) + "=1&";
        QTest::newRow("too many parameters") << many << QStringLiteral("more than 64") << -2;
    }
    void refused()
    {
        QFETCH(QByteArray, target);
        QFETCH(QString, reason);
        QFETCH(int, position);
        auto parsed = Server::Net::parseRequestTarget(target.toStdString());
        QVERIFY(!parsed.has_value());
        QVERIFY2(QString::fromStdString(parsed.error().message).contains(reason), parsed.error().message.c_str());
        if (position >= -1) // -2: position not pinned by this row
            QCOMPARE(parsed.error().position, static_cast<long>(position));
    }
};

QTEST_GUILESS_MAIN(TestRequestTarget)
#include "tst_requesttarget.moc"
