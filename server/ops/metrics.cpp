#include "server/ops/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace Server::Ops {

namespace {

bool isNameStart(char c, bool allowColon)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allowColon && c == ':');
}

bool isNameChar(char c, bool allowColon)
{
    return isNameStart(c, allowColon) || (c >= '0' && c <= '9');
}

} // namespace

std::string escapeLabelValue(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escapeHelp(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string formatSampleValue(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    // Whole numbers (counts, timestamps) as integers: "1800000000" rather than "1.8e+09".
    if (value == std::trunc(value) && std::abs(value) < 1e15) {
        const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
        return std::string(buffer, error == std::errc() ? end : buffer);
    }
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (error != std::errc())
        return "NaN";
    return std::string(buffer, end);
}

bool isValidMetricName(std::string_view name)
{
    return !name.empty() && isNameStart(name.front(), true) &&
           std::all_of(name.begin(), name.end(), [](char c) { return isNameChar(c, true); });
}

bool isValidLabelName(std::string_view name)
{
    return !name.empty() && isNameStart(name.front(), false) && !name.starts_with("__") &&
           std::all_of(name.begin(), name.end(), [](char c) { return isNameChar(c, false); });
}

// ---- MetricFamily ----

MetricFamily::MetricFamily(std::string name, std::string help, std::vector<std::string> labelNames,
                           MetricsRegistry &registry)
    : m_name(std::move(name))
    , m_help(std::move(help))
    , m_labelNames(std::move(labelNames))
    , m_registry(registry)
{
    if (!isValidMetricName(m_name))
        throw std::invalid_argument("invalid metric name '" + m_name + "'");
    for (const std::string &label : m_labelNames) {
        if (!isValidLabelName(label) || label == "le")
            throw std::invalid_argument("invalid label name '" + label + "' in " + m_name);
        if (std::count(m_labelNames.begin(), m_labelNames.end(), label) > 1)
            throw std::invalid_argument("label '" + label + "' repeated in " + m_name);
    }
}

void MetricFamily::checkArity(const LabelValues &labels) const
{
    if (labels.size() != m_labelNames.size())
        throw std::invalid_argument(m_name + " takes " + std::to_string(m_labelNames.size()) + " label values, got " +
                                    std::to_string(labels.size()));
}

bool MetricFamily::admits(std::size_t currentSeries) const
{
    if (currentSeries < maxSeriesPerFamily)
        return true;
    ++m_registry.m_dropped;
    return false;
}

void MetricFamily::writeSample(std::string &out, std::string_view suffix, const LabelValues &labels, double value,
                               std::string_view extraLabel, std::string_view extraValue) const
{
    out += m_name;
    out += suffix;
    if (!labels.empty() || !extraLabel.empty()) {
        out += '{';
        bool first = true;
        for (std::size_t index = 0; index < labels.size() && index < m_labelNames.size(); ++index) {
            if (!first)
                out += ',';
            first = false;
            out += m_labelNames[index];
            out += "=\"";
            out += escapeLabelValue(labels[index]);
            out += '"';
        }
        if (!extraLabel.empty()) {
            if (!first)
                out += ',';
            out += extraLabel;
            out += "=\"";
            out += escapeLabelValue(extraValue);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += formatSampleValue(value);
    out += '\n';
}

// ---- one double per series ----

double *MetricFamily::seriesSlot(std::map<LabelValues, double> &values, const LabelValues &labels) const
{
    auto found = values.find(labels);
    if (found == values.end()) {
        if (!admits(values.size()))
            return nullptr;
        found = values.emplace(labels, 0.0).first;
    }
    return &found->second;
}

double MetricFamily::seriesValue(const std::map<LabelValues, double> &values, const LabelValues &labels)
{
    const auto found = values.find(labels);
    return found == values.end() ? 0 : found->second;
}

void MetricFamily::writeSeries(std::string &out, const std::map<LabelValues, double> &values) const
{
    for (const auto &[labels, value] : values)
        writeSample(out, "", labels, value);
}

// ---- Counter ----

void Counter::increment(const LabelValues &labels, double amount)
{
    checkArity(labels);
    if (!(amount >= 0))
        return;
    std::lock_guard lock(m_mutex);
    if (double *slot = seriesSlot(m_values, labels))
        *slot += amount;
}

double Counter::value(const LabelValues &labels) const
{
    std::lock_guard lock(m_mutex);
    return seriesValue(m_values, labels);
}

void Counter::writeSamples(std::string &out) const
{
    std::lock_guard lock(m_mutex);
    writeSeries(out, m_values);
}

// ---- Gauge ----

void Gauge::set(const LabelValues &labels, double value)
{
    checkArity(labels);
    std::lock_guard lock(m_mutex);
    if (double *slot = seriesSlot(m_values, labels))
        *slot = value;
}

void Gauge::add(const LabelValues &labels, double delta)
{
    checkArity(labels);
    std::lock_guard lock(m_mutex);
    if (double *slot = seriesSlot(m_values, labels))
        *slot += delta;
}

double Gauge::value(const LabelValues &labels) const
{
    std::lock_guard lock(m_mutex);
    return seriesValue(m_values, labels);
}

void Gauge::writeSamples(std::string &out) const
{
    std::lock_guard lock(m_mutex);
    writeSeries(out, m_values);
}

// ---- CallbackGauge ----

CallbackGauge::CallbackGauge(std::string name, std::string help, std::vector<std::string> labelNames,
                             MetricsRegistry &registry, Source source)
    : MetricFamily(std::move(name), std::move(help), std::move(labelNames), registry)
    , m_source(std::move(source))
{}

void CallbackGauge::setSource(Source source)
{
    std::lock_guard lock(m_mutex);
    m_source = std::move(source);
}

void CallbackGauge::writeSamples(std::string &out) const
{
    Source source;
    {
        std::lock_guard lock(m_mutex);
        source = m_source;
    }
    if (!source)
        return;
    std::vector<Sample> samples;
    try {
        samples = source();
    } catch (...) {
        return; // a failing source must not break the whole scrape
    }
    std::sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.labels < b.labels; });
    std::size_t written = 0;
    for (const Sample &sample : samples) {
        if (sample.labels.size() != labelCount())
            continue;
        if (!admits(written))
            break;
        writeSample(out, "", sample.labels, sample.value);
        ++written;
    }
}

// ---- Histogram ----

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> labelNames, MetricsRegistry &registry,
                     std::vector<double> upperBounds)
    : MetricFamily(std::move(name), std::move(help), std::move(labelNames), registry)
    , m_upperBounds(std::move(upperBounds))
{
    if (m_upperBounds.empty())
        throw std::invalid_argument("histogram " + this->name() + " needs at least one bucket");
    for (std::size_t index = 0; index < m_upperBounds.size(); ++index) {
        if (!std::isfinite(m_upperBounds[index]) || (index > 0 && m_upperBounds[index] <= m_upperBounds[index - 1]))
            throw std::invalid_argument("histogram " + this->name() + ": buckets must be finite and increasing");
    }
}

void Histogram::observe(const LabelValues &labels, double value)
{
    checkArity(labels);
    if (std::isnan(value))
        return;
    std::lock_guard lock(m_mutex);
    auto found = m_series.find(labels);
    if (found == m_series.end()) {
        if (!admits(m_series.size()))
            return;
        Snapshot empty;
        empty.cumulativeCounts.assign(m_upperBounds.size() + 1, 0);
        found = m_series.emplace(labels, std::move(empty)).first;
    }
    const auto bucket = std::lower_bound(m_upperBounds.begin(), m_upperBounds.end(), value) - m_upperBounds.begin();
    ++found->second.cumulativeCounts[static_cast<std::size_t>(bucket)];
    found->second.sum += value;
    ++found->second.count;
}

Histogram::Snapshot Histogram::snapshot(const LabelValues &labels) const
{
    std::lock_guard lock(m_mutex);
    Snapshot result;
    result.cumulativeCounts.assign(m_upperBounds.size() + 1, 0);
    const auto found = m_series.find(labels);
    if (found == m_series.end())
        return result;
    std::uint64_t running = 0;
    for (std::size_t index = 0; index < found->second.cumulativeCounts.size(); ++index) {
        running += found->second.cumulativeCounts[index];
        result.cumulativeCounts[index] = running;
    }
    result.sum = found->second.sum;
    result.count = found->second.count;
    return result;
}

void Histogram::writeSamples(std::string &out) const
{
    std::lock_guard lock(m_mutex);
    for (const auto &[labels, series] : m_series) {
        std::uint64_t running = 0;
        for (std::size_t index = 0; index < series.cumulativeCounts.size(); ++index) {
            running += series.cumulativeCounts[index];
            const std::string bound =
                index < m_upperBounds.size() ? formatSampleValue(m_upperBounds[index]) : std::string("+Inf");
            writeSample(out, "_bucket", labels, static_cast<double>(running), "le", bound);
        }
        writeSample(out, "_sum", labels, series.sum);
        writeSample(out, "_count", labels, static_cast<double>(series.count));
    }
}

// ---- MetricsRegistry ----

template <typename Family, typename... Arguments>
Family &MetricsRegistry::add(std::string name, Arguments &&...arguments)
{
    std::lock_guard lock(m_mutex);
    for (const auto &family : m_families) {
        if (family->name() == name)
            throw std::invalid_argument("metric '" + name + "' registered twice");
    }
    auto family = std::make_unique<Family>(std::move(name), std::forward<Arguments>(arguments)...);
    Family &reference = *family;
    m_families.push_back(std::move(family));
    return reference;
}

Counter &MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> labelNames)
{
    return add<Counter>(std::move(name), std::move(help), std::move(labelNames), *this);
}

Gauge &MetricsRegistry::gauge(std::string name, std::string help, std::vector<std::string> labelNames)
{
    return add<Gauge>(std::move(name), std::move(help), std::move(labelNames), *this);
}

CallbackGauge &MetricsRegistry::callbackGauge(std::string name, std::string help, std::vector<std::string> labelNames,
                                              CallbackGauge::Source source)
{
    return add<CallbackGauge>(std::move(name), std::move(help), std::move(labelNames), *this, std::move(source));
}

Histogram &MetricsRegistry::histogram(std::string name, std::string help, std::vector<std::string> labelNames,
                                      std::vector<double> upperBounds)
{
    return add<Histogram>(std::move(name), std::move(help), std::move(labelNames), *this, std::move(upperBounds));
}

std::string MetricsRegistry::exposition() const
{
    std::vector<const MetricFamily *> families;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &family : m_families)
            families.push_back(family.get());
    }
    std::string out;
    for (const MetricFamily *family : families) {
        out += "# HELP " + family->m_name + " " + escapeHelp(family->m_help) + "\n";
        out += "# TYPE " + family->m_name + " " + std::string(family->typeName()) + "\n";
        family->writeSamples(out);
    }
    return out;
}

} // namespace Server::Ops
