#include <QTest>

#include "server/oms/adminservice.h"
#include "server/oms/csv.h"
#include "common/barcode/gtin.h"
#include "server/oms/masterdataservice.h"
#include "server/oms/orderservice.h"
#include "server/sync/syncservice.h"
#include "tests/server/serverfixture.h"

using namespace TestSupport;
using namespace Server::Oms;

namespace {
const std::vector<std::string> s_header{"a", "b", "c"};
}

class TestOms : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init() { SOKO_CHECK_BACKEND(); }

    void gtin_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected"); // empty = refused
        QTest::newRow("EAN-13") << QStringLiteral("4006381333931") << QStringLiteral("04006381333931");
        QTest::newRow("JAN") << QStringLiteral("4901234567894") << QStringLiteral("04901234567894");
        QTest::newRow("UPC-A") << QStringLiteral("036000291452") << QStringLiteral("00036000291452");
        QTest::newRow("GTIN-8") << QStringLiteral("96385074") << QStringLiteral("00000096385074");
        QTest::newRow("GTIN-14") << QStringLiteral("10012345000017") << QStringLiteral("10012345000017");
        QTest::newRow("bad check digit") << QStringLiteral("4006381333932") << QString();
        QTest::newRow("11 digits") << QStringLiteral("40063813339") << QString();
        QTest::newRow("letter") << QStringLiteral("400638133393X") << QString();
    }
    void gtin()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const auto result = Common::Barcode::normaliseGtin14(input.toStdString());
        if (expected.isEmpty()) {
            QVERIFY(!result);
            return;
        }
        QVERIFY2(result, result ? "" : result.error().message.c_str());
        QCOMPARE(QString::fromStdString(*result), expected);
    }

    void codeAndTextRules_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("validCode");
        QTest::addColumn<bool>("validText");
        QTest::newRow("plain") << QByteArray("A-01-02") << true << true;
        QTest::newRow("Japanese") << QByteArray("\xE6\xA3\x9A-1") << true << true;
        QTest::newRow("inner space") << QByteArray("A 1") << true << true;
        QTest::newRow("leading space") << QByteArray(" A1") << false << true;
        QTest::newRow("pipe") << QByteArray("A|1") << false << true;
        QTest::newRow("NBSP U+00A0") << QByteArray("A\xC2\xA0" "1") << false << true;
        QTest::newRow("zero width space U+200B") << QByteArray("A\xE2\x80\x8B" "1") << false << true;
        QTest::newRow("BOM U+FEFF") << QByteArray("\xEF\xBB\xBF" "A1") << false << true;
        QTest::newRow("ideographic space U+3000") << QByteArray("A\xE3\x80\x80" "1") << false << true;
        QTest::newRow("RLO U+202E") << QByteArray("A\xE2\x80\xAE" "1") << false << false;
        QTest::newRow("isolate U+2066") << QByteArray("A\xE2\x81\xA6" "1") << false << false;
        QTest::newRow("C1 control U+0085") << QByteArray("A\xC2\x85" "1") << false << false;
        QTest::newRow("tab") << QByteArray("A\t1") << false << false;
        QTest::newRow("DEL") << QByteArray("A\x7F" "1") << false << false;
        QTest::newRow("overlong") << QByteArray("A\xC0\xAF") << false << false;
        QTest::newRow("65 bytes") << QByteArray(65, 'x') << false << true;
    }
    void codeAndTextRules()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, validCode);
        QFETCH(bool, validText);
        const std::string_view view(text.constData(), static_cast<std::size_t>(text.size()));
        QCOMPARE(Server::Oms::isValidCode(view), validCode);
        QCOMPARE(Server::Oms::isValidText(view, 200), validText);
    }
    void csvSyntax_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("rows"); // -1 = refused
        QTest::addColumn<int>("line"); // line named by the error
        QTest::newRow("plain LF") << QByteArray("a,b,c\n1,2,3\n4,5,6\n") << 2 << 0;
        QTest::newRow("CRLF, no final newline") << QByteArray("a,b,c\r\n1,2,3\r\n4,5,6") << 2 << 0;
        QTest::newRow("quoted comma, quote, newline")
            << QByteArray("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n") << 1 << 0;
        QTest::newRow("empty fields") << QByteArray("a,b,c\n,,\n") << 1 << 0;
        QTest::newRow("C4 unbalanced quote") << QByteArray("a,b,c\n1,2,3\n\"abc,def\n") << -1 << 3;
        QTest::newRow("C5 wrong header") << QByteArray("a,x,c\n1,2,3\n") << -1 << 1;
        QTest::newRow("C5 extra header column") << QByteArray("a,b,c,d\n1,2,3,4\n") << -1 << 1;
        QTest::newRow("short record") << QByteArray("a,b,c\n1,2,3\n1,2\n") << -1 << 3;
        QTest::newRow("C2 NUL") << QByteArray("a,b,c\n1,\0,3\n", 12) << -1 << 2;
        QTest::newRow("C2 zip") << QByteArray("PK\x03\x04rest") << -1 << 1;
        QTest::newRow("leading BOM skipped (Excel)") << QByteArray("\xEF\xBB\xBF"
                                                                 "a,b,c\n1,2,3\n")
                                                      << 1 << 0;
        QTest::newRow("BOM inside is data, not a header") << QByteArray("a,b,c\n1,2,3\n\xEF\xBB\xBF"
                                                                      "\xEF\xBB\xBF"
                                                                      "a,b,c\n")
                                                           << 2 << 0;
        QTest::newRow("latin-1 byte") << QByteArray("a,b,c\n\xE9,2,3\n") << -1 << 1;
        QTest::newRow("Shift_JIS read as UTF-8 by a browser (U+FFFD)")
            << QByteArray("a,b,c\n1,2,3\n\xEF\xBF\xBD\xEF\xBF\xBD,2,3\n") << -1 << 3;
        QTest::newRow("quote in unquoted field") << QByteArray("a,b,c\nx\"y,2,3\n") << -1 << 2;
        QTest::newRow("text after closing quote") << QByteArray("a,b,c\n\"x\"y,2,3\n") << -1 << 2;
        QTest::newRow("bare CR") << QByteArray("a,b,c\r1,2,3\n") << -1 << 1;
        QTest::newRow("empty") << QByteArray("") << -1 << 1;
    }
    void csvSyntax()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, rows);
        QFETCH(int, line);
        const auto parsed =
            parseCsv(std::string_view(text.constData(), static_cast<std::size_t>(text.size())), s_header);
        if (rows < 0) {
            QVERIFY(!parsed);
            QCOMPARE(parsed.error().position, long(line));
            return;
        }
        QVERIFY2(parsed, parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->size(), std::size_t(rows));
    }
    void csvLimits()
    {
        CsvLimits limits;
        limits.maxRows = 2;
        QVERIFY(parseCsv("a,b,c\n1,2,3\n4,5,6\n", s_header, limits));
        auto refused = parseCsv("a,b,c\n1,2,3\n4,5,6\n7,8,9\n", s_header, limits);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Common::ErrorCode::TooLarge);
        limits = {};
        limits.maxFieldBytes = 4;
        QVERIFY(!parseCsv("a,b,c\n12345,2,3\n", s_header, limits));
        limits = {};
        limits.maxBytes = 10;
        QCOMPARE(parseCsv("a,b,c\n1,2,3\n", s_header, limits).error().code, Common::ErrorCode::TooLarge);
        long long value = 0;
        QVERIFY(parseCsvInteger("120", value) && value == 120);
        for (const char *bad : {"1e3", "0x10", "+1", "-1", " 1", "１０", "", "1.0"})
            QVERIFY2(!parseCsvInteger(bad, value), bad);
        QVERIFY(parseCsvInteger("-1", value, true) && value == -1);
    }

    void skuImportKeepsValidRows()
    {
        ServerWorld world;
        MasterDataService service(*world.store);
        const std::string csv = "code,name,base_unit,lot_controlled,gtins\n"
                                "T-1,Tea,piece,0,4006381333931|96385074\n"      // line 2: ok
                                "T-2,Bad GTIN,piece,0,4006381333932\n"          // line 3: check digit
                                "T-3,Lots,piece,1,\n"                           // line 4: ok
                                "T-4,Dup GTIN,piece,0,04006381333931\n"         // line 5: GTIN of T-1
                                "T-5,Weird flag,piece,yes,\n"                   // line 6: flag
                                "T-1,Again,piece,0,\n"                          // line 7: duplicate code
                                "\"=HYPERLINK(\"\"x\"\")\",Formula,piece,0,\n"; // line 8: stored as text
        const auto report = service.importSkus(csv, ImportFormat::Csv, "cli:test");
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        QCOMPARE(report->imported, 3);
        QCOMPARE(report->errors.size(), std::size_t(4));
        QCOMPARE(report->errors[0].row, 3L);
        QVERIFY(report->errors[0].reason.find("check digit") != std::string::npos);
        QCOMPARE(report->errors[1].row, 5L);
        QCOMPARE(report->errors[2].row, 6L);
        QCOMPARE(report->errors[3].row, 7L);
        auto tea = world.store->sku("T-1");
        QVERIFY(tea && *tea);
        QCOMPARE((*tea)->gtins, (std::vector<std::string>{"00000096385074", "04006381333931"}));
        QCOMPARE(*world.store->skuCodeByGtin("04006381333931"), std::optional<std::string>("T-1"));
        QVERIFY((*world.store->sku("T-3"))->lotControlled);
        QVERIFY(*world.store->sku("=HYPERLINK(\"x\")"));
        auto audit = world.store->audit(0, 100);
        QVERIFY(audit && !audit->empty());
        QCOMPARE(audit->back().event, std::string("csv_import"));
        QVERIFY(audit->back().details.find("sha256") != std::string::npos);

        // A syntax error refuses the whole file: nothing of it is imported.
        const auto broken = service.importSkus("code,name,base_unit,lot_controlled,gtins\nX-1,ok,piece,0,\n\"X-2,bad\n",
                                               ImportFormat::Csv, "cli:test");
        QVERIFY(!broken);
        QVERIFY(!*world.store->sku("X-1"));
    }

    // Found by fuzzing (tests/fuzz/regressions/csv/): a GTIN written twice in one row, as JAN-13
    // and as GTIN-14 or simply repeated, refused the whole import with a uniqueness conflict.
    void skuImportSameGtinTwiceInOneRow_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("body");
        QTest::newRow("csv jan-13 and gtin-14") << QStringLiteral("csv")
                                                << QStringLiteral("code,name,base_unit,lot_controlled,gtins\r\n"
                                                                  "T-1,Miso,piece,1,04006381333931|4006381333931\r\n"
                                                                  "T-2,Tea,g,0,\r\n");
        QTest::newRow("csv repeated") << QStringLiteral("csv")
                                      << QStringLiteral("code,name,base_unit,lot_controlled,gtins\n"
                                                        "T-1,Miso,piece,1,4006381333931|4006381333931\n"
                                                        "T-2,Tea,g,0,\n");
        QTest::newRow("json jan-13 and gtin-14")
            << QStringLiteral("json")
            << QStringLiteral(R"({"skus":[{"code":"T-1","name":"Miso","lot_controlled":true,)"
                              R"("gtins":["4006381333931","04006381333931"]},{"code":"T-2","name":"Tea"}]})");
    }
    void skuImportSameGtinTwiceInOneRow()
    {
        QFETCH(QString, format);
        QFETCH(QString, body);
        ServerWorld world;
        MasterDataService service(*world.store);
        const auto report = service.importSkus(body.toStdString(),
                                               format == QStringLiteral("csv") ? ImportFormat::Csv : ImportFormat::Json,
                                               "cli:test");
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        QCOMPARE(report->imported, 2);
        QVERIFY(report->errors.empty());
        auto miso = world.store->sku("T-1");
        QVERIFY(miso && *miso);
        QCOMPARE((*miso)->gtins, (std::vector<std::string>{"04006381333931"}));
        QVERIFY(*world.store->sku("T-2"));
    }

    void locationImportJson()
    {
        ServerWorld world;
        MasterDataService service(*world.store);
        const auto report = service.importLocations(
            R"({"locations":[{"warehouse":"TKY1","code":"C-1","zone":"chilled","pick_sequence":5},)"
            R"({"warehouse":"NOPE","code":"C-2","pick_sequence":6}]})",
            ImportFormat::Json, "cli:test");
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        QCOMPARE(report->imported, 1);
        QCOMPARE(report->errors.size(), std::size_t(1));
        QCOMPARE(report->errors[0].row, 1L);
        auto locations = world.store->locations("TKY1");
        QVERIFY(locations);
        QCOMPARE(locations->front().code, std::string("DOCK")); // ascending pick sequence
        // Unknown fields refuse the whole document (mass assignment, R29).
        const auto refused = service.importLocations(
            R"({"locations":[{"warehouse":"TKY1","code":"C-3","pick_sequence":5,"tenant_id":2}]})", ImportFormat::Json,
            "cli:test");
        QVERIFY(!refused);
        QVERIFY(refused.error().message.rfind("unknown_field at locations[0].tenant_id", 0) == 0);
    }

    void warehouseAddNeverRenames()
    {
        ServerWorld world;
        MasterDataService service(*world.store);
        const auto again = service.addWarehouse("TKY1", "Renamed", "cli:test");
        QVERIFY(!again);
        QCOMPARE(again.error().code, Common::ErrorCode::Conflict);
        const auto all = world.store->warehouses();
        QVERIFY(all);
        for (const auto &warehouse : *all)
            QVERIFY(warehouse.name != "Renamed");
        QCOMPARE(service.addWarehouse("OSK1", "", "cli:test").error().code, Common::ErrorCode::InvalidInput);
        QVERIFY(service.addWarehouse("OSK1", "Osaka", "cli:test"));
        QVERIFY(*world.store->warehouseExists("OSK1"));
    }

    void orderIdempotency()
    {
        ServerWorld world;
        OrderService orders(*world.store);
        OrderInput input{"shop", "A-100", "Yamada", "1-2-3 Chiyoda, Tokyo", {{"S1", 2}, {"S2", 1}}};
        const auto first = orders.create(input, "apikey:test");
        QVERIFY(first && first->created);
        input.customer = "Someone else"; // a repeat with other content changes nothing
        const auto second = orders.create(input, "apikey:test");
        QVERIFY(second && !second->created);
        QCOMPARE(second->id, first->id);
        QCOMPARE((*orders.order(first->id))->customer, std::string("Yamada"));
        QCOMPARE(orders.list(std::nullopt, std::nullopt, 0, 100)->size(), std::size_t(1));
        // The same number in another store is another order.
        input.store = "shop2";
        const auto other = orders.create(input, "apikey:test");
        QVERIFY(other && other->created && other->id != first->id);
        // Unknown SKU refuses the order.
        OrderInput bad{"shop", "A-101", "Y", "Tokyo", {{"NOPE", 1}}};
        QVERIFY(!orders.create(bad, "apikey:test"));
        QVERIFY(!*world.store->findOrder("shop", "A-101"));
    }

    void orderCsvImport()
    {
        ServerWorld world;
        OrderService orders(*world.store);
        const std::string csv = "store,order_number,customer,address,line,sku,quantity\n"
                                "shop,B-1,Sato,Tokyo,1,S1,2\n"
                                "shop,B-1,Sato,Tokyo,2,S2,1\n"
                                "shop,B-2,Ito,Osaka,1,S1,1e3\n"   // line 4: bad quantity → order B-2 refused
                                "shop,B-3,Kato,Nagoya,1,NOPE,1\n" // line 5: unknown SKU
                                "other,B-4,Abe,Kobe,1,S1,1\n";    // line 6: another store
        auto report = orders.importOrders(csv, ImportFormat::Csv, std::string("shop"), "apikey:test");
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        QCOMPARE(report->imported, 1);
        QCOMPARE(report->errors.size(), std::size_t(3));
        QCOMPARE(report->errors[0].row, 4L);
        QCOMPARE(report->errors[1].row, 5L);
        QCOMPARE(report->errors[2].row, 6L);
        const auto id = *world.store->findOrder("shop", "B-1");
        QVERIFY(id);
        QCOMPARE((*world.store->order(*id))->lines.size(), std::size_t(2));
        // Importing the same file again: idempotent.
        report = orders.importOrders(csv, ImportFormat::Csv, std::string("shop"), "apikey:test");
        QVERIFY(report);
        QCOMPARE(report->imported, 0);
        QCOMPARE(report->unchanged, 1);
        QCOMPARE(report->ids, std::vector<std::int64_t>{*id});
    }

    void allocateReleaseCancel()
    {
        ServerWorld world;
        OrderService orders(*world.store);
        Server::Sync::SyncService sync(*world.store);
        // Stock: 3 × S1 in TKY1 only.
        auto pushed = sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3))}));
        QVERIFY(pushed);
        const auto big = orders.create({"shop", "C-1", "Y", "Tokyo", {{"S1", 4}}}, "t");
        const auto small = orders.create({"shop", "C-2", "Y", "Tokyo", {{"S1", 2}}}, "t");
        const auto second = orders.create({"shop", "C-3", "Y", "Tokyo", {{"S1", 2}}}, "t");
        QVERIFY(big && small && second);
        auto refused = orders.allocate(big->id, "t");
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Common::ErrorCode::Conflict);
        QCOMPARE(*orders.allocate(small->id, "t"), std::string("TKY1"));
        // Only 1 unit is still available: the second order of 2 does not fit.
        QVERIFY(!orders.allocate(second->id, "t"));
        QVERIFY(orders.release(small->id, "t"));
        QCOMPARE((*orders.order(small->id))->state, Common::Domain::OrderState::Released);
        QVERIFY(!orders.release(small->id, "t")); // not allocated any more
        QVERIFY(orders.cancel(small->id, "t"));
        QCOMPARE((*orders.order(small->id))->state, Common::Domain::OrderState::Cancelled);
        QVERIFY(!orders.cancel(small->id, "t"));
        QCOMPARE(*orders.allocate(second->id, "t"), std::string("TKY1"));
        QVERIFY(orders.deallocate(second->id, "t"));
        QCOMPARE((*orders.order(second->id))->warehouse, std::string());
        auto audit = world.store->audit(0, 1000);
        int changes = 0;
        for (const auto &row : *audit)
            changes += row.event == "order_status_change";
        QCOMPARE(changes, 5);
    }

    void adminCredentials()
    {
        ServerWorld world;
        auto now = std::chrono::system_clock::now();
        AdminService admin(*world.store, [&now] { return now; });
        QVERIFY(!admin.addOperator("OP-2", "Ito", "TKY1", "picker", "12a4", "cli:test"));
        QVERIFY(admin.addOperator("OP-2", "Ito", "TKY1", "picker", "2468", "cli:test"));
        const auto op = *world.store->operatorByBadge("OP-2");
        QVERIFY(op);
        QVERIFY(op->pinHash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
        QVERIFY(AdminService::verifyPin(op->pinHash, "2468"));
        QVERIFY(!AdminService::verifyPin(op->pinHash, "2469"));
        QVERIFY(admin.setOperatorActive("OP-2", false, "cli:test"));
        QVERIFY(!(*world.store->operatorByBadge("OP-2"))->active);

        const auto key = admin.createApiKey("store:shop", "shop integration", "cli:test");
        QVERIFY(key);
        const auto checked = admin.authenticateApiKey(key->token);
        QVERIFY(checked && checked->scope == "store:shop");
        QVERIFY(checked->secretHash.find(key->token.substr(23)) == std::string::npos); // only the digest is stored
        std::string wrong = key->token;
        wrong.back() = wrong.back() == '0' ? '1' : '0';
        QVERIFY(!admin.authenticateApiKey(wrong));
        QVERIFY(admin.revokeApiKey(key->id, "cli:test"));
        QCOMPARE(admin.authenticateApiKey(key->token).error().code, Common::ErrorCode::Unauthorized);

        const auto code = admin.createEnrollmentCode("TKY1", "HT-09", std::chrono::minutes(15), "cli:test");
        QVERIFY(code);
        QCOMPARE(code->code.size(), std::size_t(32));
        CertificateIssuer issuer = [](const std::string &csr,
                                      const std::string &deviceId) -> Common::Result<IssuedCertificate> {
            if (csr != "CSR")
                return Common::fail(Common::ErrorCode::InvalidInput, "bad CSR");
            return IssuedCertificate{"CERT for " + deviceId, "ABCDEF0123"};
        };
        QCOMPARE(admin.enroll(code->code, "garbage", issuer).error().code, Common::ErrorCode::InvalidInput);
        const auto enrolled = admin.enroll(code->code, "CSR", issuer); // a bad CSR did not burn the code
        QVERIFY2(enrolled, enrolled ? "" : enrolled.error().message.c_str());
        QCOMPARE(enrolled->device.warehouse, std::string("TKY1"));
        QCOMPARE((*world.store->deviceBySerial("ABCDEF0123"))->id, enrolled->device.id);
        QCOMPARE(admin.enroll(code->code, "CSR", issuer).error().code, Common::ErrorCode::Unauthorized); // single use
        const auto expiring = admin.createEnrollmentCode("TKY1", "HT-10", std::chrono::minutes(15), "cli:test");
        now += std::chrono::minutes(16);
        QCOMPARE(admin.enroll(expiring->code, "CSR", issuer).error().code, Common::ErrorCode::Unauthorized);

        QVERIFY(admin.revokeDevice(enrolled->device.id, "cli:test"));
        QCOMPARE((*world.store->device(enrolled->device.id))->status, Server::Storage::DeviceStatus::Revoked);
        const auto auditBefore = world.store->audit(0, 1000)->size();
        const auto unknown = admin.revokeDevice("00000000-0000-4000-8000-000000000000", "cli:test");
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, Common::ErrorCode::NotFound);
        QCOMPARE(world.store->audit(0, 1000)->size(), auditBefore); // nothing audited for a typo
        // No secret in the audit trail.
        const auto trail = world.store->audit(0, 1000);
        QVERIFY(trail && !trail->empty());
        for (const auto &row : *trail) {
            QVERIFY(row.details.find(code->code) == std::string::npos);
            QVERIFY(row.details.find(key->token.substr(23)) == std::string::npos);
            QVERIFY(row.details.find("2468") == std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestOms)
#include "tst_oms.moc"
