// The « Contexte » view: what the context features do for the active session, and their controls. It builds
// one part per panel (features.js, savings.js, masks.js, compaction.js, memory.js) and tells them when to load:
// when the view is shown, and while it is shown, on the live events that touch them. While hidden, the savings
// tally still counts and the next showing reloads.

import { EventBus, formatNumber, throttle } from '../utils.js';
import { PartLoader } from './parts.js';
import { FeaturesPart } from './features.js';
import { SavingsPart } from './savings.js';
import { MasksPart } from './masks.js';
import { CompactionPart } from './compaction.js';
import { MemoryPart } from './memory.js';

const LIVE_TYPES = new Set(['COMPACTION_APPLIED', 'COMPACTION_UNDONE', 'CONTENT_MASKED', 'TOOL_CALLS_REPAIRED']);

export class ContextPanel {
    /**
     * @param {object} options root (the view's section), api, t, modals, notifier, bus, sessionId (a function
     *                 returning the active proxy session's id, or null), maskPageSize
     */
    constructor({ root, api, t, modals, notifier, bus = EventBus, sessionId, maskPageSize = 20 }) {
        this.t = t;
        this.notifier = notifier;
        this.currentSession = sessionId;
        this.visible = false;
        this.stale = true;
        this.session = null;
        const $ = (id) => root.querySelector(`#${id}`);
        this.$ = $;
        const shared = { $, t, api, loader: new PartLoader(t), sessionId: () => this.sessionId() };
        this.savings = new SavingsPart({ ...shared, bus });
        this.features = new FeaturesPart({ ...shared, onLiveChange: () => this.loadLive() });
        this.masks = new MasksPart({
            ...shared, root, modals, pageSize: maskPageSize, onStats: (stats) => this.savings.setSanitizer(stats),
        });
        this.compaction = new CompactionPart({ ...shared, modals, onState: (state) => this.savings.setCompaction(state) });
        this.memory = new MemoryPart(shared);

        $('context-refresh').addEventListener('click', () => this.loadAll());
        $('context-masks-refresh').addEventListener('click', () => this.masks.loadAll());
        this.refreshLive = throttle(() => this.loadLive(), 1000);
        this.refreshMasks = throttle(() => this.masks.loadAll(), 1000);

        bus.on('view:shown', (view) => {
            this.visible = view === 'context';
            if (this.visible && this.stale) {
                this.loadAll();
            }
        });
        bus.on('session:active', () => this.onSessionChanged());
        bus.on('ws:event', (e) => this.onEvent(e));
        this.savings.render();
    }

    /** The active session's id as the page knows it now. */
    sessionId() {
        return this.currentSession?.() ?? null;
    }

    /** The compaction preview of the active session (the advice under the gauge leads here). */
    showPreview() {
        return this.compaction.showPreview();
    }

    onSessionChanged() {
        const id = this.sessionId();
        if (id === this.session) {
            return;
        }
        this.session = id;
        this.compaction.forget();
        if (this.visible) {
            this.loadSession();
            // The list marks the masks of the active session.
            this.masks.loadAll();
        } else {
            this.stale = true;
        }
    }

    onEvent(e) {
        const type = e?.event_type;
        const mine = Boolean(e?.session_id) && e.session_id === this.sessionId();
        if (type === 'REQUEST_COMPLETED' || type === 'REQUEST_FAILED') {
            if (this.savings.addRequest(e, mine)) {
                this.savings.render();
            }
            if (mine) {
                this.whenVisible(this.refreshLive);
                if (e.data?.features?.sanitizer?.changed > 0) {
                    this.whenVisible(this.refreshMasks);
                }
            }
            return;
        }
        if (!LIVE_TYPES.has(type)) {
            return;
        }
        const data = e.data ?? {};
        if (type === 'CONTENT_MASKED') {
            const masked = data.count ?? data.masked?.length ?? 0;
            this.notifier.show(this.t.plural('context.notify.masked', masked, {
                count: formatNumber(masked, this.t.lang),
                tokens: formatNumber(data.saved_tokens ?? 0, this.t.lang),
            }), { type: 'info' });
            this.whenVisible(this.refreshMasks);
        } else if (type === 'TOOL_CALLS_REPAIRED' && mine) {
            this.savings.setRepair({ count: data.repaired ?? 0, idsAdded: data.ids_added ?? null, at: e.timestamp });
        } else if ((type === 'COMPACTION_APPLIED' || type === 'COMPACTION_UNDONE') && mine) {
            this.whenVisible(() => this.compaction.load());
        }
    }

    whenVisible(load) {
        if (this.visible) {
            load();
        } else {
            this.stale = true;
        }
    }

    /** Everything: the global parts and the session's. */
    loadAll() {
        this.stale = false;
        this.session = this.sessionId();
        this.features.load();
        this.masks.loadAll();
        this.memory.loadServers();
        this.loadSession();
    }

    /** The parts a request of the session changes. */
    loadLive() {
        this.compaction.load();
        this.memory.loadMemory();
        this.masks.loadStats();
    }

    loadSession() {
        const id = this.sessionId();
        this.$('context-no-session').hidden = Boolean(id);
        if (!id) {
            this.compaction.renderNoSession();
            this.memory.renderNoSession();
            this.savings.render();
            return;
        }
        this.$('context-preview').disabled = false;
        this.compaction.load();
        this.memory.loadMemory();
    }
}
