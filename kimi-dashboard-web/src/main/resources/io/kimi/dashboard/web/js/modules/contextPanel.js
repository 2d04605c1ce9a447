// The « Contexte » view: what the context features do for the active session, and their controls. Feature
// switches, savings, compaction (preview → compact → undo, history), masked contents (list, full text in a
// modal, copy), MCP memory and MCP servers. Loads when shown; while shown, live events refresh the parts they
// touch; while hidden, the savings tally still counts and the next showing reloads.

import { EventBus, formatDateTime, formatDuration, formatNumber, formatPercent, throttle } from './utils.js';
import { el, errorPanel, labelled } from './ui.js';
import { restoreFocus } from './modals.js';
import {
    SavingsTally, activeCompactionSavings, compactionHistory, errorText, featureLabel, featureList,
    formatBeforeAfter, formatSavings, maskView, memoryShares, previewView, recordView, serverStatus,
} from './context.js';

const LIVE_TYPES = new Set(['COMPACTION_APPLIED', 'COMPACTION_UNDONE', 'CONTENT_MASKED', 'TOOL_CALLS_REPAIRED']);

export class ContextPanel {
    /**
     * @param {object} options root (the view's section), api, t, modals, notifier, bus, sessionId (a function
     *                 returning the active proxy session's id, or null), maskPageSize
     */
    constructor({ root, api, t, modals, notifier, bus = EventBus, sessionId, maskPageSize = 20 }) {
        this.root = root;
        this.api = api;
        this.t = t;
        this.modals = modals;
        this.notifier = notifier;
        this.bus = bus;
        this.currentSession = sessionId;
        this.tally = new SavingsTally();
        this.maskLimit = maskPageSize;
        this.maskOffset = 0;
        this.visible = false;
        this.stale = true;
        this.session = null;
        this.preview = null;
        this.compactionState = null;
        this.sanitizer = null;
        this.lastRepair = null;
        this.loads = new Map();
        this.$ = (id) => root.querySelector(`#${id}`);

        this.$('context-preview').addEventListener('click', () => this.showPreview());
        this.$('context-compact').addEventListener('click', () => this.compact());
        this.$('context-undo').addEventListener('click', () => this.undo());
        this.$('context-refresh').addEventListener('click', () => this.loadAll());
        this.$('context-masks-refresh').addEventListener('click', () => this.loadMasksAndStats());

        this.refreshLive = throttle(() => this.loadLive(), 1000);
        this.refreshMasks = throttle(() => this.loadMasksAndStats(), 1000);

        bus.on('view:shown', (view) => {
            this.visible = view === 'context';
            if (this.visible && this.stale) {
                this.loadAll();
            }
        });
        bus.on('session:active', () => this.onSessionChanged());
        bus.on('ws:event', (e) => this.onEvent(e));
        this.renderSavings();
    }

    /** The active session's id as the page knows it now. */
    sessionId() {
        return this.currentSession?.() ?? null;
    }

    onSessionChanged() {
        const id = this.sessionId();
        if (id === this.session) {
            return;
        }
        this.session = id;
        this.preview = null;
        this.compactionState = null;
        this.$('context-compaction-result').replaceChildren();
        this.renderSavings();
        if (this.visible) {
            this.loadSession();
            // The list marks the masks of the active session.
            this.loadMasksAndStats();
        } else {
            this.stale = true;
        }
    }

    onEvent(e) {
        const type = e?.event_type;
        const mine = Boolean(e?.session_id) && e.session_id === this.sessionId();
        if (type === 'REQUEST_COMPLETED' || type === 'REQUEST_FAILED') {
            if (this.tally.add(e) && mine) {
                this.renderSavings();
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
            this.lastRepair = { count: data.repaired ?? 0, idsAdded: data.ids_added ?? null, at: e.timestamp };
            this.renderSavings();
        } else if ((type === 'COMPACTION_APPLIED' || type === 'COMPACTION_UNDONE') && mine) {
            this.whenVisible(() => this.loadCompaction());
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
        this.loadFeatures();
        this.loadMasksAndStats();
        this.loadServers();
        this.loadSession();
    }

    /** The parts a request of the session changes. */
    loadLive() {
        this.loadCompaction();
        this.loadMemory();
        this.loadSanitizer();
    }

    loadSession() {
        const id = this.sessionId();
        this.$('context-no-session').hidden = Boolean(id);
        this.$('context-preview').disabled = !id;
        if (!id) {
            this.$('context-compact').disabled = true;
            this.$('context-undo').disabled = true;
            this.$('context-compaction-state').replaceChildren(el('p', { class: 'muted' }, this.t('context.noSession')));
            this.$('context-compaction-history').replaceChildren();
            this.$('context-memory').replaceChildren(el('p', { class: 'muted' }, this.t('context.noSession')));
            this.renderSavings();
            return;
        }
        this.loadCompaction();
        this.loadMemory();
    }

    /**
     * Runs one load of a named part, drops its answer when a newer load of the same part started meanwhile, and
     * shows a failure in the part's container with a retry button.
     */
    async load(part, container, fetch, render) {
        const token = {};
        this.loads.set(part, token);
        container.setAttribute('aria-busy', 'true');
        try {
            const body = await fetch();
            if (this.loads.get(part) === token) {
                render(body);
            }
        } catch (error) {
            if (this.loads.get(part) === token) {
                container.replaceChildren(errorPanel(this.t, error, () => this[`load${part}`]()));
            }
        } finally {
            if (this.loads.get(part) === token) {
                container.removeAttribute('aria-busy');
            }
        }
    }

    // Feature switches.

    loadFeatures() {
        const list = this.$('context-features');
        return this.load('Features', list, () => this.api.features(), (body) => this.renderFeatures(body));
    }

    renderFeatures(body) {
        const t = this.t;
        const features = featureList(body);
        const list = this.$('context-features');
        if (features.length === 0) {
            list.replaceChildren(el('li', { class: 'muted' }, t('context.features.none')));
            return;
        }
        const focused = list.contains(document.activeElement) ? document.activeElement : null;
        list.replaceChildren(...features.map((f) => {
            const id = `feature-${f.name}`;
            const input = el('input', {
                type: 'checkbox', role: 'switch', id, checked: f.enabled, dataset: { feature: f.name, focusKey: id },
                'aria-describedby': t.has(`feature.${f.name}.hint`) ? `${id}-hint` : null,
            });
            input.addEventListener('change', () => this.toggleFeature(f.name, input));
            return el('li', { class: 'switch-row', dataset: { feature: f.name } },
                el('label', { class: 'switch', for: id }, input,
                    el('span', { class: 'switch-name' }, `${f.order}. ${featureLabel(t, f.name)}`)),
                t.has(`feature.${f.name}.hint`)
                    ? el('span', { class: 'muted small switch-hint', id: `${id}-hint` }, t(`feature.${f.name}.hint`))
                    : null);
        }));
        if (focused && !focused.isConnected) {
            restoreFocus(focused);
        }
    }

    async toggleFeature(name, input) {
        const t = this.t;
        const wanted = input.checked;
        const status = this.$('context-features-status');
        input.disabled = true;
        try {
            const body = await this.api.setFeature(name, wanted);
            const enabled = typeof body?.enabled === 'boolean' ? body.enabled : wanted;
            input.checked = enabled;
            status.textContent = t(enabled ? 'context.features.enabled' : 'context.features.disabled',
                { name: featureLabel(t, name) });
            status.dataset.state = 'ok';
            if (name === 'compaction' || name === 'sanitizer') {
                this.loadLive();
            }
        } catch (error) {
            input.checked = !wanted;
            status.textContent = t('context.features.failed', { name: featureLabel(t, name), message: errorText(t, error) });
            status.dataset.state = 'error';
        } finally {
            input.disabled = false;
        }
    }

    // Savings.

    renderSavings() {
        const t = this.t;
        const id = this.sessionId();
        const s = this.tally.forSession(id);
        const session = this.$('context-saved-session');
        session.textContent = formatSavings(t, s.saved, s.original);
        session.dataset.saved = String(s.saved);
        this.$('context-saved-detail').textContent = s.requests > 0
            ? t.plural('context.savings.sinceOpen', s.requests, { count: formatNumber(s.requests, t.lang) })
            : t('context.savings.noneYet');
        const last = this.$('context-last-request');
        if (s.last) {
            last.textContent = `${formatBeforeAfter(t, s.last.original, s.last.sent)} · ${formatSavings(t, s.last.saved, s.last.original)}`;
            last.dataset.original = String(s.last.original);
            last.dataset.sent = String(s.last.sent);
            const parts = s.last.features.filter((f) => f.changed > 0)
                .map((f) => `${featureLabel(t, f.name)} ${formatNumber(f.saved, t.lang)}`);
            this.$('context-last-features').textContent = parts.join(' · ');
        } else {
            last.textContent = '—';
            delete last.dataset.original;
            delete last.dataset.sent;
            this.$('context-last-features').textContent = '';
        }
        const masks = this.sanitizer;
        this.$('context-saved-masks').textContent = masks
            ? formatSavings(t, masks.tokens_saved_since_start ?? 0) : '—';
        this.$('context-saved-masks-detail').textContent = masks
            ? t('context.savings.masksDetail', {
                masks: formatNumber(masks.masks ?? 0, t.lang), requests: formatNumber(masks.requests_masked ?? 0, t.lang),
            }) : '';
        const state = this.compactionState;
        const active = state ? compactionHistory(state).filter((r) => r.status === 'active').length : 0;
        this.$('context-saved-compaction').textContent = state && id
            ? formatSavings(t, activeCompactionSavings(state)) : '—';
        this.$('context-saved-compaction-detail').textContent = state && id
            ? t.plural('context.savings.compactionDetail', active, { count: formatNumber(active, t.lang) }) : '';
        this.$('context-repairs').textContent = this.lastRepair
            ? t('context.savings.repairs', { count: formatNumber(this.lastRepair.count, this.t.lang) }) : '';
        this.bus.emit('context:savings', { sessionId: id, ...s });
    }

    // Sanitizer and masks.

    loadSanitizer() {
        const box = this.$('context-sanitizer-stats');
        return this.load('Sanitizer', box, () => this.api.sanitizerStats(), (stats) => {
            this.sanitizer = stats ?? {};
            this.renderSanitizer();
            this.renderSavings();
        });
    }

    renderSanitizer() {
        const t = this.t;
        const s = this.sanitizer ?? {};
        const n = (v) => formatNumber(v ?? 0, t.lang);
        const rows = [
            ['context.sanitizer.state', s.enabled === false ? t('context.off') : t('context.on')],
            ['context.sanitizer.threshold', t('context.tokens', { tokens: n(s.threshold_tokens) })],
            ['context.sanitizer.masks', n(s.masks)],
            ['context.sanitizer.stored', formatBeforeAfter(t, s.original_tokens ?? 0, s.placeholder_tokens ?? 0)],
            ['context.sanitizer.requests', t('context.sanitizer.requestsValue', {
                masked: n(s.requests_masked), seen: n(s.requests_seen), messages: n(s.messages_masked),
            })],
            ['context.sanitizer.sinceStart', t('context.tokens', { tokens: n(s.tokens_saved_since_start) })],
        ];
        this.$('context-sanitizer-stats').replaceChildren(...rows.map(([key, value]) =>
            el('div', {}, el('dt', {}, t(key)), el('dd', {}, value))));
    }

    /** The masks, then the sanitizer's figures (listing the masks makes the server write pending ones first). */
    async loadMasksAndStats() {
        await this.loadMasks();
        await this.loadSanitizer();
    }

    loadMasks() {
        const box = this.$('context-masks');
        return this.load('Masks', box, () => this.api.masks({ limit: this.maskLimit, offset: this.maskOffset }),
            (page) => this.renderMasks(page));
    }

    renderMasks(page) {
        const t = this.t;
        const box = this.$('context-masks');
        const masks = (page?.masks ?? []).map(maskView);
        const total = page?.total ?? masks.length;
        const focused = this.root.contains(document.activeElement) ? document.activeElement : null;
        if (masks.length === 0) {
            box.replaceChildren(el('p', { class: 'muted' }, t('context.masks.empty')));
        } else {
            const current = this.sessionId();
            const head = el('thead', {}, el('tr', {},
                ['context.masks.time', 'context.masks.source', 'context.masks.tokens', 'context.masks.saved',
                    'context.masks.preview', 'context.masks.actions']
                    .map((k, i) => el('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null }, t(k)))));
            const rows = masks.map((m) => el('tr', { dataset: { hash: m.hash } },
                el('td', {}, formatDateTime(m.createdAt, t.lang),
                    m.sessionId && m.sessionId === current
                        ? el('span', { class: 'badge badge-active' }, t('context.masks.thisSession')) : null),
                el('td', {}, el('code', { class: 'hash', title: m.hash }, m.short), ' ',
                    m.tool ?? m.role ?? '—'),
                el('td', { class: 'num' }, formatBeforeAfter(t, m.original, m.placeholder)),
                el('td', { class: 'num' }, formatNumber(m.saved, t.lang)),
                el('td', { class: 'mask-preview', title: m.preview }, clip(m.preview, 90)),
                el('td', {}, el('button', {
                    type: 'button', class: 'btn btn-small', dataset: { action: 'view-mask', focusKey: `mask:${m.hash}` },
                    'aria-label': t('context.masks.viewLabel', { hash: m.short, source: m.tool ?? m.role ?? '' }),
                    onclick: () => this.openMask(m),
                }, t('context.masks.view')))));
            box.replaceChildren(el('div', { class: 'table-wrap' },
                el('table', { class: 'table', id: 'masks-table' }, head, el('tbody', {}, rows))));
        }
        this.renderMaskPager(total);
        if (focused && !focused.isConnected) {
            restoreFocus(focused);
        }
    }

    renderMaskPager(total) {
        const t = this.t;
        const pager = this.$('context-masks-pager');
        if (total <= this.maskLimit && this.maskOffset === 0) {
            pager.replaceChildren(el('span', { class: 'pager-info' }, t.plural('context.masks.count', total, { total: formatNumber(total, t.lang) })));
            return;
        }
        const pages = Math.max(1, Math.ceil(total / this.maskLimit));
        const page = Math.floor(this.maskOffset / this.maskLimit) + 1;
        const prev = el('button', { type: 'button', class: 'btn', disabled: page <= 1, dataset: { focusKey: 'masks-prev' } },
            t('sessions.prev'));
        const next = el('button', { type: 'button', class: 'btn', disabled: page >= pages, dataset: { focusKey: 'masks-next' } },
            t('sessions.next'));
        prev.addEventListener('click', () => {
            this.maskOffset = Math.max(0, this.maskOffset - this.maskLimit);
            this.loadMasks();
        });
        next.addEventListener('click', () => {
            this.maskOffset += this.maskLimit;
            this.loadMasks();
        });
        pager.replaceChildren(prev, el('span', { class: 'pager-info' },
            t('context.masks.page', { page, pages, total: formatNumber(total, t.lang) })), next);
    }

    /** The full original text of a mask in a modal, with a copy button. */
    async openMask(m) {
        const t = this.t;
        const body = el('div', { class: 'mask-details' }, el('p', { class: 'muted' }, t('common.loading')));
        const shown = this.modals.open({ id: 'mask-modal', title: t('context.mask.title', { hash: m.short }), content: body });
        try {
            const full = maskView(await this.api.mask(m.hash));
            const text = full.content ?? '';
            const status = el('span', { class: 'muted small', role: 'status', 'aria-live': 'polite', id: 'mask-copy-status' });
            const pre = el('pre', {
                class: 'mask-content', id: 'mask-content', tabindex: '0', 'aria-label': t('context.mask.contentLabel'),
            }, text);
            const copy = el('button', { type: 'button', class: 'btn btn-primary', id: 'mask-copy' }, t('context.mask.copy'));
            copy.addEventListener('click', async () => {
                const ok = await copyText(text, pre);
                status.textContent = t(ok ? 'context.mask.copied' : 'context.mask.copyFailed');
            });
            const facts = [
                ['context.mask.hash', full.hash],
                ['context.mask.source', [full.tool, full.role].filter(Boolean).join(' · ') || '—'],
                ['context.mask.tokens', formatBeforeAfter(t, full.original, full.placeholder)],
                ['context.mask.created', formatDateTime(full.createdAt, t.lang)],
                ['context.mask.session', full.sessionId ?? '—'],
            ];
            body.replaceChildren(
                el('dl', { class: 'details-list' }, facts.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)])),
                el('div', { class: 'toolbar mask-toolbar' }, copy, status,
                    el('span', { class: 'muted small' }, t('context.mask.length', { chars: formatNumber(text.length, t.lang) }))),
                pre);
            if (document.getElementById('mask-modal')) {
                copy.focus();
            }
        } catch (error) {
            body.replaceChildren(errorPanel(t, error, null));
        }
        return shown;
    }

    // Compaction.

    loadCompaction() {
        const id = this.sessionId();
        if (!id) {
            return Promise.resolve();
        }
        const box = this.$('context-compaction-state');
        return this.load('Compaction', box, () => this.api.compaction(id), (state) => {
            if (id !== this.sessionId()) {
                return;
            }
            this.compactionState = state ?? {};
            this.renderCompaction();
            this.renderSavings();
        });
    }

    renderCompaction() {
        const t = this.t;
        const s = this.compactionState ?? {};
        const yesNo = (v) => t(v ? 'common.yes' : 'common.no');
        const facts = [
            ['context.compaction.enabled', yesNo(s.enabled !== false)],
            ['context.compaction.auto', s.auto
                ? t('context.compaction.autoAt', { percent: formatPercent((s.threshold ?? 0) * 100, t.lang, 0) })
                : yesNo(false)],
            ['context.compaction.keep', formatNumber(s.keep_last_exchanges, t.lang)],
        ];
        if (Object.hasOwn(s, 'conversation_seen')) {
            facts.push(['context.compaction.seen', s.conversation_seen
                ? t.plural('context.compaction.seenMessages', s.messages ?? 0, { count: formatNumber(s.messages ?? 0, t.lang) })
                : t('context.compaction.notSeen')]);
        }
        if (s.running === true) {
            facts.push(['context.compaction.running', t('context.compaction.runningNow')]);
        }
        const box = this.$('context-compaction-state');
        box.replaceChildren(el('dl', { class: 'facts' },
            facts.map(([k, v]) => el('div', {}, el('dt', {}, t(k)), el('dd', {}, v)))));
        if (s.enabled === false) {
            box.append(el('p', { class: 'muted small' }, t('context.compaction.disabledHint')));
        }
        const history = compactionHistory(s);
        const hasActive = history.some((r) => r.status === 'active');
        this.$('context-preview').disabled = s.enabled === false;
        this.$('context-compact').disabled = s.enabled === false || !this.preview;
        this.$('context-undo').disabled = !hasActive;
        this.renderHistory(history);
    }

    renderHistory(history) {
        const t = this.t;
        const box = this.$('context-compaction-history');
        if (history.length === 0) {
            box.replaceChildren(el('p', { class: 'muted' }, t('context.history.empty')));
            return;
        }
        const head = el('thead', {}, el('tr', {},
            ['context.history.date', 'context.history.kind', 'context.history.method', 'context.history.replaced',
                'context.history.tokens', 'context.history.saved', 'context.history.status']
                .map((k, i) => el('th', { scope: 'col', class: i >= 3 && i <= 5 ? 'num' : null }, t(k)))));
        const rows = history.map((r) => el('tr', { dataset: { compactionId: r.id, status: r.status, kind: r.kind } },
            el('td', {}, formatDateTime(r.createdAt, t.lang)),
            el('td', {}, el('span', { class: `badge compaction-${r.kind}` }, t(`context.history.${r.kind}`))),
            el('td', {}, t(`context.method.${r.method}`)),
            el('td', { class: 'num' }, formatNumber(r.replaced, t.lang)),
            el('td', { class: 'num' }, formatBeforeAfter(t, r.before, r.after)),
            el('td', { class: 'num' }, formatSavings(t, r.saved, r.before)),
            el('td', {}, el('span', { class: `badge compaction-${r.status}` }, r.status === 'undone' && r.undoneAt
                ? t('context.history.undoneAt', { time: formatDateTime(r.undoneAt, t.lang) })
                : t(`context.history.${r.status}`)))));
        box.replaceChildren(el('div', { class: 'table-wrap' },
            el('table', { class: 'table', id: 'compaction-history' }, head, el('tbody', {}, rows))));
    }

    /** POST .../compaction/preview, shown in the result area; the « Compacter » button then applies it. */
    async showPreview() {
        const t = this.t;
        const id = this.sessionId();
        const result = this.$('context-compaction-result');
        if (!id) {
            result.replaceChildren(el('p', { class: 'muted' }, t('context.noSession')));
            return;
        }
        const button = this.$('context-preview');
        button.disabled = true;
        result.setAttribute('aria-busy', 'true');
        result.replaceChildren(el('p', { class: 'muted' }, t('context.compaction.previewing')));
        try {
            const p = previewView(await this.api.previewCompaction(id));
            if (id !== this.sessionId()) {
                return;
            }
            this.preview = p;
            result.replaceChildren(this.previewBlock(p));
            this.$('context-compact').disabled = false;
        } catch (error) {
            this.preview = null;
            this.$('context-compact').disabled = true;
            result.replaceChildren(this.failure('context.compaction.previewFailed', error));
        } finally {
            button.disabled = this.compactionState?.enabled === false;
            result.removeAttribute('aria-busy');
        }
    }

    previewBlock(p) {
        const t = this.t;
        const width = (v) => (p.before > 0 ? (v / p.before) * 100 : 0);
        return el('div', { class: 'preview', id: 'context-preview-result', dataset: { before: p.before, after: p.after } },
            el('h3', {}, t('context.preview.title')),
            el('div', { class: 'before-after' },
                el('div', {}, el('span', { class: 'muted small' }, t('context.preview.before')),
                    el('strong', { id: 'preview-before' }, formatNumber(p.before, t.lang))),
                el('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
                el('div', {}, el('span', { class: 'muted small' }, t('context.preview.after')),
                    el('strong', { id: 'preview-after' }, formatNumber(p.after, t.lang))),
                el('span', { class: 'badge level-green', id: 'preview-saved' },
                    t('context.preview.saved', { percent: formatPercent(p.percent ?? 0, t.lang) }))),
            el('div', { class: 'compare', 'aria-hidden': 'true' },
                sized(el('div', { class: 'compare-bar compare-before' }), width(p.before)),
                sized(el('div', { class: 'compare-bar compare-after' }), width(p.after))),
            el('p', {}, t('context.preview.messages', {
                replaced: formatNumber(p.replaced, t.lang), kept: formatNumber(p.kept, t.lang),
                total: formatNumber(p.total, t.lang), saved: formatNumber(p.saved, t.lang),
            })),
            el('p', { class: 'muted small' }, labelled(t, t('context.preview.method'), t(`context.method.${p.method}`))),
            el('details', { class: 'summary-box', open: true }, el('summary', {}, t('context.preview.summary')),
                el('pre', { class: 'mask-content', tabindex: '0' }, p.summary || '—')),
            el('p', { class: 'muted small' }, t('context.preview.next')));
    }

    async compact() {
        const t = this.t;
        const id = this.sessionId();
        const p = this.preview;
        if (!id) {
            return;
        }
        const confirmed = await this.modals.confirm({
            title: t('context.compaction.confirmTitle'),
            message: p ? t('context.compaction.confirm', {
                replaced: formatNumber(p.replaced, t.lang), saved: formatNumber(p.saved, t.lang),
            }) : t('context.compaction.confirmNoPreview'),
            confirmLabel: t('context.compaction.compact'),
        });
        if (!confirmed) {
            return;
        }
        const result = this.$('context-compaction-result');
        const button = this.$('context-compact');
        button.disabled = true;
        try {
            const r = recordView(await this.api.compact(id));
            this.preview = null;
            result.replaceChildren(el('p', { class: 'result-ok', id: 'context-compaction-done' },
                t('context.compaction.done', {
                    before: formatNumber(r.before, t.lang), after: formatNumber(r.after, t.lang),
                    replaced: formatNumber(r.replaced, t.lang),
                })));
        } catch (error) {
            result.replaceChildren(this.failure('context.compaction.compactFailed', error));
        } finally {
            await this.loadCompaction();
            button.disabled = !this.preview;
        }
    }

    async undo() {
        const t = this.t;
        const id = this.sessionId();
        if (!id) {
            return;
        }
        const confirmed = await this.modals.confirm({
            title: t('context.compaction.undoTitle'),
            message: t('context.compaction.undoConfirm'),
            confirmLabel: t('context.compaction.undo'),
            danger: true,
        });
        if (!confirmed) {
            return;
        }
        const result = this.$('context-compaction-result');
        try {
            const r = recordView(await this.api.undoCompaction(id));
            result.replaceChildren(el('p', { class: 'result-ok', id: 'context-undo-done' },
                t('context.compaction.undone', { replaced: formatNumber(r.replaced, t.lang) })));
        } catch (error) {
            result.replaceChildren(this.failure('context.compaction.undoFailed', error));
        } finally {
            await this.loadCompaction();
        }
    }

    failure(key, error) {
        return el('div', { class: 'panel-error', role: 'alert', dataset: { code: error?.code ?? '' } },
            el('p', {}, this.t(key, { message: errorText(this.t, error) })));
    }

    // MCP memory and servers.

    loadMemory() {
        const id = this.sessionId();
        if (!id) {
            return Promise.resolve();
        }
        const box = this.$('context-memory');
        return this.load('Memory', box, () => this.api.sessionMemory(id), (stats) => {
            if (id === this.sessionId()) {
                this.renderMemory(stats ?? {});
            }
        });
    }

    renderMemory(stats) {
        const t = this.t;
        const m = memoryShares(stats);
        const n = (v) => formatNumber(v, t.lang);
        if (m.total === 0) {
            this.$('context-memory').replaceChildren(el('p', { class: 'muted' }, t('context.memory.none')));
            return;
        }
        const summary = t('context.memory.summary', {
            memory: n(m.memory), memoryPercent: formatPercent(m.memoryPercent, t.lang),
            chat: n(m.chat), chatPercent: formatPercent(m.chatPercent, t.lang),
        });
        this.$('context-memory').replaceChildren(
            el('div', { class: 'share-bar', role: 'img', 'aria-label': summary },
                sized(el('span', { class: 'share-memory' }), m.memoryPercent),
                sized(el('span', { class: 'share-chat' }), m.chatPercent)),
            el('ul', { class: 'legend' },
                el('li', {}, el('span', { class: 'swatch share-memory', 'aria-hidden': 'true' }),
                    t('context.memory.memory', { tokens: n(m.memory), percent: formatPercent(m.memoryPercent, t.lang) })),
                el('li', {}, el('span', { class: 'swatch share-chat', 'aria-hidden': 'true' }),
                    t('context.memory.chat', { tokens: n(m.chat), percent: formatPercent(m.chatPercent, t.lang) }))),
            el('p', { class: 'muted small' }, t('context.memory.requests', {
                with: n(m.withMemory), requests: n(m.requests), markers: n(m.markers),
            })));
    }

    loadServers() {
        const box = this.$('context-servers');
        return this.load('Servers', box, () => this.api.memoryServers(), (body) => this.renderServers(body ?? {}));
    }

    renderServers(body) {
        const t = this.t;
        const servers = Array.isArray(body.servers) ? body.servers : [];
        const box = this.$('context-servers');
        const workspace = body.workspace
            ? el('p', { class: 'muted small' }, labelled(t, t('context.servers.workspace'), body.workspace)) : null;
        if (servers.length === 0) {
            box.replaceChildren(el('p', { class: 'muted' }, t('context.servers.none')), workspace ?? '');
            return;
        }
        box.replaceChildren(el('ul', { class: 'server-list' }, servers.map((s) => {
            const status = serverStatus(s);
            return el('li', { dataset: { server: s.name ?? '', status } },
                el('span', { class: `badge server-${status}` }, t(`context.servers.${status}`)),
                el('strong', {}, s.name ?? '—'),
                el('span', { class: 'muted small server-url' }, s.url ?? ''),
                Number.isFinite(s.latency_ms) ? el('span', { class: 'muted small' }, formatDuration(s.latency_ms, t.lang)) : null,
                s.last_checked ? el('span', { class: 'muted small' },
                    t('context.servers.checked', { time: formatDateTime(s.last_checked, t.lang) })) : null,
                s.last_error ? el('span', { class: 'server-error small' }, s.last_error) : null);
        })), workspace ?? '');
    }
}

/** Sets an element's width in percent (0-100) through the CSSOM. */
function sized(node, percent) {
    node.style.width = `${Math.max(0, Math.min(100, Number(percent) || 0))}%`;
    return node;
}

/** The first {@code max} characters of a text on one line, with an ellipsis when cut. */
export function clip(text, max) {
    const oneLine = String(text ?? '').replace(/\s+/g, ' ').trim();
    return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * Copies a text: the Clipboard API where the page may use it, else the old way (select the shown text and ask
 * the browser to copy). Resolves to whether it worked; when it did not, the text is left selected.
 */
async function copyText(text, pre) {
    if (navigator.clipboard?.writeText) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch (error) {
            console.warn('Presse-papiers refusé, copie par sélection :', error);
        }
    }
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
        return document.execCommand('copy');
    } catch (error) {
        console.warn('Copie impossible :', error);
        return false;
    }
}
