// DOM helpers and the overview's rendering: element factory, DOM cache, tabs, connection indicator,
// notifications, the context gauge, stats and the recent-requests table. Text always goes in through
// textContent (never innerHTML), so names and messages from the server cannot inject markup.

import {
    EventBus, contextPercent, estimateGapPercent, formatCost, formatDuration, formatNumber, formatPercent,
    formatTime, gaugeLevel, sourceBucket,
} from './utils.js';

/** Creates an element: el('td', {class: 'num', dataset: {id: 1}}, 'text', childNode). */
export function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs ?? {})) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        if (key === 'class') {
            node.className = value;
        } else if (key === 'dataset') {
            Object.assign(node.dataset, value);
        } else if (key === 'text') {
            node.textContent = value;
        } else if (key.startsWith('on') && typeof value === 'function') {
            node.addEventListener(key.slice(2).toLowerCase(), value);
        } else if (value === true) {
            node.setAttribute(key, '');
        } else {
            node.setAttribute(key, String(value));
        }
    }
    for (const child of children.flat()) {
        if (child === null || child === undefined || child === false) {
            continue;
        }
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
}

/** Looks elements up by id once. */
export class DomCache {
    constructor(root = document) {
        this.root = root;
        this.cache = new Map();
    }

    get(id) {
        let node = this.cache.get(id);
        if (!node || !node.isConnected) {
            node = this.root.getElementById(id);
            if (node) {
                this.cache.set(id, node);
            }
        }
        return node;
    }
}

/** Accessible tabs (arrow keys, Home/End) that show one view at a time and follow the URL hash. */
export class Tabs {
    constructor(tablist, { bus = EventBus } = {}) {
        this.tablist = tablist;
        this.bus = bus;
        this.tabs = [...tablist.querySelectorAll('[role="tab"]')];
        this.tabs.forEach((tab) => {
            tab.addEventListener('click', () => this.select(tab.dataset.view, { focus: false, updateHash: true }));
            tab.addEventListener('keydown', (e) => this.onKey(e, tab));
        });
        window.addEventListener('hashchange', () => this.select(this.fromHash(), { focus: false }));
    }

    fromHash() {
        const view = window.location.hash.replace('#', '');
        return this.tabs.some((t) => t.dataset.view === view) ? view : this.tabs[0].dataset.view;
    }

    select(view, { focus = false, updateHash = false } = {}) {
        for (const tab of this.tabs) {
            const selected = tab.dataset.view === view;
            tab.setAttribute('aria-selected', String(selected));
            tab.tabIndex = selected ? 0 : -1;
            const panel = document.getElementById(tab.getAttribute('aria-controls'));
            if (panel) {
                panel.hidden = !selected;
            }
            if (selected) {
                this.reveal(tab);
            }
            if (selected && focus) {
                tab.focus();
            }
        }
        if (updateHash && window.location.hash !== `#${view}`) {
            history.replaceState(null, '', `${window.location.pathname}${window.location.search}#${view}`);
        }
        this.current = view;
        this.bus.emit('view:shown', view);
    }

    /** Shows the next or previous view ("next" / "previous"); nothing past the first or the last. */
    step(direction) {
        const i = this.tabs.findIndex((t) => t.dataset.view === this.current);
        const next = this.tabs[i + (direction === 'next' ? 1 : -1)];
        if (next) {
            this.select(next.dataset.view, { updateHash: true });
        }
        return Boolean(next);
    }

    /** Scrolls the strip (not the page) so a tab is in view, clear of the strip's edge shadows. */
    reveal(tab) {
        const strip = this.tablist.getBoundingClientRect();
        const box = tab.getBoundingClientRect();
        const margin = 24;
        if (box.left < strip.left + margin) {
            this.tablist.scrollLeft -= strip.left + margin - box.left;
        } else if (box.right > strip.right - margin) {
            this.tablist.scrollLeft += box.right - (strip.right - margin);
        }
    }

    onKey(e, tab) {
        const i = this.tabs.indexOf(tab);
        let next = null;
        if (e.key === 'ArrowRight') {
            next = this.tabs[(i + 1) % this.tabs.length];
        } else if (e.key === 'ArrowLeft') {
            next = this.tabs[(i - 1 + this.tabs.length) % this.tabs.length];
        } else if (e.key === 'Home') {
            next = this.tabs[0];
        } else if (e.key === 'End') {
            next = this.tabs[this.tabs.length - 1];
        }
        if (next) {
            e.preventDefault();
            this.select(next.dataset.view, { focus: true, updateHash: true });
        }
    }
}

/** Toasts in the corner: alerts and action results. Errors stay until closed; others go after a while. */
export class Notifier {
    constructor(container, t, { max = 5 } = {}) {
        this.container = container;
        this.t = t;
        this.max = max;
    }

    show(message, { type = 'info', title = null, durationMs = null } = {}) {
        const close = el('button', {
            type: 'button', class: 'notification-close', 'aria-label': this.t('notify.close'),
        }, '×');
        const node = el('div', {
            class: `notification notification-${type}`,
            role: type === 'error' || type === 'alert' ? 'alert' : 'status',
            dataset: { type },
        }, el('div', { class: 'notification-text' }, title ? el('strong', {}, title) : null, el('span', {}, message)),
        close);
        close.addEventListener('click', () => node.remove());
        this.container.prepend(node);
        while (this.container.children.length > this.max) {
            this.container.lastElementChild.remove();
        }
        const duration = durationMs ?? (type === 'error' || type === 'alert' ? 15000 : 5000);
        setTimeout(() => node.remove(), duration);
        return node;
    }
}

/** The connection pill in the header: colour, dot and a word (connecté / reconnexion… / hors ligne). */
export function renderConnection(dom, t, { state, retryInMs }) {
    const box = dom.get('connection');
    const label = dom.get('connection-label');
    if (!box || !label) {
        return;
    }
    box.dataset.state = state;
    label.textContent = t(`conn.${state}`);
    box.title = retryInMs ? t('conn.retryIn', { seconds: Math.max(1, Math.round(retryInMs / 1000)) }) : '';
}

/** "Label : valeur" in French (non-breaking space before the colon), "Label: value" in English. */
export function labelled(t, label, value) {
    return `${label}${t.lang === 'fr' ? '\u00a0: ' : ': '}${value}`;
}

/** Header: active session name, provider and model. */
export function renderSessionHeader(dom, t, session) {
    const name = dom.get('session-name');
    const provider = dom.get('session-provider');
    const model = dom.get('session-model');
    if (!session) {
        name.textContent = t('session.none');
        provider.textContent = '';
        model.textContent = '';
        dom.get('session-head').dataset.active = 'false';
        return;
    }
    dom.get('session-head').dataset.active = 'true';
    name.textContent = session.name || t('session.unnamed');
    provider.textContent = session.provider ? labelled(t, t('session.provider'), session.provider) : '';
    model.textContent = session.model ? labelled(t, t('session.model'), session.model) : '';
}

/**
 * The context gauge: fill bar, percentage, level word (colour is never the only signal), exact tokens,
 * threshold ticks, and where our own estimate would put the gauge next to the provider's count.
 */
export function renderGauge(dom, t, { session, thresholds, lastRequest }) {
    const gauge = dom.get('gauge');
    const context = session?.context ?? { tokens: 0, window: session?.context_window ?? 0, percent: 0 };
    const window = context.window || session?.context_window || 0;
    const percent = Number.isFinite(context.percent) ? context.percent : contextPercent(context.tokens, window);
    const level = gaugeLevel(percent, thresholds);
    gauge.dataset.level = level;
    gauge.dataset.percent = String(percent);
    const track = dom.get('gauge-track');
    track.setAttribute('aria-valuenow', String(Math.round(percent * 10) / 10));
    track.setAttribute('aria-valuetext', `${formatPercent(percent, t.lang)} – ${t(`gauge.level.${level}`)}`);
    dom.get('gauge-fill').style.width = `${Math.min(100, Math.max(0, percent))}%`;
    dom.get('gauge-percent').textContent = formatPercent(percent, t.lang);
    const levelBadge = dom.get('gauge-level');
    levelBadge.textContent = t(`gauge.level.${level}`);
    levelBadge.className = `badge level-${level}`;
    dom.get('gauge-tokens').textContent = session ? t('gauge.tokens', {
        tokens: formatNumber(context.tokens ?? 0, t.lang), window: formatNumber(window, t.lang),
    }) : '—';
    const limits = { warning: 70, high: 85, critical: 95, ...thresholds };
    for (const name of ['warning', 'high', 'critical']) {
        const tick = dom.get(`gauge-tick-${name}`);
        tick.style.left = `${Math.min(100, Math.max(0, limits[name]))}%`;
        tick.title = `${t(`gauge.level.${name}`)} : ${formatPercent(limits[name], t.lang, 0)}`;
    }
    dom.get('gauge-thresholds').textContent = t('gauge.thresholdLevels', {
        warning: formatPercent(limits.warning, t.lang, 0), high: formatPercent(limits.high, t.lang, 0),
        critical: formatPercent(limits.critical, t.lang, 0),
    });

    const source = dom.get('gauge-source');
    const marker = dom.get('gauge-marker');
    const estimateText = dom.get('gauge-estimate');
    if (lastRequest && lastRequest.session_id === session?.session_id) {
        const reported = lastRequest.usage_source !== 'estimated';
        source.textContent = reported ? t('gauge.reported') : t('gauge.estimated');
        source.dataset.source = reported ? 'reported' : 'estimated';
        // The completion is counted locally only on a sample of the replies with reported usage
        // (estimated_completion_tokens null otherwise): then only the prompts are compared.
        const completionEstimated = lastRequest.estimated_completion_tokens !== null
            && lastRequest.estimated_completion_tokens !== undefined;
        const estimated = (lastRequest.estimated_prompt_tokens ?? 0)
            + (completionEstimated ? lastRequest.estimated_completion_tokens : 0);
        const counted = (lastRequest.prompt_tokens ?? 0) + (completionEstimated ? (lastRequest.completion_tokens ?? 0) : 0);
        const gap = estimateGapPercent(estimated, counted);
        const estimatedPercent = contextPercent(estimated, window);
        marker.hidden = !(window > 0 && estimated > 0);
        marker.style.left = `${Math.min(100, estimatedPercent)}%`;
        const gapText = gap === null ? '—' : `${gap >= 0 ? '+' : ''}${formatNumber(gap, t.lang, 1)} %`;
        estimateText.textContent = t(completionEstimated ? 'gauge.estimateMarker' : 'gauge.estimatePromptMarker', {
            tokens: formatNumber(estimated, t.lang), gap: gapText,
        });
        marker.title = estimateText.textContent;
    } else {
        source.textContent = '';
        marker.hidden = true;
        estimateText.textContent = t('gauge.noEstimate');
    }
    return level;
}

/** Cost, total tokens and request counts of the active session. */
export function renderStats(dom, t, session) {
    const totals = session?.totals ?? {};
    dom.get('stat-cost').textContent = formatCost(totals.cost_usd ?? 0, t.lang);
    dom.get('stat-tokens').textContent = formatNumber(totals.total_tokens ?? 0, t.lang);
    dom.get('stat-requests').textContent = formatNumber(totals.requests ?? 0, t.lang);
    dom.get('stat-failed').textContent = totals.failed_requests
        ? t('stats.failed', { count: formatNumber(totals.failed_requests, t.lang) }) : '';
}

/** A status badge (text + colour). */
export function statusBadge(t, status) {
    const s = status || 'success';
    return el('span', { class: `badge status-${s}` }, t(`status.${s}`));
}

/** A source badge: Proxy, Logs, CompileChat or Erreur. */
export function sourceBadge(t, request) {
    const bucket = sourceBucket(request);
    return el('span', { class: `badge source-${bucket}` }, t(`source.${bucket}`));
}

/** Recent requests, newest first. */
export function renderRequests(dom, t, requests) {
    const body = dom.get('requests-body');
    const rows = requests.map((r) => el('tr', { dataset: { requestId: r.request_id ?? '' } },
        el('td', {}, formatTime(r.timestamp, t.lang)),
        el('td', {}, r.model ?? '—'),
        el('td', {}, statusBadge(t, r.status)),
        el('td', {}, sourceBadge(t, r)),
        el('td', { class: 'num' }, formatNumber(r.prompt_tokens, t.lang),
            r.usage_source === 'estimated' ? el('span', { class: 'muted' }, ` (${t('requests.estimated')})`) : null),
        el('td', { class: 'num' }, formatNumber(r.completion_tokens, t.lang)),
        el('td', { class: 'num' }, formatDuration(r.latency_ms, t.lang)),
        el('td', { class: 'num' }, formatCost(r.cost_usd, t.lang))));
    body.replaceChildren(...rows);
    dom.get('requests-empty').hidden = requests.length > 0;
}

/** A readable error in place of a panel's content, with a retry button. */
export function errorPanel(t, error, onRetry) {
    const message = error?.status
        ? t('error.http', { status: error.status, message: error.message })
        : t('error.network', { detail: error?.message ?? String(error) });
    return el('div', { class: 'panel-error', role: 'alert' },
        el('p', {}, t('error.load', { message })),
        onRetry ? el('button', { type: 'button', class: 'btn', onclick: onRetry }, t('error.retry')) : null);
}

/** localStorage, or null where the browser refuses it (private modes, storage off). */
export function pageStorage() {
    try {
        return window.localStorage ?? null;
    } catch (error) {
        console.warn('Stockage local indisponible : les préférences ne seront pas retenues.', error);
        return null;
    }
}

/**
 * The token chart's switch between « Par requête » and « Par minute »: radio buttons, the chart's title, and
 * the choice remembered in localStorage for the next visit.
 */
export class TokenModeSwitch {
    static KEY = 'kimi-dashboard.tokens-mode';

    constructor({ fieldset, title, charts, t, storage = pageStorage() }) {
        this.fieldset = fieldset;
        this.title = title;
        this.charts = charts;
        this.t = t;
        this.storage = storage;
        fieldset.addEventListener('change', (e) => {
            if (e.target?.name === 'tokens-mode') {
                this.select(e.target.value, { remember: true });
            }
        });
    }

    /** The remembered mode, else "request". */
    saved() {
        try {
            return this.storage?.getItem(TokenModeSwitch.KEY) === 'minute' ? 'minute' : 'request';
        } catch (error) {
            console.warn('Lecture du stockage local impossible.', error);
            return 'request';
        }
    }

    select(mode, { remember = false } = {}) {
        this.charts.setTokenMode(mode);
        const current = this.charts.tokenMode;
        for (const input of this.fieldset.querySelectorAll('input[name="tokens-mode"]')) {
            input.checked = input.value === current;
        }
        this.title.textContent = current === 'minute'
            ? this.t('chart.tokensPerMinute', { count: formatNumber(this.charts.maxMinutes, this.t.lang) })
            : this.t('chart.tokensPerRequest', { count: formatNumber(this.charts.maxPoints, this.t.lang) });
        if (remember) {
            try {
                this.storage?.setItem(TokenModeSwitch.KEY, current);
            } catch (error) {
                console.warn('Écriture du stockage local impossible.', error);
            }
        }
    }
}
