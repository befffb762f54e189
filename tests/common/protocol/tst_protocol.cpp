#include <QFile>
#include <QTest>

#include <string>

#include "common/protocol/protocol.h"

using namespace Common::Protocol;

namespace {

std::string readGolden(const char *name)
{
    QFile file(QStringLiteral(SOKO_SOURCE_DIR "/tests/data/protocol/") + QString::fromLatin1(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::string text = file.readAll().toStdString();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

// A valid one-op push whose pieces the rejection rows replace.
std::string push(const std::string &payload, const std::string &type = "pick", const std::string &opExtra = "",
                 const std::string &topExtra = "")
{
    return R"({"protocol":1,"device_id":"6f1c2a1e-8a4b-4c1e-9d2f-0a1b2c3d4e5f","incarnation":1)" + topExtra
        + R"(,"ops":[{"seq":1,"op_id":"a1b2c3d4-0001-4000-8000-000000000001","type":")" + type + R"(","payload":)" + payload
        + R"(,"operator_id":"OP-1","created_at":"2026-11-29T21:40:00Z")" + opExtra + "}]}";
}

std::string pickPayload(const std::string &quantity)
{
    return R"({"order_id":7,"line":1,"sku":"S1","location":"A-1","quantity":)" + quantity + "}";
}

std::string nested(int depth)
{
    std::string text;
    for (int i = 0; i < depth; ++i)
        text += "[";
    for (int i = 0; i < depth; ++i)
        text += "]";
    return text;
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goldenPushRequest()
    {
        const std::string golden = readGolden("push_request.json");
        QVERIFY(!golden.empty());
        const auto decoded = decodePushRequest(golden);
        QVERIFY2(decoded, decoded ? "" : decoded.error().message.c_str());
        QCOMPARE(decoded->ops.size(), std::size_t(8));
        QCOMPARE(decoded->ops[0].type(), OperationType::Pick);
        QCOMPARE(std::get<PickPayload>(decoded->ops[0].payload).quantity, Quantity(2));
        QCOMPARE(decoded->ops[1].type(), OperationType::ShortPick);
        QCOMPARE(decoded->ops[5].type(), OperationType::Putaway);
        QCOMPARE(decoded->ops[6].type(), OperationType::Move);
        const auto &count = std::get<CountPayload>(decoded->ops[7].payload);
        QCOMPARE(count.counted, Quantity(118));
        QCOMPARE(count.expected, Quantity(120));
        QCOMPARE(decoded->epoch.value_or(""), std::string("0e4d1f5c-3b2a-4e6f-8a9b-1c2d3e4f5a6b"));
        QCOMPARE(encode(*decoded), golden);
    }
    void goldenOthers()
    {
        const std::string response = readGolden("push_response.json");
        const auto decodedResponse = decodePushResponse(response);
        QVERIFY2(decodedResponse, decodedResponse ? "" : decodedResponse.error().message.c_str());
        QCOMPARE(decodedResponse->results.at(1).outcome, OperationOutcome::Conflict);
        QCOMPARE(decodedResponse->results.at(1).conflictId.value_or(0), std::int64_t(17));
        QCOMPARE(encode(*decodedResponse), response);

        for (const char *name : {"refusal_gap.json", "refusal_fork.json", "refusal_snapshot_required.json"}) {
            const std::string text = readGolden(name);
            const auto refusal = decodeRefusal(text);
            QVERIFY2(refusal, name);
            QCOMPARE(encode(*refusal), text);
        }
        QCOMPARE(decodeRefusal(readGolden("refusal_gap.json"))->lastApplied, std::int64_t(40));
        QCOMPARE(decodeRefusal(readGolden("refusal_fork.json"))->error, RefusalCode::Fork);

        const std::string incarnation = readGolden("incarnation_response.json");
        QCOMPARE(encode(*decodeIncarnationResponse(incarnation)), incarnation);

        const std::string pull = readGolden("pull_response.json");
        const auto decodedPull = decodePullResponse(pull);
        QVERIFY2(decodedPull, decodedPull ? "" : decodedPull.error().message.c_str());
        QCOMPARE(decodedPull->changes.size(), std::size_t(3));
        QVERIFY(!decodedPull->changes[2].data.has_value());
        QCOMPARE(decodedPull->nextCursor, std::string("103"));
        QCOMPARE(encode(*decodedPull), pull);
    }
    void roundTripBuilt()
    {
        PushRequest request;
        request.deviceId = "00000000-0000-4000-8000-000000000001";
        request.incarnation = 3;
        PushOp op;
        op.seq = 9;
        op.opId = "00000000-0000-4000-8000-000000000009";
        op.payload = CountPayload{"B-1", "SKU \"quoted\" 日本", std::nullopt, 0, 5};
        op.operatorId = "OP-1";
        op.createdAt = "2026-01-01T00:00:00Z";
        request.ops.push_back(op);
        const auto decoded = decodePushRequest(encode(request));
        QVERIFY(decoded);
        QVERIFY(*decoded == request);
    }

    void rejections_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("path");
        auto row = [](const char *name, const std::string &json, const char *reason, const char *path) {
            QTest::newRow(name) << QByteArray::fromStdString(json) << QString::fromLatin1(reason) << QString::fromLatin1(path);
        };
        row("valid baseline", push(pickPayload("1")), "", "");
        // J2: integers beyond 64 bits become doubles in Boost.JSON.
        row("J2 huge integer", push(pickPayload("123456789012345678901234567890")), "out_of_range", "ops[0].payload.quantity");
        row("J2 uint64", push(pickPayload("18446744073709551615")), "out_of_range", "ops[0].payload.quantity");
        row("1e400 not finite", push(pickPayload("1e400")), "not_finite", "ops[0].payload.quantity");
        // J4: quantity must be a positive integer.
        row("J4 -1", push(pickPayload("-1")), "out_of_range", "ops[0].payload.quantity");
        row("J4 0", push(pickPayload("0")), "out_of_range", "ops[0].payload.quantity");
        row("J4 1.5", push(pickPayload("1.5")), "not_integer", "ops[0].payload.quantity");
        row("J4 1.0", push(pickPayload("1.0")), "not_integer", "ops[0].payload.quantity");
        row("J4 string", push(pickPayload("\"5\"")), "wrong_type", "ops[0].payload.quantity");
        row("J4 true", push(pickPayload("true")), "wrong_type", "ops[0].payload.quantity");
        row("J4 null", push(pickPayload("null")), "wrong_type", "ops[0].payload.quantity");
        // J5: nesting depth.
        row("J5 depth 17", push(pickPayload("1"), "pick", ",\"x\":" + nested(14)), "too_deep", "ops[0].x[0][0][0][0][0][0][0][0][0][0][0][0]");
        row("J5 depth 33", nested(33), "too_deep", "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]");
        // J7: invalid UTF-8 and lone surrogates.
        row("J7 bytes ff fe", "\xff\xfe{}", "bad_json", "$");
        row("J7 overlong", push(R"({"order_id":7,"line":1,"sku":"S)" "\xC0\xAF" R"(","location":"A-1","quantity":1})"), "bad_json", "$");
        row("J7 lone surrogate", push(R"({"order_id":7,"line":1,"sku":"\ud800","location":"A-1","quantity":1})"), "bad_json", "$");
        // J9: mass assignment / unknown fields, at every level.
        row("J9 tenant_id top", push(pickPayload("1"), "pick", "", ",\"tenant_id\":2"), "unknown_field", "tenant_id");
        row("J9 role in op", push(pickPayload("1"), "pick", ",\"role\":\"admin\""), "unknown_field", "ops[0].role");
        row("J9 __proto__ in payload", push(R"({"order_id":7,"line":1,"sku":"S1","location":"A-1","quantity":1,"__proto__":{}})"),
            "unknown_field", "ops[0].payload.__proto__");
        // J17: more than one value, trailing garbage, BOM.
        row("J17 two objects", "{}{}", "bad_json", "$");
        row("J17 trailing garbage", push(pickPayload("1")) + "x", "bad_json", "$");
        row("J17 BOM", "\xEF\xBB\xBF" + push(pickPayload("1")), "bad_json", "$");
        // Others of R28.
        row("duplicate key", push(R"({"order_id":7,"line":1,"sku":"S1","sku":"S2","location":"A-1","quantity":1})"),
            "duplicate_key", "ops[0].payload.sku");
        row("duplicate key top", R"({"protocol":1,"protocol":1})", "duplicate_key", "protocol");
        row("control character", push(R"({"order_id":7,"line":1,"sku":"S\u0000","location":"A-1","quantity":1})"),
            "control_character", "ops[0].payload.sku");
        row("too long", push(R"({"order_id":7,"line":1,"sku":")" + std::string(65, 'x') + R"(","location":"A-1","quantity":1})"),
            "too_long", "ops[0].payload.sku");
        row("empty string", push(R"({"order_id":7,"line":1,"sku":"","location":"A-1","quantity":1})"), "bad_value", "ops[0].payload.sku");
        row("missing field", push(R"({"order_id":7,"line":1,"location":"A-1","quantity":1})"), "missing_field", "ops[0].payload.sku");
        row("unknown op type", push(pickPayload("1"), "teleport"), "bad_value", "ops[0].type");
        row("field of another type", push(R"({"sku":"S1","from":"A","to":"B","quantity":1,"order_id":3})", "move"),
            "unknown_field", "ops[0].payload.order_id");
        row("bad uuid", R"({"protocol":1,"device_id":"6F1C2A1E-8A4B-4C1E-9D2F-0A1B2C3D4E5F","incarnation":1,"ops":[]})", "bad_value", "device_id");
        row("wrong protocol", R"({"protocol":2,"device_id":"6f1c2a1e-8a4b-4c1e-9d2f-0a1b2c3d4e5f","incarnation":1,"ops":[]})",
            "unsupported_version", "protocol");
        row("bad time", push(pickPayload("1")).replace(push(pickPayload("1")).find("2026-11-29T21:40:00Z"), 20, "2026-11-29 21:40:00"),
            "bad_value", "ops[0].created_at");
        row("not an object", "[]", "wrong_type", "$");
        row("comment", "/*x*/" + push(pickPayload("1")), "bad_json", "$");
        row("trailing comma", R"({"protocol":1,})", "bad_json", "$");
    }
    void rejections()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, reason);
        QFETCH(QString, path);
        const auto decoded = decodePushRequest(std::string_view(json.constData(), static_cast<std::size_t>(json.size())));
        if (reason.isEmpty()) {
            QVERIFY2(decoded, decoded ? "" : decoded.error().message.c_str());
            return;
        }
        QVERIFY(!decoded);
        const Common::Error &error = decoded.error();
        QCOMPARE(QString::fromStdString(std::string(decodeFailureReason(error))), reason);
        const std::string expectedPrefix = reason.toStdString() + " at " + path.toStdString();
        QVERIFY2(error.message.rfind(expectedPrefix, 0) == 0, error.message.c_str());
    }

    void batchRules()
    {
        // Seq must be consecutive and op ids unique within one batch.
        std::string two = push(pickPayload("1"));
        const std::string op = two.substr(two.find("{\"seq\""), two.rfind("]}") - two.find("{\"seq\""));
        std::string second = op;
        second.replace(second.find("\"seq\":1"), 7, "\"seq\":3");
        second.replace(second.find("000000000001"), 12, "000000000003");
        std::string gapBatch = two;
        gapBatch.insert(gapBatch.rfind("]}"), "," + second);
        auto decoded = decodePushRequest(gapBatch);
        QVERIFY(!decoded);
        QVERIFY2(decoded.error().message.rfind("bad_value at ops[1].seq", 0) == 0, decoded.error().message.c_str());

        std::string sameId = op;
        sameId.replace(sameId.find("\"seq\":1"), 7, "\"seq\":2");
        std::string duplicateBatch = two;
        duplicateBatch.insert(duplicateBatch.rfind("]}"), "," + sameId);
        decoded = decodePushRequest(duplicateBatch);
        QVERIFY(!decoded);
        QVERIFY2(decoded.error().message.rfind("bad_value at ops[1].op_id", 0) == 0, decoded.error().message.c_str());
    }
    void sizeLimits()
    {
        Limits small;
        small.maxOps = 2;
        PushRequest request;
        request.deviceId = "00000000-0000-4000-8000-000000000001";
        for (int i = 1; i <= 3; ++i) {
            PushOp op;
            op.seq = i;
            op.opId = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
            op.payload = MovePayload{"S", "A", "B", std::nullopt, 1};
            op.operatorId = "O";
            op.createdAt = "2026-01-01T00:00:00Z";
            request.ops.push_back(op);
        }
        const std::string text = encode(request);
        auto decoded = decodePushRequest(text, small);
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().code, Common::ErrorCode::TooLarge);
        QCOMPARE(decodeFailureReason(decoded.error()), std::string_view("too_many"));

        Limits tiny;
        tiny.maxBytes = text.size() - 1;
        decoded = decodePushRequest(text, tiny);
        QVERIFY(!decoded);
        QCOMPARE(decodeFailureReason(decoded.error()), std::string_view("too_large"));
        QVERIFY(decodePushRequest(text));
    }
    void pullRules()
    {
        const std::string both = R"({"protocol":1,"epoch":"0e4d1f5c-3b2a-4e6f-8a9b-1c2d3e4f5a6b","changes":[{"version":1,"entity":"sku","key":"k","data":{},"deleted":true}],"next_cursor":"1","has_more":false})";
        QVERIFY(!decodePullResponse(both));
        const std::string neither = R"({"protocol":1,"epoch":"0e4d1f5c-3b2a-4e6f-8a9b-1c2d3e4f5a6b","changes":[{"version":1,"entity":"sku","key":"k"}],"next_cursor":"1","has_more":false})";
        QVERIFY(!decodePullResponse(neither));
        const std::string descending = R"({"protocol":1,"epoch":"0e4d1f5c-3b2a-4e6f-8a9b-1c2d3e4f5a6b","changes":[{"version":2,"entity":"sku","key":"k","deleted":true},{"version":1,"entity":"sku","key":"k","deleted":true}],"next_cursor":"1","has_more":false})";
        QVERIFY(!decodePullResponse(descending));
    }
    void names()
    {
        for (int i = 0; i <= static_cast<int>(OperationType::Count); ++i) {
            const auto type = static_cast<OperationType>(i);
            QCOMPARE(operationTypeFromName(operationTypeName(type)), std::optional<OperationType>(type));
        }
        QVERIFY(!operationTypeFromName("Pick"));
        QCOMPARE(refusalCodeFromName("epoch_changed"), std::optional<RefusalCode>(RefusalCode::EpochChanged));
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
