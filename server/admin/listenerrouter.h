#pragma once
#include "server/net/httpmessage.h"

namespace Server::Api {
class ApiApplication;
}
namespace Server::Ops {
class ServerMetrics;
}

// The one Net::Application soko-server gives HttpsServer: requests of Listener::Admin go to the
// AdminApplication, devices and api requests to the ApiApplication. Paths that exist only on the
// admin listener (/admin, /admin/…, /metrics) are unknown on the others whatever the api route
// table says (R23, defence in depth). With `metrics`, every answered request is counted in
// soko_http_requests_total / soko_http_request_duration_seconds under its route PATTERN
// ("unmatched" for none), and 404/405 refusals decided from the route table before any handler
// are counted too. Both applications (and metrics) must outlive the returned object.
namespace Server::Admin {

class AdminApplication;

Net::Application composeByListener(Api::ApiApplication &api, AdminApplication &admin,
                                   Ops::ServerMetrics *metrics = nullptr);

} // namespace Server::Admin
