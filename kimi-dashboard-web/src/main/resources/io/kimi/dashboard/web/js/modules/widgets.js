// Custom widgets registered on the server, rendered generically from their JSON state: "counter", "table"
// and "chart" (anything else is shown as raw JSON). GET /api/widgets lists them; "widget" WebSocket messages
// ({"type":"widget","data":{"name","state"}}) update one. A server without widgets answers 404: that is
// "no widgets", not an error.

import { EventBus, formatNumber } from './utils.js';
import { el, errorPanel } from './ui.js';

/** One widget from the listing, whatever its exact shape: {name, title, type, state}. */
export function normalizeWidget(item, fallbackName = 'widget') {
    const raw = item ?? {};
    const name = String(raw.name ?? raw.id ?? raw.key ?? fallbackName);
    const wrapped = raw.state && typeof raw.state === 'object';
    const state = wrapped ? raw.state : raw;
    // The server's view is {name, type, state}: its type wins over any "type" field inside the state.
    const type = String((wrapped ? raw.type ?? state.type : state.type ?? raw.type) ?? 'unknown').toLowerCase();
    const title = state.title ?? state.options?.title ?? raw.title ?? name;
    return { name, title: String(title), type, state };
}

/** The widget list from GET /api/widgets: an array, {widgets: [...]}, or an object keyed by name. */
export function normalizeWidgetList(body) {
    if (Array.isArray(body)) {
        return body.map((w, i) => normalizeWidget(w, `widget-${i + 1}`));
    }
    if (body && Array.isArray(body.widgets)) {
        return body.widgets.map((w, i) => normalizeWidget(w, `widget-${i + 1}`));
    }
    if (body && typeof body === 'object') {
        return Object.entries(body).map(([name, state]) => normalizeWidget({ name, state }));
    }
    return [];
}

/**
 * A chart state as Chart.js datasets: {labels, datasets: [{label, data}]} from
 * - {labels, datasets:[{label, data}]} or {labels, series:[...]},
 * - {data: [numbers]},
 * - {data: [objects], options: {x: "field", y: "field"}} (seed 002's custom chart).
 */
export function chartSpec(state) {
    const kind = state.chart_type ?? state.kind ?? state.options?.type ?? 'line';
    const sets = state.datasets ?? state.series;
    if (Array.isArray(sets)) {
        const labels = state.labels ?? (sets[0]?.data ?? []).map((_, i) => String(i + 1));
        return {
            kind, labels,
            datasets: sets.map((d, i) => ({ label: String(d.label ?? d.name ?? `#${i + 1}`), data: (d.data ?? []).map(Number) })),
        };
    }
    const data = Array.isArray(state.data) ? state.data : (Array.isArray(state.points) ? state.points : []);
    if (data.length > 0 && typeof data[0] === 'object' && data[0] !== null) {
        const xKey = state.options?.x ?? state.x ?? 'x';
        const yKey = state.options?.y ?? state.y ?? 'y';
        return {
            kind,
            labels: data.map((p) => String(p[xKey] ?? '')),
            datasets: [{ label: String(state.options?.label ?? yKey), data: data.map((p) => Number(p[yKey] ?? 0)) }],
        };
    }
    return {
        kind,
        labels: state.labels ?? data.map((_, i) => String(i + 1)),
        datasets: [{ label: String(state.label ?? state.options?.label ?? ''), data: data.map(Number) }],
    };
}

/** A table state as {columns, rows} of strings, from rows of arrays or of objects. */
export function tableSpec(state) {
    const rows = Array.isArray(state.rows) ? state.rows : (Array.isArray(state.data) ? state.data : []);
    let columns = Array.isArray(state.columns) ? state.columns.map((c) => (typeof c === 'object' ? (c.label ?? c.key) : c)) : null;
    const keys = Array.isArray(state.columns) ? state.columns.map((c) => (typeof c === 'object' ? c.key : c)) : null;
    if (rows.length > 0 && !Array.isArray(rows[0]) && typeof rows[0] === 'object') {
        const fields = keys ?? Object.keys(rows[0]);
        columns = columns ?? fields;
        return { columns: columns.map(String), rows: rows.map((r) => fields.map((f) => cell(r[f]))) };
    }
    return { columns: (columns ?? []).map(String), rows: rows.map((r) => (Array.isArray(r) ? r : [r]).map(cell)) };
}

function cell(value) {
    if (value === null || value === undefined) {
        return '';
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export class WidgetsPanel {
    constructor({ root, api, t, charts, bus = EventBus }) {
        this.root = root;
        this.api = api;
        this.t = t;
        this.charts = charts;
        this.widgets = new Map();
        this.grid = root.querySelector('#widgets-grid');
        this.message = root.querySelector('#widgets-message');
        this.loaded = false;
        bus.on('ws:widget', (m) => this.onMessage(m));
    }

    /** Loads the list once the view is first shown (a 404 is "no widgets"). */
    async load() {
        try {
            const body = await this.api.widgets();
            this.loaded = true;
            for (const w of normalizeWidgetList(body)) {
                this.upsert(w);
            }
            this.renderMessage();
        } catch (error) {
            if (error.status === 404) {
                this.loaded = true;
                this.renderMessage();
            } else {
                this.message.replaceChildren(errorPanel(this.t, error, () => this.load()));
            }
        }
    }

    onMessage(message) {
        const data = message?.data ?? {};
        if (!data.name) {
            return;
        }
        this.upsert(normalizeWidget(data));
        this.renderMessage();
    }

    renderMessage() {
        this.message.replaceChildren(this.widgets.size === 0 ? el('p', { class: 'muted' }, this.t('widgets.none')) : '');
    }

    upsert(widget) {
        const existing = this.widgets.get(widget.name);
        if (existing && existing.widget.type === widget.type && widget.type === 'chart') {
            const spec = chartSpec(widget.state);
            if (this.charts.updateWidgetChart(widget.name, spec)) {
                existing.widget = widget;
                existing.node.querySelector('h3').textContent = widget.title;
                return;
            }
        }
        const node = this.render(widget);
        if (existing) {
            this.charts.destroy(`widget:${widget.name}`);
            existing.node.replaceWith(node);
        } else {
            this.grid.append(node);
        }
        this.widgets.set(widget.name, { widget, node });
        if (widget.type === 'chart') {
            this.charts.createWidgetChart(widget.name, node.querySelector('canvas'), chartSpec(widget.state));
        }
    }

    render(widget) {
        const t = this.t;
        const card = el('article', { class: `card widget widget-${widget.type}`, dataset: { widget: widget.name, type: widget.type } },
            el('h3', {}, widget.title));
        const s = widget.state;
        if (widget.type === 'counter') {
            const value = Number(s.value ?? s.count ?? 0);
            card.append(el('p', { class: 'widget-value', dataset: { value: String(value) } },
                Number.isFinite(value) ? formatNumber(value, t.lang, Number.isInteger(value) ? 0 : 2) : String(s.value)),
            s.label || s.unit ? el('p', { class: 'muted' }, [s.label, s.unit].filter(Boolean).join(' ')) : null);
        } else if (widget.type === 'table') {
            const spec = tableSpec(s);
            card.append(spec.rows.length === 0 ? el('p', { class: 'muted' }, t('widgets.empty'))
                : el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
                    spec.columns.length ? el('thead', {}, el('tr', {}, spec.columns.map((c) => el('th', { scope: 'col' }, c)))) : null,
                    el('tbody', {}, spec.rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))))));
        } else if (widget.type === 'chart') {
            card.append(el('div', { class: 'chart-box chart-box-small' },
                el('canvas', { role: 'img', 'aria-label': widget.title })));
        } else {
            card.append(el('p', { class: 'muted' }, t('widgets.unknownType', { type: widget.type })),
                el('pre', { class: 'widget-raw' }, JSON.stringify(s, null, 2)));
        }
        return card;
    }
}
