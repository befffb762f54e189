#pragma once
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/pki.h"
#include "server/net/httpsserver.h"

// A loopback stand-in for a Slack incoming webhook (REQUIREMENTS.md §6 "Test with a loopback
// mock webhook that records payloads"): a real HttpsServer on 127.0.0.1 port 0 with a
// certificate for localhost/127.0.0.1 from a test CA made by common/crypto/pki.h. It records every
// POST and answers from a script (status, body, Retry-After, delay), "200 ok" when the script is
// empty. Shared by the webhook client, worker and command-line tests.
namespace TestSupport {

struct WebhookReply
{
    int status = 200;
    std::string body = "ok";
    std::string retryAfter;             // Retry-After header when not empty
    std::string location;               // Location header when not empty
    std::chrono::milliseconds delay{0}; // before answering
};

struct WebhookHit
{
    std::string path;
    std::string contentType;
    std::string body;
};

// PEM files of a test CA and a server certificate for `names`, in a temporary folder.
struct WebhookCertificates
{
    QTemporaryDir folder;
    std::string caFile;
    std::string chainFile;
    std::string keyFile;

    explicit WebhookCertificates(const std::vector<std::string> &names = {"localhost", "127.0.0.1"})
    {
        auto caKey = Common::Crypto::generateP256Key();
        auto serverKey = Common::Crypto::generateP256Key();
        if (!caKey || !serverKey)
            qFatal("cannot generate test keys");
        auto ca = Common::Crypto::makeCaCertificate(*caKey, "Soko test webhook CA", 30);
        if (!ca)
            qFatal("cannot make the test CA: %s", ca.error().message.c_str());
        auto certificate =
            Common::Crypto::issueServerCertificate(*ca, caKey->privateKeyPem, serverKey->publicKeyPem, names, 30);
        if (!certificate)
            qFatal("cannot issue the mock certificate: %s", certificate.error().message.c_str());
        caFile = write("ca.pem", *ca);
        chainFile = write("chain.pem", *certificate + *ca);
        keyFile = write("server.key", serverKey->privateKeyPem);
    }

private:
    std::string write(const char *name, const std::string &text)
    {
        const std::string path = folder.filePath(QString::fromLatin1(name)).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
};

class MockWebhook
{
public:
    explicit MockWebhook(const WebhookCertificates &certificates)
    {
        Server::Net::ServerConfig config;
        config.listeners = {Server::Net::ListenerConfig{Server::Net::Listener::Api, "127.0.0.1", 0,
                                                        certificates.chainFile, certificates.keyFile, ""}};
        config.workerThreads = 2;
        config.log = [](std::string_view) {};
        Server::Net::Application application;
        application.limits = [](Server::Net::Listener, std::string_view, std::string_view) {
            return Server::Net::RouteLimits{true, 256 * 1024, {"POST"}};
        };
        application.handle = [this](const Server::Net::HttpRequest &request) { return answer(request); };
        m_server = std::make_unique<Server::Net::HttpsServer>(std::move(config), std::move(application));
        if (auto started = m_server->start(); !started)
            qFatal("mock webhook: %s", started.error().message.c_str());
        m_port = m_server->boundPorts().at(0);
        m_thread = std::thread([this] { m_server->run(); });
    }
    ~MockWebhook()
    {
        m_server->stop();
        m_thread.join();
    }
    MockWebhook(const MockWebhook &) = delete;
    MockWebhook &operator=(const MockWebhook &) = delete;

    std::uint16_t port() const { return m_port; }
    std::string url(const std::string &host = "127.0.0.1") const
    {
        return "https://" + host + ":" + std::to_string(m_port) + "/services/T000/B000/test-token";
    }
    void script(std::vector<WebhookReply> replies)
    {
        std::lock_guard lock(m_mutex);
        m_script.assign(replies.begin(), replies.end());
    }
    std::vector<WebhookHit> hits() const
    {
        std::lock_guard lock(m_mutex);
        return m_hits;
    }
    // Waits until at least `count` requests arrived (or the timeout); returns what arrived.
    std::vector<WebhookHit> waitForHits(std::size_t count, std::chrono::milliseconds timeout) const
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (hits().size() < count && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return hits();
    }

private:
    Server::Net::HttpResponse answer(const Server::Net::HttpRequest &request)
    {
        WebhookReply reply;
        {
            std::lock_guard lock(m_mutex);
            m_hits.push_back({request.path, std::string(request.header("content-type").value_or("")), request.body});
            if (!m_script.empty()) {
                reply = m_script.front();
                m_script.pop_front();
            }
        }
        if (reply.delay.count() > 0)
            std::this_thread::sleep_for(reply.delay);
        Server::Net::HttpResponse response;
        response.status = reply.status;
        response.contentType = "text/plain; charset=utf-8";
        response.body = reply.body;
        if (!reply.retryAfter.empty())
            response.headers.emplace_back("Retry-After", reply.retryAfter);
        if (!reply.location.empty())
            response.headers.emplace_back("Location", reply.location);
        return response;
    }

    std::unique_ptr<Server::Net::HttpsServer> m_server;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    mutable std::mutex m_mutex;
    std::deque<WebhookReply> m_script;
    std::vector<WebhookHit> m_hits;
};

} // namespace TestSupport
