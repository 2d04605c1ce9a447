// Sessions: the active session's live state (pure, fed by init/metric/session messages) and the sessions
// panel (paged list, create, activate, delete with confirmation, export, details).

import { EventBus, formatCost, formatDateTime, formatDuration, formatNumber, formatPercent, toMillis } from './utils.js';
import { el, errorPanel } from './ui.js';
import { restoreFocus } from './modals.js';
import { pageCount, pageLine, renderPager } from './pager.js';

/** Builds the request-table row shape from a live "metric" message's data. */
export function requestFromMetric(m) {
    return {
        request_id: m.request_id,
        session_id: m.session_id,
        timestamp: m.timestamp,
        provider: m.provider,
        model: m.model,
        status: m.status,
        prompt_tokens: m.prompt_tokens,
        completion_tokens: m.completion_tokens,
        total_tokens: m.total_tokens,
        cached_tokens: m.cached_tokens,
        estimated_prompt_tokens: m.estimated_prompt_tokens,
        estimated_completion_tokens: m.estimated_completion_tokens,
        usage_source: m.usage_source,
        cost_usd: m.cost_usd,
        latency_ms: m.latency_ms,
        ttft_ms: m.ttft_ms,
        source: m.source,
    };
}

/** The active proxy session as the page knows it. No DOM: unit-tested in Node. */
export class SessionState {
    constructor({ maxRequests = 50 } = {}) {
        this.maxRequests = maxRequests;
        this.active = null;
        this.thresholds = { warning: 70, high: 85, critical: 95 };
        this.requests = [];
    }

    /** The newest request of the active session, for the estimate marker. */
    get lastRequest() {
        return this.requests[0] ?? null;
    }

    applyInit(data) {
        if (data?.thresholds) {
            this.thresholds = { ...this.thresholds, ...data.thresholds };
        }
        this.setActive(data?.active_session ?? null, data?.recent_requests ?? []);
    }

    /** Replaces the active session (and its requests, newest first). */
    setActive(session, requests = []) {
        this.active = session ? { ...session } : null;
        const own = session ? requests.filter((r) => !r.session_id || r.session_id === session.session_id) : [];
        this.requests = own.sort((a, b) => (toMillis(b.timestamp) ?? 0) - (toMillis(a.timestamp) ?? 0));
        this.requests.splice(this.maxRequests);
    }

    /**
     * Takes the server's view of the active session (GET /api/sessions/active) without losing what live
     * messages already brought: the server records requests asynchronously, so a request pushed as a metric
     * a moment ago may not be in its answer yet.
     */
    mergeActive(session, requests = []) {
        const previous = this.active;
        const same = Boolean(previous && session && previous.session_id === session.session_id);
        const fetchedIds = new Set(requests.map((r) => r.request_id));
        const live = same ? this.requests.filter((r) => !fetchedIds.has(r.request_id)) : [];
        this.setActive(session, [...requests, ...live]);
        if (same && (previous.totals?.requests ?? 0) > (session.totals?.requests ?? 0)) {
            this.active.totals = previous.totals;
            this.active.context = previous.context;
        }
    }

    /**
     * Folds a live metric in. Returns "same" when it belongs to the active session, "switched" when the server
     * moved to another session (the caller then reloads /api/sessions/active), "other" for a session that is
     * not the active one (a client's X-Session-Id).
     */
    applyMetric(m) {
        if (!this.active) {
            this.active = {
                session_id: m.session_id, name: null, provider: m.provider, model: m.model,
                context_window: m.context_window, totals: {}, context: {},
            };
            this.requests = [];
            this.foldMetric(m);
            return 'switched';
        }
        if (m.session_id !== this.active.session_id) {
            return 'other';
        }
        this.foldMetric(m);
        return 'same';
    }

    foldMetric(m) {
        const a = this.active;
        const totals = { requests: 0, failed_requests: 0, prompt_tokens: 0, completion_tokens: 0, ...a.totals };
        totals.requests += 1;
        if (m.status && m.status !== 'success') {
            totals.failed_requests += 1;
        }
        totals.prompt_tokens += m.prompt_tokens ?? 0;
        totals.completion_tokens += m.completion_tokens ?? 0;
        totals.total_tokens = m.session_total_tokens ?? (totals.prompt_tokens + totals.completion_tokens);
        totals.cost_usd = m.session_cost_usd ?? totals.cost_usd;
        a.totals = totals;
        if (Number.isFinite(m.context_tokens)) {
            a.context = {
                tokens: m.context_tokens, window: m.context_window ?? a.context_window,
                percent: m.context_percent, level: m.level,
            };
        }
        a.model = m.model ?? a.model;
        a.provider = m.provider ?? a.provider;
        a.context_window = m.context_window ?? a.context_window;
        this.requests.unshift(requestFromMetric(m));
        if (this.requests.length > this.maxRequests) {
            this.requests.splice(this.maxRequests);
        }
    }

    /**
     * Folds a "session" message in. Returns "reload" when the active session changed to one whose requests the
     * page does not have, "cleared" when the active session was deleted, "updated" when only fields of the
     * active session changed, or "none".
     */
    applySessionMessage(message) {
        const s = message?.data;
        if (!s || s.kind === 'convergence') {
            return 'none';
        }
        const action = message.action;
        if (action === 'deleted') {
            if (this.active && s.session_id === this.active.session_id) {
                // No session is active any more: nothing to fetch, just draw the empty state.
                this.setActive(null);
                return 'cleared';
            }
            return 'none';
        }
        if (s.active && (!this.active || s.session_id !== this.active.session_id)) {
            this.setActive(s, []);
            return 'reload';
        }
        if (this.active && s.session_id === this.active.session_id) {
            const keepContext = this.active.context;
            this.active = { ...this.active, ...s };
            if (!s.context && keepContext) {
                this.active.context = keepContext;
            }
            if (s.active === false) {
                return 'reload';
            }
            return 'updated';
        }
        return 'none';
    }
}

/** The Sessions view: list with paging and filter, create form, and per-row actions. */
export class SessionsPanel {
    constructor({ root, api, t, modals, notifier, bus = EventBus, limit = 10 }) {
        this.root = root;
        this.api = api;
        this.t = t;
        this.modals = modals;
        this.notifier = notifier;
        this.bus = bus;
        this.limit = limit;
        this.offset = 0;
        this.kind = '';
        this.total = 0;
        this.loading = null;
        this.list = root.querySelector('#sessions-list');
        this.pager = root.querySelector('#sessions-pager');
        this.form = root.querySelector('#session-form');
        this.modelSelect = root.querySelector('#session-model-select');
        root.querySelector('#sessions-kind').addEventListener('change', (e) => {
            this.kind = e.target.value;
            this.offset = 0;
            this.load();
        });
        root.querySelector('#sessions-refresh').addEventListener('click', () => this.load());
        this.form.addEventListener('submit', (e) => {
            e.preventDefault();
            this.create();
        });
        this.modelsLoaded = false;
    }

    async loadModels() {
        if (this.modelsLoaded) {
            return;
        }
        try {
            const body = await this.api.models();
            const models = Array.isArray(body) ? body : (body?.models ?? body?.data ?? []);
            const options = models.map((m) => el('option', { value: m.key ?? m.id }, m.key ?? m.id));
            this.modelSelect.replaceChildren(el('option', { value: '' }, this.t('sessions.modelDefault')), ...options);
            this.modelsLoaded = true;
        } catch (error) {
            // The form still works with the default model; say why the list is short.
            this.notifier.show(this.t('error.load', { message: error.message }), { type: 'error' });
        }
    }

    async load() {
        const request = this.api.listSessions({ limit: this.limit, offset: this.offset, kind: this.kind || null });
        this.loading = request;
        this.list.setAttribute('aria-busy', 'true');
        try {
            const page = await request;
            if (this.loading !== request) {
                return;
            }
            this.total = page.total ?? 0;
            if (page.sessions.length === 0 && this.offset > 0 && this.total > 0) {
                this.offset = Math.max(0, (pageCount(this.total, this.limit) - 1) * this.limit);
                this.load();
                return;
            }
            // Live updates reload the list often; redraw only when something shown changed.
            const signature = JSON.stringify([this.offset, this.total, page.sessions]);
            if (signature !== this.lastSignature) {
                this.lastSignature = signature;
                this.render(page.sessions);
            }
        } catch (error) {
            this.lastSignature = null;
            this.list.replaceChildren(errorPanel(this.t, error, () => this.load()));
            this.pager.replaceChildren();
        } finally {
            if (this.loading === request) {
                this.list.removeAttribute('aria-busy');
            }
        }
    }

    render(sessions) {
        const t = this.t;
        // A live refresh redraws the rows: keep the keyboard focus on the same button.
        const focused = this.root.contains(document.activeElement) ? document.activeElement : null;
        if (sessions.length === 0) {
            this.list.replaceChildren(el('p', { class: 'muted' }, t('sessions.empty')));
        } else {
            const head = el('thead', {}, el('tr', {},
                ['sessions.name', 'sessions.kind', 'sessions.status', 'sessions.start', 'sessions.tokens',
                    'sessions.cost', 'sessions.actions'].map((k) => el('th', { scope: 'col' }, t(k)))));
            const body = el('tbody', {}, sessions.map((s) => this.row(s)));
            this.list.replaceChildren(el('div', { class: 'table-wrap' },
                el('table', { class: 'table', id: 'sessions-table' }, head, body)));
        }
        renderPager(this.pager, {
            t, name: 'sessions', total: this.total, limit: this.limit, offset: this.offset,
            pageText: pageLine(t, 'sessions.page'),
            onOffset: (offset) => {
                this.offset = offset;
                this.load();
            },
        });
        if (focused && !focused.isConnected) {
            restoreFocus(focused);
        }
    }

    displayName(s) {
        return s.name || s.target || this.t('session.unnamed');
    }

    row(s) {
        const t = this.t;
        const name = this.displayName(s);
        const actions = el('div', { class: 'row-actions' });
        if (s.kind === 'proxy' && !s.active) {
            actions.append(el('button', {
                type: 'button', class: 'btn btn-small', dataset: { action: 'activate', focusKey: `${s.session_id}:activate` },
                onclick: () => this.activate(s),
            }, t('sessions.activate')));
        }
        actions.append(el('button', {
            type: 'button', class: 'btn btn-small', dataset: { action: 'details', focusKey: `${s.session_id}:details` },
            onclick: () => this.details(s),
        }, t('sessions.details')));
        for (const format of ['csv', 'json']) {
            actions.append(el('button', {
                type: 'button', class: 'btn btn-small',
                dataset: { action: `export-${format}`, focusKey: `${s.session_id}:export-${format}` },
                'aria-label': t('sessions.exportLabel', { name, format: format.toUpperCase() }),
                onclick: () => this.exportSession(s, format),
            }, t(format === 'csv' ? 'sessions.exportCsv' : 'sessions.exportJson')));
        }
        actions.append(el('button', {
            type: 'button', class: 'btn btn-small btn-danger',
            dataset: { action: 'delete', focusKey: `${s.session_id}:delete` },
            onclick: () => this.remove(s),
        }, t('sessions.delete')));
        const tokens = s.totals ? formatNumber(s.totals.total_tokens, t.lang) : '—';
        const cost = s.totals ? formatCost(s.totals.cost_usd, t.lang) : '—';
        return el('tr', { dataset: { sessionId: s.session_id, kind: s.kind } },
            el('td', {}, el('span', { class: 'session-name' }, name),
                s.active ? el('span', { class: 'badge badge-active' }, t('sessions.active')) : null),
            el('td', {}, t(`kind.${s.kind}`)),
            el('td', {}, el('span', { class: `badge session-${s.status}` }, t(`sessionStatus.${s.status}`))),
            el('td', {}, formatDateTime(s.start_time, t.lang)),
            el('td', { class: 'num' }, tokens),
            el('td', { class: 'num' }, cost),
            el('td', {}, actions));
    }

    async create() {
        const data = new FormData(this.form);
        const name = String(data.get('name') ?? '').trim();
        const model = String(data.get('model') ?? '');
        const button = this.form.querySelector('button[type="submit"]');
        button.disabled = true;
        try {
            const session = await this.api.createSession({ name, model });
            this.form.reset();
            this.notifier.show(this.t('sessions.created', { name: this.displayName(session) }), { type: 'success' });
            this.offset = 0;
            this.bus.emit('sessions:changed', session);
            await this.load();
        } catch (error) {
            this.notifier.show(this.t('error.http', { status: error.status || '—', message: error.message }),
                { type: 'error' });
        } finally {
            button.disabled = false;
        }
    }

    async activate(s) {
        try {
            const session = await this.api.activateSession(s.session_id);
            this.notifier.show(this.t('sessions.activated', { name: this.displayName(session ?? s) }),
                { type: 'success' });
            this.bus.emit('sessions:changed', session);
            await this.load();
        } catch (error) {
            this.notifier.show(this.t('error.http', { status: error.status || '—', message: error.message }),
                { type: 'error' });
        }
    }

    async remove(s) {
        const name = this.displayName(s);
        const confirmed = await this.modals.confirm({
            title: this.t('sessions.confirmTitle'),
            message: this.t('sessions.confirmDelete', { name }),
            confirmLabel: this.t('sessions.delete'),
            danger: true,
        });
        if (!confirmed) {
            return;
        }
        try {
            await this.api.deleteSession(s.session_id);
            this.notifier.show(this.t('sessions.deleted', { name }), { type: 'success' });
            this.bus.emit('sessions:deleted', s.session_id);
            await this.load();
        } catch (error) {
            this.notifier.show(this.t('error.http', { status: error.status || '—', message: error.message }),
                { type: 'error' });
        }
    }

    async exportSession(s, format) {
        try {
            const { blob, filename } = await this.api.download(format, s.session_id);
            const url = URL.createObjectURL(blob);
            const link = el('a', { href: url, download: filename, hidden: true });
            document.body.append(link);
            link.click();
            link.remove();
            setTimeout(() => URL.revokeObjectURL(url), 10000);
        } catch (error) {
            this.notifier.show(this.t('error.http', { status: error.status || '—', message: error.message }),
                { type: 'error' });
        }
    }

    async details(s) {
        const t = this.t;
        const content = el('div', { class: 'details' }, el('p', { class: 'muted' }, t('common.loading')));
        const shown = this.modals.open({ id: 'details-modal', title: t('details.title'), content });
        try {
            const [session, metrics] = await Promise.all([
                this.api.getSession(s.session_id),
                this.api.sessionMetrics(s.session_id).catch(() => null),
            ]);
            content.replaceChildren(detailsList(t, session, metrics));
        } catch (error) {
            content.replaceChildren(errorPanel(t, error, null));
        }
        return shown;
    }
}

/** A convergence state's label; unknown states are shown as they are. */
export function stateLabel(t, state) {
    return t.has(`state.${state}`) ? t(`state.${state}`) : String(state);
}

function detailsList(t, s, m) {
    const rows = [
        ['sessions.name', s.name || s.target || t('session.unnamed')],
        ['details.id', s.session_id],
        ['details.kind', t(`kind.${s.kind}`)],
        ['details.status', t(`sessionStatus.${s.status}`)],
        ['details.start', formatDateTime(s.start_time, t.lang)],
        ['details.end', s.end_time ? formatDateTime(s.end_time, t.lang) : '—'],
    ];
    if (s.kind === 'proxy') {
        const totals = s.totals ?? {};
        rows.push(
            ['details.provider', s.provider ?? '—'],
            ['details.model', s.model ?? '—'],
            ['details.window', formatNumber(s.context_window, t.lang)],
            ['details.requests', `${formatNumber(totals.requests, t.lang)} (${t('stats.failed', {
                count: formatNumber(totals.failed_requests ?? 0, t.lang) })})`],
            ['details.tokens', `${formatNumber(totals.prompt_tokens, t.lang)} / ${formatNumber(totals.completion_tokens, t.lang)}`],
            ['details.cost', formatCost(totals.cost_usd, t.lang)],
            ['details.context', s.context ? `${formatPercent(s.context.percent, t.lang)} (${formatNumber(s.context.tokens, t.lang)})` : '—'],
        );
        if (m?.latency_ms) {
            rows.push(['details.latency', [m.latency_ms.p50, m.latency_ms.p90, m.latency_ms.p99]
                .map((v) => formatDuration(v, t.lang)).join(' / ')]);
        }
        if (m?.estimate_accuracy) {
            const a = m.estimate_accuracy;
            const errors = [a.prompt_mean_abs_error_percent, a.completion_mean_abs_error_percent]
                .map((v) => (v === null || v === undefined ? '—' : `${formatNumber(v, t.lang, 1)} %`)).join(' / ');
            // The completion is counted locally only on a sample of the requests with reported usage.
            const sample = a.completion_sampled_requests;
            rows.push(['details.accuracy', sample === null || sample === undefined ? errors
                : `${errors} ${t.plural('details.accuracySample', sample, { count: formatNumber(sample, t.lang) })}`]);
        }
    } else {
        const metrics = s.metrics ?? {};
        rows.push(
            ['details.target', s.target ?? '—'],
            ['details.iterations', formatNumber(s.current_iteration, t.lang)],
            ['details.state', s.current_state ? stateLabel(t, s.current_state) : '—'],
            ['details.findings', [metrics.total_findings, metrics.total_fixes, metrics.total_vulnerabilities]
                .map((v) => formatNumber(v ?? 0, t.lang)).join(' / ')],
            ['details.tests', `${formatNumber(metrics.tests_passed ?? 0, t.lang)} / ${formatNumber(metrics.tests_failed ?? 0, t.lang)}`],
        );
    }
    return el('dl', { class: 'details-list' }, rows.flatMap(([key, value]) => [el('dt', {}, t(key)), el('dd', {}, value)]));
}
