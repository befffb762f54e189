#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

// A small thread-safe metrics registry and its Prometheus text exposition (format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/): counters, gauges (set directly or
// collected by a callback at scrape time) and histograms with fixed buckets. Families are
// registered once at start-up and live as long as the registry (references stay valid); updates
// from any thread. Label values are given in the order of the family's label names.
//
// Programming errors throw std::invalid_argument: an invalid or repeated metric name, an invalid
// label name, a bucket list that is not strictly increasing, or an update with the wrong number of
// label values. Cardinality is bounded: a family keeps at most `maxSeriesPerFamily` label sets;
// updates to further label sets are dropped and counted (droppedSeries()).
namespace Server::Ops {

using LabelValues = std::vector<std::string>;

// One sample reported by a gauge callback.
struct Sample
{
    LabelValues labels;
    double value = 0;
};

inline constexpr std::size_t maxSeriesPerFamily = 10000;
// Prometheus' default buckets, in seconds.
inline const std::vector<double> defaultDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

class MetricsRegistry;

// What every family shares: name, help, label names, and how it writes itself.
class MetricFamily
{
public:
    virtual ~MetricFamily() = default;
    MetricFamily(const MetricFamily &) = delete;
    MetricFamily &operator=(const MetricFamily &) = delete;
    const std::string &name() const { return m_name; }
    // Families are made by MetricsRegistry (counter(), gauge(), …), which owns them.
    MetricFamily(std::string name, std::string help, std::vector<std::string> labelNames, MetricsRegistry &registry);

protected:
    virtual std::string_view typeName() const = 0;
    virtual void writeSamples(std::string &out) const = 0;
    void checkArity(const LabelValues &labels) const;
    std::size_t labelCount() const { return m_labelNames.size(); }
    // Appends `name{a="x",b="y"[,extra]} value\n`.
    void writeSample(std::string &out, std::string_view suffix, const LabelValues &labels, double value,
                     std::string_view extraLabel = {}, std::string_view extraValue = {}) const;
    bool admits(std::size_t currentSeries) const; // false (and counted) once the family is full
    // For families of one double per series (callers hold their own lock): the slot of `labels`,
    // created at 0 while the family admits one more series, nullptr once it is full; the value of
    // `labels` (0 when absent); every series as a sample line.
    double *seriesSlot(std::map<LabelValues, double> &values, const LabelValues &labels) const;
    static double seriesValue(const std::map<LabelValues, double> &values, const LabelValues &labels);
    void writeSeries(std::string &out, const std::map<LabelValues, double> &values) const;
    friend class MetricsRegistry;

private:
    std::string m_name;
    std::string m_help;
    std::vector<std::string> m_labelNames;
    MetricsRegistry &m_registry;
};

// Monotonic total (Prometheus "counter"): names end in _total by convention.
class Counter final : public MetricFamily
{
public:
    using MetricFamily::MetricFamily;
    void increment(const LabelValues &labels = {}, double amount = 1); // negative amounts are ignored
    double value(const LabelValues &labels = {}) const;                // 0 for an unseen label set

private:
    std::string_view typeName() const override { return "counter"; }
    void writeSamples(std::string &out) const override;
    mutable std::mutex m_mutex;
    std::map<LabelValues, double> m_values;
};

// A value that goes up and down (Prometheus "gauge"), set by the program.
class Gauge final : public MetricFamily
{
public:
    using MetricFamily::MetricFamily;
    void set(const LabelValues &labels, double value);
    void add(const LabelValues &labels, double delta);
    double value(const LabelValues &labels = {}) const;

private:
    std::string_view typeName() const override { return "gauge"; }
    void writeSamples(std::string &out) const override;
    mutable std::mutex m_mutex;
    std::map<LabelValues, double> m_values;
};

// A gauge whose samples a callback produces at scrape time (e.g. a queue length read from the
// database). The callback can be installed later (setSource); without one the family is listed
// with HELP/TYPE and no samples. A throwing callback yields no samples for that scrape; samples
// with the wrong number of label values are skipped.
class CallbackGauge final : public MetricFamily
{
public:
    using Source = std::function<std::vector<Sample>()>;
    CallbackGauge(std::string name, std::string help, std::vector<std::string> labelNames, MetricsRegistry &registry,
                  Source source);
    void setSource(Source source);

private:
    std::string_view typeName() const override { return "gauge"; }
    void writeSamples(std::string &out) const override;
    mutable std::mutex m_mutex;
    Source m_source;
};

// Observations counted into fixed buckets (Prometheus "histogram": _bucket{le=…} cumulative,
// _sum, _count).
class Histogram final : public MetricFamily
{
public:
    Histogram(std::string name, std::string help, std::vector<std::string> labelNames, MetricsRegistry &registry,
              std::vector<double> upperBounds);
    void observe(const LabelValues &labels, double value);
    struct Snapshot
    {
        std::vector<std::uint64_t> cumulativeCounts; // one per upper bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot(const LabelValues &labels) const;

private:
    std::string_view typeName() const override { return "histogram"; }
    void writeSamples(std::string &out) const override;
    std::vector<double> m_upperBounds;
    mutable std::mutex m_mutex;
    std::map<LabelValues, Snapshot> m_series; // counts per bucket here (not cumulative)
};

class MetricsRegistry final
{
public:
    MetricsRegistry() = default;
    MetricsRegistry(const MetricsRegistry &) = delete;
    MetricsRegistry &operator=(const MetricsRegistry &) = delete;

    Counter &counter(std::string name, std::string help, std::vector<std::string> labelNames = {});
    Gauge &gauge(std::string name, std::string help, std::vector<std::string> labelNames = {});
    CallbackGauge &callbackGauge(std::string name, std::string help, std::vector<std::string> labelNames,
                                 CallbackGauge::Source source = {});
    Histogram &histogram(std::string name, std::string help, std::vector<std::string> labelNames,
                         std::vector<double> upperBounds = defaultDurationBuckets);

    // Every family in registration order: "# HELP", "# TYPE", then its samples sorted by labels.
    std::string exposition() const;
    std::uint64_t droppedSeries() const { return m_dropped.load(); }

    static constexpr std::string_view contentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    friend class MetricFamily;
    template <typename Family, typename... Arguments> Family &add(std::string name, Arguments &&...arguments);
    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<MetricFamily>> m_families;
    std::atomic<std::uint64_t> m_dropped{0};
};

// Exposition helpers, public for tests: label value escaping (\ " newline), HELP escaping
// (\ newline), and sample values (shortest round-trip decimal, +Inf, -Inf, NaN).
std::string escapeLabelValue(std::string_view value);
std::string escapeHelp(std::string_view help);
std::string formatSampleValue(double value);
bool isValidMetricName(std::string_view name); // [a-zA-Z_:][a-zA-Z0-9_:]*
bool isValidLabelName(std::string_view name);  // [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"

} // namespace Server::Ops
