#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "common/support/result.h"

// A fault-injecting TCP proxy for tests (issue "Nothing lost: fault injection, soak, fuzzing"):
// it listens on 127.0.0.1 on an ephemeral port, opens one upstream connection to the target per
// accepted connection and copies bytes both ways, applying a FaultPlan that tests change at run
// time from any thread. It sees bytes only, never TLS plaintext, so a TLS client talks to the
// real server end to end through it (certificates and pins unchanged).
//
// The proxy runs its own I/O thread; nothing here needs a Qt event loop. All byte counts are
// bytes on the wire (TLS records included), all durations milliseconds of the steady clock.
namespace TestSupport {

enum class FaultMode {
    Pass,      // forward everything unchanged
    Delay,     // hold each chunk read from either side delayMs (+ 0…jitterMs) before forwarding it
    Drop,      // accept, then close at once without connecting upstream
    Cut,       // forward exactly afterBytes in `direction`, then close both sides (FIN)
    Reset,     // forward up to afterBytes in `direction`, then abort both sides (RST, SO_LINGER 0)
    BlackHole, // accept and read, connect nowhere, forward nothing, close after blackHoleMs
    Flap,      // the link is up for flapPeriodMs, then down (black hole) for flapPeriodMs, …
};

enum class FaultDirection {
    ClientToServer, // mid-request: the server sees the first afterBytes of what the client sent
    ServerToClient, // mid-response: the client sees the first afterBytes of the server's answer
};

// What happens to connections. A plan applies to connections accepted after setPlan(); the
// ones already open keep the plan they were accepted under, except that Flap's down phases
// also black-hole connections accepted while the link was up (their data is discarded and they
// are closed at the end of the down phase). Flap's phases count from the setPlan() call: first
// up, then down, alternating.
struct FaultPlan
{
    FaultMode mode = FaultMode::Pass;
    FaultDirection direction = FaultDirection::ServerToClient; // Cut and Reset
    std::int64_t afterBytes = 0; // Cut and Reset: bytes forwarded in `direction` before the fault (≥ 0)
    int delayMs = 0;             // Delay: per chunk, each direction (≥ 0)
    int jitterMs = 0;            // Delay: plus a uniform 0…jitterMs drawn from the seeded RNG (≥ 0)
    int blackHoleMs = 1000;      // BlackHole: how long the connection is held before it is closed (≥ 0)
    int flapPeriodMs = 1000;     // Flap: length of each up and each down phase (≥ 1)
    // Share of new connections that get the fault, in percent (0…100); the choice is drawn
    // from the seeded RNG per accepted connection, in accept order. The others pass.
    int percent = 100;
};

// Totals since start(), for test assertions and closing notes. Faults count connections (a
// delayed chunk counts in delayedChunks).
struct FaultCounters
{
    std::uint64_t connections = 0;         // accepted
    std::uint64_t upstreamConnected = 0;   // upstream connections established
    std::uint64_t upstreamFailures = 0;    // upstream connect failed (the client is closed)
    std::uint64_t bytesClientToServer = 0; // forwarded and written upstream
    std::uint64_t bytesServerToClient = 0; // forwarded and written to the client
    std::uint64_t discardedBytes = 0;      // read and thrown away (black hole, flap down, after a cut)
    std::uint64_t delayedChunks = 0;
    std::uint64_t delayedConnections = 0; // connections that had at least one chunk delayed
    std::uint64_t drops = 0;
    std::uint64_t cuts = 0;
    std::uint64_t resets = 0;
    std::uint64_t blackHoles = 0; // connections black-holed (BlackHole, or Flap in a down phase)
    std::uint64_t faults() const { return drops + cuts + resets + blackHoles + delayedConnections; }
};

class FaultProxy final
{
public:
    // `targetHost` is a numeric address or a name resolved once in start(); `seed` fixes the
    // RNG used for jitter and for `percent`, so a run can be replayed.
    FaultProxy(std::string targetHost, std::uint16_t targetPort, std::uint64_t seed = 1);
    ~FaultProxy(); // stop()s
    FaultProxy(const FaultProxy &) = delete;
    FaultProxy &operator=(const FaultProxy &) = delete;

    // Resolves the target, listens on 127.0.0.1:0 and starts the I/O thread; returns the port.
    // Errors: Io (target does not resolve, cannot listen), InvalidInput (already started).
    // Returns within a few milliseconds (no upstream connection is attempted here).
    Common::Result<std::uint16_t> start();
    // Closes the listener and every open connection (both sides; FIN, or RST where unread data
    // remains) and joins the I/O thread. Bounded: it only closes sockets and joins, so it
    // returns in milliseconds whatever is in flight (no graceful drain, no pending delay waited
    // for). Safe to call twice; the proxy can be start()ed again afterwards (on a new port;
    // counters keep counting). start()/stop() belong to one thread (the test's); everything
    // else may be called from any thread.
    void stop();
    bool isRunning() const;
    std::uint16_t port() const; // 0 when not running

    // Thread-safe; takes effect for the next accepted connection (see FaultPlan). Errors:
    // InvalidInput naming the field when a value is out of range (the current plan is kept).
    Common::Result<void> setPlan(const FaultPlan &plan);
    FaultPlan plan() const;
    FaultCounters counters() const; // a consistent snapshot
    std::size_t openConnections() const;
    // Flap only: whether the link is in an up phase now (always true for other modes).
    bool linkUp() const;

    struct Impl; // private; public only so the .cpp's connection class can name it

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace TestSupport
