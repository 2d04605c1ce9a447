// Chart.js charts (the UMD build served from /vendor, a global "Chart"). Live points are batched: however
// many metrics arrive, each chart is redrawn at most once per 100 ms, and only the last N points are kept so
// a page left open all day does not grow. The time axis is a linear axis of epoch milliseconds with our own
// labels, so no date adapter is needed.

import { capPoints, createBatcher, formatNumber, formatTime, sourceBucket, toMillis } from './utils.js';

export const SOURCE_KEYS = ['proxy', 'logs', 'compilechat', 'error'];

const COLORS = {
    prompt: 'rgb(37, 99, 235)',
    promptFill: 'rgba(37, 99, 235, 0.15)',
    completion: 'rgb(22, 163, 74)',
    completionFill: 'rgba(22, 163, 74, 0.15)',
    sources: ['rgba(37, 99, 235, 0.85)', 'rgba(22, 163, 74, 0.85)', 'rgba(147, 51, 234, 0.85)', 'rgba(220, 38, 38, 0.85)'],
    findings: 'rgba(234, 88, 12, 0.85)',
    fixes: 'rgba(22, 163, 74, 0.85)',
    series: ['rgb(37, 99, 235)', 'rgb(22, 163, 74)', 'rgb(234, 88, 12)', 'rgb(147, 51, 234)', 'rgb(220, 38, 38)'],
};

/** Chart points {x: epoch ms, y} for one request. */
export function requestPoints(request) {
    const x = toMillis(request.timestamp) ?? Date.now();
    return { x, prompt: request.prompt_tokens ?? 0, completion: request.completion_tokens ?? 0 };
}

export class ChartManager {
    constructor({ t, ChartImpl = globalThis.Chart, maxPoints = 200, intervalMs = 100 } = {}) {
        this.t = t;
        this.ChartImpl = ChartImpl;
        this.maxPoints = maxPoints;
        this.charts = new Map();
        this.sourceCounts = Object.fromEntries(SOURCE_KEYS.map((k) => [k, 0]));
        this.flushes = 0;
        this.batcher = createBatcher((batch) => this.flushRequests(batch), intervalMs);
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
            plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        };
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

    createTokenChart(canvas) {
        const lang = this.t.lang;
        return this.create('tokens', canvas, {
            type: 'line',
            data: {
                datasets: [
                    { label: this.t('chart.prompt'), data: [], borderColor: COLORS.prompt,
                        backgroundColor: COLORS.promptFill, fill: true, tension: 0.2, pointRadius: 2 },
                    { label: this.t('chart.completion'), data: [], borderColor: COLORS.completion,
                        backgroundColor: COLORS.completionFill, fill: true, tension: 0.2, pointRadius: 2 },
                ],
            },
            options: {
                ...this.baseOptions(),
                parsing: false,
                normalized: true,
                scales: {
                    x: {
                        type: 'linear',
                        title: { display: false, text: this.t('chart.time') },
                        ticks: {
                            maxTicksLimit: 6,
                            // Over a few seconds several ticks fall in the same second: label only the first.
                            callback: (value, index, ticks) => {
                                const label = formatTime(value, lang);
                                return index > 0 && formatTime(ticks[index - 1].value, lang) === label ? '' : label;
                            },
                        },
                    },
                    y: { beginAtZero: true, suggestedMax: 10, ticks: { precision: 0, callback: (value) => formatNumber(value, lang) } },
                },
                plugins: {
                    ...this.baseOptions().plugins,
                    tooltip: {
                        callbacks: {
                            title: (items) => (items.length ? formatTime(items[0].parsed.x, lang) : ''),
                            label: (item) => `${item.dataset.label} : ${formatNumber(item.parsed.y, lang)}`,
                        },
                    },
                },
            },
        });
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

    /** Redraws the request charts from a full list (init, or another session became active). */
    resetRequests(requests) {
        this.batcher.cancel();
        const tokens = this.charts.get('tokens');
        const ordered = [...requests].sort((a, b) => (toMillis(a.timestamp) ?? 0) - (toMillis(b.timestamp) ?? 0));
        for (const key of SOURCE_KEYS) {
            this.sourceCounts[key] = 0;
        }
        if (tokens) {
            tokens.data.datasets[0].data = [];
            tokens.data.datasets[1].data = [];
        }
        this.applyRequests(ordered);
        this.redraw();
    }

    /** Queues one live request; charts are redrawn by the batcher, at most once per interval. */
    addRequest(request) {
        this.batcher.add(request);
    }

    flushRequests(batch) {
        this.applyRequests(batch);
        this.redraw();
    }

    applyRequests(requests) {
        const tokens = this.charts.get('tokens');
        for (const r of requests) {
            const p = requestPoints(r);
            if (tokens) {
                tokens.data.datasets[0].data.push({ x: p.x, y: p.prompt });
                tokens.data.datasets[1].data.push({ x: p.x, y: p.completion });
            }
            this.sourceCounts[sourceBucket(r)] += 1;
        }
        if (tokens) {
            capPoints(tokens.data.datasets[0].data, this.maxPoints);
            capPoints(tokens.data.datasets[1].data, this.maxPoints);
        }
    }

    redraw() {
        this.flushes += 1;
        const tokens = this.charts.get('tokens');
        if (tokens) {
            // With no points show the last five minutes, and at least one minute around a few points, rather
            // than a span Chart.js makes up (one point alone gets hours of axis).
            const x = tokens.options.scales.x;
            const points = tokens.data.datasets[0].data;
            if (points.length === 0) {
                x.min = Date.now() - 5 * 60000;
                x.max = Date.now();
            } else {
                const first = points[0].x;
                const last = points[points.length - 1].x;
                const narrow = last - first < 60000;
                x.min = narrow ? last - 60000 : undefined;
                x.max = narrow ? last + 5000 : undefined;
            }
            tokens.update('none');
        }
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
