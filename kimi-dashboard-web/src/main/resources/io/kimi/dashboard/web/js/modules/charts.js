// Chart.js charts (the UMD build served from /vendor, a global "Chart"). Live points are batched: however
// many metrics arrive, each chart is redrawn at most once per 100 ms. The token chart has two modes (see
// tokenSeries.js): per request (the last N, evenly spaced) and per minute (sums, pauses as zeros); both use a
// category axis with our own labels, so no date adapter is needed.

import { createBatcher, formatMinute, formatNumber, formatTime, sourceBucket } from './utils.js';
import { TOKEN_MODES, TokenSeries } from './tokenSeries.js';

export const SOURCE_KEYS = ['proxy', 'logs', 'compilechat', 'error'];

const COLORS = {
    promptBar: 'rgba(37, 99, 235, 0.8)',
    completionBar: 'rgba(22, 163, 74, 0.8)',
    sources: ['rgba(37, 99, 235, 0.85)', 'rgba(22, 163, 74, 0.85)', 'rgba(147, 51, 234, 0.85)', 'rgba(220, 38, 38, 0.85)'],
    findings: 'rgba(234, 88, 12, 0.85)',
    fixes: 'rgba(22, 163, 74, 0.85)',
    series: ['rgb(37, 99, 235)', 'rgb(22, 163, 74)', 'rgb(234, 88, 12)', 'rgb(147, 51, 234)', 'rgb(220, 38, 38)'],
};

export class ChartManager {
    /**
     * @param {object} options t, ChartImpl (Chart.js), maxPoints (requests in the per-request mode), maxMinutes
     *                 (minutes in the per-minute mode), intervalMs (live redraws at most this often)
     */
    constructor({ t, ChartImpl = globalThis.Chart, maxPoints = 50, maxMinutes = 60, intervalMs = 100 } = {}) {
        this.t = t;
        this.ChartImpl = ChartImpl;
        this.maxPoints = maxPoints;
        this.maxMinutes = maxMinutes;
        this.series = new TokenSeries({ maxRequests: maxPoints, maxMinutes });
        this.tokenMode = 'request';
        this.tokenCanvas = null;
        this.minuteTimer = null;
        this.charts = new Map();
        this.sourceCounts = Object.fromEntries(SOURCE_KEYS.map((k) => [k, 0]));
        this.flushes = 0;
        this.batcher = createBatcher((batch) => this.flushRequests(batch), intervalMs);
        this.narrow = typeof globalThis.matchMedia === 'function' ? globalThis.matchMedia('(max-width: 767.98px)') : null;
        this.narrow?.addEventListener('change', () => this.fitLegends());
    }

    get available() {
        return typeof this.ChartImpl === 'function';
    }

    /** Replaces the canvas with a sentence when Chart.js is missing, so the panel is never blank. */
    fallback(canvas) {
        const note = document.createElement('p');
        note.className = 'muted';
        note.textContent = this.t('chart.noChart');
        canvas.replaceWith(note);
        return null;
    }

    baseOptions() {
        return {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            interaction: { mode: 'nearest', intersect: false },
            plugins: { legend: { position: 'bottom', labels: this.legendLabels() } },
        };
    }

    /** Legend entries: compact on a narrow screen (below 768 px), as on seed 000's page. */
    legendLabels() {
        return this.narrow?.matches
            ? { boxWidth: 8, boxHeight: 8, padding: 6, font: { size: 10 } }
            : { boxWidth: 12, padding: 10, font: { size: 12 } };
    }

    /** Applies the legend size of the screen's width to every chart (the media query changed). */
    fitLegends() {
        for (const chart of this.charts.values()) {
            if (chart.options?.plugins?.legend) {
                chart.options.plugins.legend.labels = this.legendLabels();
                chart.update('none');
            }
        }
    }

    create(id, canvas, config) {
        if (!canvas) {
            return null;
        }
        if (!this.available) {
            return this.fallback(canvas);
        }
        this.charts.get(id)?.destroy();
        const chart = new this.ChartImpl(canvas, config);
        this.charts.set(id, chart);
        return chart;
    }

    /** The token chart in a mode ("request" or "minute"; the current one if left out). */
    createTokenChart(canvas, { mode = this.tokenMode } = {}) {
        this.tokenCanvas = canvas;
        this.tokenMode = TOKEN_MODES.includes(mode) ? mode : 'request';
        const chart = this.create('tokens', canvas, this.tokenConfig(this.tokenMode));
        if (chart) {
            canvas.dataset.mode = this.tokenMode;
            this.fillTokens();
        }
        this.scheduleMinuteTick();
        return chart;
    }

    /** Switches the token chart between per request and per minute (a new chart: other labels, other bars). */
    setTokenMode(mode) {
        if (!TOKEN_MODES.includes(mode) || mode === this.tokenMode) {
            return false;
        }
        this.tokenMode = mode;
        if (this.tokenCanvas?.isConnected) {
            this.createTokenChart(this.tokenCanvas, { mode });
        }
        this.scheduleMinuteTick();
        return true;
    }

    tokenConfig(mode) {
        const lang = this.t.lang;
        const perMinute = mode === 'minute';
        const label = perMinute ? (ms) => formatMinute(ms, lang) : (ms) => formatTime(ms, lang);
        // Stacked bars: the height is the request's (or the minute's) total, split into prompt and completion.
        // Per minute the bars touch, as in a histogram.
        const shape = perMinute ? { categoryPercentage: 1, barPercentage: 0.92 } : { maxBarThickness: 48 };
        const datasets = [
            { label: this.t('chart.prompt'), data: [], backgroundColor: COLORS.promptBar, stack: 'tokens', ...shape },
            { label: this.t('chart.completion'), data: [], backgroundColor: COLORS.completionBar, stack: 'tokens',
                ...shape },
        ];
        return {
            type: 'bar',
            data: { labels: [], datasets },
            options: {
                ...this.baseOptions(),
                interaction: { mode: 'index', intersect: false },
                scales: {
                    x: {
                        type: 'category',
                        stacked: true,
                        title: { display: false, text: this.t(perMinute ? 'chart.minute' : 'chart.time') },
                        ticks: {
                            maxRotation: 0,
                            autoSkip: true,
                            maxTicksLimit: 6,
                            // The labels are epoch milliseconds; the axis shows them as times of day.
                            callback(value) {
                                return label(this.getLabelForValue(value));
                            },
                        },
                    },
                    y: {
                        beginAtZero: true, stacked: true, suggestedMax: 10,
                        ticks: { precision: 0, callback: (value) => formatNumber(value, lang) },
                    },
                },
                plugins: {
                    ...this.baseOptions().plugins,
                    tooltip: {
                        callbacks: {
                            title: (items) => (items.length ? label(items[0].chart.data.labels[items[0].dataIndex]) : ''),
                            label: (item) => `${item.dataset.label} : ${formatNumber(item.parsed.y, lang)}`,
                        },
                    },
                },
            },
        };
    }

    /** Puts the series of the current mode into the token chart. */
    fillTokens() {
        const chart = this.charts.get('tokens');
        if (!chart) {
            return;
        }
        const s = this.tokenMode === 'minute' ? this.series.perMinute(Date.now()) : this.series.perRequest();
        chart.data.labels = s.labels;
        chart.data.datasets[0].data = s.prompt;
        chart.data.datasets[1].data = s.completion;
        chart.update('none');
    }

    /** Per minute, the chart moves on at each new minute even with no request (a pause shows as zeros). */
    scheduleMinuteTick() {
        if (this.minuteTimer !== null) {
            clearTimeout(this.minuteTimer);
            this.minuteTimer = null;
        }
        if (this.tokenMode !== 'minute' || !this.charts.has('tokens')) {
            return;
        }
        const wait = 60000 - (Date.now() % 60000) + 50;
        this.minuteTimer = setTimeout(() => {
            this.minuteTimer = null;
            this.fillTokens();
            this.scheduleMinuteTick();
        }, wait);
    }

    createSourceChart(canvas) {
        return this.create('sources', canvas, {
            type: 'doughnut',
            data: {
                labels: SOURCE_KEYS.map((k) => this.t(`source.${k}`)),
                datasets: [{ data: SOURCE_KEYS.map((k) => this.sourceCounts[k]), backgroundColor: COLORS.sources }],
            },
            options: { ...this.baseOptions(), cutout: '60%' },
        });
    }

    createIterationChart(canvas) {
        return this.create('iterations', canvas, {
            type: 'bar',
            data: {
                labels: [],
                datasets: [
                    { label: this.t('conv.findings'), data: [], backgroundColor: COLORS.findings },
                    { label: this.t('conv.fixes'), data: [], backgroundColor: COLORS.fixes },
                ],
            },
            options: {
                ...this.baseOptions(),
                scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            },
        });
    }

    /**
     * Redraws the request charts from a full list (init, or another session became active). {@code truncated}:
     * the list is only the newest part of the session's requests.
     */
    resetRequests(requests, { truncated = false } = {}) {
        this.batcher.cancel();
        for (const key of SOURCE_KEYS) {
            this.sourceCounts[key] = 0;
        }
        this.series.reset(requests, { truncated });
        for (const r of requests) {
            this.sourceCounts[sourceBucket(r)] += 1;
        }
        this.redraw();
    }

    /** Queues one live request; charts are redrawn by the batcher, at most once per interval. */
    addRequest(request) {
        this.batcher.add(request);
    }

    flushRequests(batch) {
        for (const r of batch) {
            this.series.add(r);
            this.sourceCounts[sourceBucket(r)] += 1;
        }
        this.redraw();
    }

    redraw() {
        this.flushes += 1;
        this.fillTokens();
        const sources = this.charts.get('sources');
        if (sources) {
            sources.data.datasets[0].data = SOURCE_KEYS.map((k) => this.sourceCounts[k]);
            sources.update('none');
        }
    }

    /** Findings and fixes per iteration (element 0 is iteration 1). */
    setIterations(findings = [], fixes = []) {
        const chart = this.charts.get('iterations');
        if (!chart) {
            return;
        }
        const n = Math.max(findings.length, fixes.length);
        chart.data.labels = Array.from({ length: n }, (_, i) => String(i + 1));
        chart.data.datasets[0].data = Array.from({ length: n }, (_, i) => findings[i] ?? 0);
        chart.data.datasets[1].data = Array.from({ length: n }, (_, i) => fixes[i] ?? 0);
        chart.update('none');
    }

    /** A widget's chart: {labels, datasets:[{label, data}]} (already normalised by widgets.js). */
    createWidgetChart(id, canvas, spec) {
        const config = {
            type: spec.kind === 'bar' ? 'bar' : 'line',
            data: {
                labels: spec.labels,
                datasets: spec.datasets.map((d, i) => ({
                    label: d.label, data: d.data, borderColor: COLORS.series[i % COLORS.series.length],
                    backgroundColor: COLORS.series[i % COLORS.series.length], tension: 0.2, pointRadius: 2,
                })),
            },
            options: { ...this.baseOptions(), scales: { y: { beginAtZero: true } } },
        };
        return this.create(`widget:${id}`, canvas, config);
    }

    updateWidgetChart(id, spec) {
        const chart = this.charts.get(`widget:${id}`);
        if (!chart || chart.data.datasets.length !== spec.datasets.length) {
            return false;
        }
        chart.data.labels = spec.labels;
        spec.datasets.forEach((d, i) => {
            chart.data.datasets[i].data = d.data;
            chart.data.datasets[i].label = d.label;
        });
        chart.update('none');
        return true;
    }

    destroy(id) {
        this.charts.get(id)?.destroy();
        this.charts.delete(id);
    }
}
