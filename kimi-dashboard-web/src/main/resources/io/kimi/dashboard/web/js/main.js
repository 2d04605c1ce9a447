// Entry point: builds the modules, connects them through the event bus, opens the one WebSocket.

import { EventBus, createBatcher, formatNumber, formatPercent, throttle } from './modules/utils.js';
import { applyTranslations, createTranslator, resolveLang } from './modules/i18n.js';
import { ApiClient } from './modules/api.js';
import { WebSocketManager, liveUrl } from './modules/websocket.js';
import { ChartManager } from './modules/charts.js';
import { SessionState, SessionsPanel } from './modules/sessions.js';
import {
    DomCache, Notifier, Tabs, TokenModeSwitch, labelled, renderConnection, renderGauge, renderRequests,
    renderSessionHeader, renderStats,
} from './modules/ui.js';
import { ModalManager } from './modules/modals.js';
import { CompactionAdvisor } from './modules/compaction.js';
import { ContextPanel } from './modules/context/panel.js';
import { formatSavings } from './modules/context.js';
import { ScrollCues } from './modules/scrollCue.js';
import { SwipeNavigation } from './modules/swipe.js';
import { LazyViews } from './modules/lazyViews.js';
import { HealthLine } from './modules/health.js';

function start() {
    const params = new URLSearchParams(window.location.search);
    const lang = resolveLang(window.location.search);
    const t = createTranslator(lang);
    document.documentElement.lang = lang;
    applyTranslations(document, t);
    document.title = t('app.title');

    const dom = new DomCache();
    const other = lang === 'fr' ? 'en' : 'fr';
    const switchParams = new URLSearchParams(params);
    switchParams.set('lang', other);
    const langLink = dom.get('lang-switch');
    langLink.href = `?${switchParams}`;
    langLink.hreflang = other;
    langLink.addEventListener('click', () => {
        langLink.href = `?${switchParams}${window.location.hash}`;
    });

    const token = params.get('token');
    const bus = EventBus;
    const api = new ApiClient({ token, bus });
    const notifier = new Notifier(dom.get('notifications'), t);
    const modals = new ModalManager(dom.get('modal-root'), t);
    const state = new SessionState({ maxRequests: 50 });
    const charts = new ChartManager({ t, maxPoints: state.maxRequests });
    const tokenMode = new TokenModeSwitch({
        fieldset: dom.get('tokens-mode'), title: dom.get('tokens-chart-title'), charts, t,
    });
    charts.createTokenChart(dom.get('tokens-chart'), { mode: tokenMode.saved() });
    tokenMode.select(charts.tokenMode);
    charts.createSourceChart(dom.get('sources-chart'));

    new CompactionAdvisor({
        advice: dom.get('compaction-advice'), text: dom.get('compaction-advice-text'),
        button: dom.get('compaction-advice-preview'), t, notifier, bus,
    });
    const context = new ContextPanel({
        root: dom.get('view-context'), api, t, modals, notifier, bus, sessionId: () => state.active?.session_id ?? null,
    });
    const sessions = new SessionsPanel({ root: dom.get('view-sessions'), api, t, modals, notifier, bus });
    // The convergence and widgets views load their module and data the first time they are shown.
    const lazy = new LazyViews({
        t,
        factories: {
            convergence: async () => {
                const { ConvergenceView } = await import('./modules/convergence.js');
                const view = new ConvergenceView({ root: dom.get('view-convergence'), api, t, charts, bus });
                view.loadList();
                return view;
            },
            widgets: async () => {
                const { WidgetsPanel } = await import('./modules/widgets.js');
                return new WidgetsPanel({ root: dom.get('view-widgets'), api, t, charts, bus });
            },
        },
        onShown: {
            convergence: (view) => view.ensureChart(),
            widgets: (view) => {
                if (!view.loaded) {
                    view.load();
                }
            },
        },
    });

    // The overview is redrawn at most once per 100 ms however many messages arrive.
    let lastLevel = null;
    let lastSessionId;
    const renderOverview = () => {
        const sessionId = state.active?.session_id ?? null;
        if (sessionId !== lastSessionId) {
            lastSessionId = sessionId;
            bus.emit('session:active', sessionId);
        }
        renderSessionHeader(dom, t, state.active);
        const level = renderGauge(dom, t, {
            session: state.active, thresholds: state.thresholds, lastRequest: state.lastRequest,
        });
        if (level !== lastLevel) {
            lastLevel = level;
            bus.emit('gauge:level', level);
        }
        renderStats(dom, t, state.active);
        renderRequests(dom, t, state.requests);
        dom.get('overview-empty').hidden = Boolean(state.active);
    };
    const overview = createBatcher(renderOverview, 100);
    const redrawAll = () => {
        overview.cancel();
        // When the session has more requests than the page got, the per-minute sums skip the partial first minute.
        const truncated = (state.active?.totals?.requests ?? 0) > state.requests.length;
        charts.resetRequests(state.requests, { truncated });
        renderOverview();
    };

    const refreshSessions = throttle(() => {
        if (!dom.get('view-sessions').hidden) {
            sessions.load();
        }
    }, 1000);

    let activeLoad = null;
    const reloadActive = async () => {
        const request = api.request('/api/sessions/active');
        activeLoad = request;
        try {
            const session = await request;
            if (activeLoad === request) {
                state.mergeActive(session, session.recent_requests ?? []);
            }
        } catch (error) {
            if (activeLoad !== request) {
                return;
            }
            if (error.status === 404) {
                state.setActive(null);
            } else {
                notifier.show(t('error.load', { message: error.message }), { type: 'error' });
            }
        }
        redrawAll();
    };

    bus.on('ws:state', (s) => renderConnection(dom, t, s));
    bus.on('ws:init', (message) => {
        state.applyInit(message.data ?? {});
        redrawAll();
        refreshSessions();
        const widgets = lazy.get('widgets');
        if (widgets?.loaded) {
            widgets.load();
        }
    });
    bus.on('ws:metric', (message) => {
        const m = message.data ?? {};
        const result = state.applyMetric(m);
        if (result === 'same') {
            charts.addRequest(state.requests[0]);
            overview.add(m);
        } else if (result === 'switched') {
            reloadActive();
        }
        refreshSessions();
    });
    bus.on('ws:session', (message) => {
        const result = state.applySessionMessage(message);
        if (result === 'reload') {
            reloadActive();
        } else if (result === 'cleared') {
            redrawAll();
        } else if (result === 'updated') {
            overview.add(message);
        }
        refreshSessions();
    });
    bus.on('ws:alert', (message) => {
        const a = message.data ?? {};
        const text = lang === 'fr' && a.message ? a.message : t('alert.message', {
            percent: formatPercent(a.percent, lang), model: a.model ?? '—',
            tokens: formatNumber(a.context_tokens, lang), window: formatNumber(a.context_window, lang),
        });
        // The level is named as on the gauge (Attention, Élevé, Critique).
        const levelKey = `gauge.level.${a.level}`;
        const title = t.has(levelKey) ? labelled(t, t('alert.title'), t(levelKey)) : t('alert.title');
        notifier.show(text, { type: 'alert', title });
    });
    bus.on('sessions:changed', () => reloadActive());
    bus.on('context:savings', (s) => {
        dom.get('stat-saved').textContent = s.requests > 0 ? formatSavings(t, s.saved, s.original) : '—';
    });
    bus.on('view:shown', (view) => {
        if (view === 'sessions') {
            sessions.load();
            sessions.loadModels();
        } else {
            lazy.show(view);
        }
    });

    const tabs = new Tabs(dom.get('tabs'), { bus });
    // The advice under the gauge leads to the « Contexte » view's compaction preview.
    bus.on('context:open-preview', () => {
        tabs.select('context', { updateHash: true });
        dom.get('context-compaction-title').focus();
        context.showPreview();
    });
    tabs.select(tabs.fromHash());
    renderOverview();
    // The tab strip and wide tables show a shadow on the side they scroll to (narrow screens).
    new ScrollCues();
    // On a touch screen, a sideways swipe moves between views.
    new SwipeNavigation({ area: dom.get('main'), tabs });

    const health = new HealthLine({ box: dom.get('health'), t, bus, token });
    health.check();
    const ws = new WebSocketManager({ url: liveUrl(window.location, token), bus });
    ws.connect();
    window.addEventListener('online', () => ws.reconnectNow());
    window.addEventListener('pagehide', () => ws.close());
    window.addEventListener('pageshow', (e) => {
        if (e.persisted) {
            ws.connect();
        }
    });

    // For people poking at the page from the console (and the browser tests): read-only handles.
    window.kimiDashboard = Object.freeze({ ws, state, charts, lang, context, health });
}

if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
} else {
    start();
}
