#include "server/admin/listenerrouter.h"

#include <algorithm>
#include <chrono>
#include "server/admin/adminapplication.h"
#include "server/api/apiapplication.h"
#include "server/ops/servermetrics.h"

namespace Server::Admin {

namespace {

constexpr std::string_view unmatched = "unmatched";

struct Router
{
    Api::ApiApplication *api;
    AdminApplication *admin;
    Ops::ServerMetrics *metrics;

    std::string routeOf(Net::Listener listener, std::string_view path) const
    {
        std::optional<std::string> pattern;
        if (listener == Net::Listener::Admin)
            pattern = admin->routePattern(path);
        else if (!isAdminOnlyPath(path))
            pattern = api->routePattern(listener, path);
        return pattern.value_or(std::string(unmatched));
    }

    Net::RouteLimits limits(Net::Listener listener, std::string_view method, std::string_view path) const
    {
        Net::RouteLimits result;
        if (listener == Net::Listener::Admin)
            result = admin->limits(listener, method, path);
        else if (!isAdminOnlyPath(path))
            result = api->limits(listener, method, path);
        if (metrics) {
            const std::string_view name = Net::listenerName(listener);
            if (!result.known)
                metrics->recordRefusal(name, unmatched, 404);
            else if (std::find(result.allowedMethods.begin(), result.allowedMethods.end(), method) ==
                     result.allowedMethods.end())
                metrics->recordRefusal(name, routeOf(listener, path), 405);
        }
        return result;
    }

    Net::HttpResponse handle(const Net::HttpRequest &request) const
    {
        const auto started = std::chrono::steady_clock::now();
        Net::HttpResponse response;
        if (request.listener == Net::Listener::Admin)
            response = admin->handle(request);
        else if (isAdminOnlyPath(request.path))
            response = Net::HttpResponse::error(404, "not_found", "no such route");
        else
            response = api->handle(request);
        if (metrics) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            metrics->recordRequest(Net::listenerName(request.listener), routeOf(request.listener, request.path),
                                   response.status, seconds);
        }
        return response;
    }
};

} // namespace

Net::Application composeByListener(Api::ApiApplication &api, AdminApplication &admin, Ops::ServerMetrics *metrics)
{
    const Router router{&api, &admin, metrics};
    Net::Application application;
    application.limits = [router](Net::Listener listener, std::string_view method, std::string_view path) {
        return router.limits(listener, method, path);
    };
    application.handle = [router](const Net::HttpRequest &request) { return router.handle(request); };
    return application;
}

} // namespace Server::Admin
