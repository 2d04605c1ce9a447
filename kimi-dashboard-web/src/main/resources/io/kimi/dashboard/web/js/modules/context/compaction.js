// « Compaction de la session »: its settings and state, the history of its compactions, and the actions:
// preview, compact (after a preview, confirmed) and undo (confirmed).

import { formatDateTime, formatNumber, formatPercent } from '../utils.js';
import { el, labelled } from '../ui.js';
import { compactionHistory, formatBeforeAfter, formatSavings, previewView, recordView } from '../context.js';
import { Part, counted, factRows, failure, sized } from './parts.js';

export class CompactionPart extends Part {
    /**
     * @param {object} options $ (the view's element by id), t, api, loader (a PartLoader), modals, sessionId (a
     *                 function), onState (called with the state each time it is loaded)
     */
    constructor({ modals, onState, ...shared }) {
        super(shared);
        this.modals = modals;
        this.onState = onState;
        this.preview = null;
        this.state = null;
        /** The history the table last drew, as JSON. */
        this.lastHistory = null;
        this.$('context-preview').addEventListener('click', () => this.showPreview());
        this.$('context-compact').addEventListener('click', () => this.compact());
        this.$('context-undo').addEventListener('click', () => this.undo());
    }

    /** Another session became active: what was shown belongs to the previous one. */
    forget() {
        this.preview = null;
        this.state = null;
        this.$('context-compaction-result').replaceChildren();
        this.onState(null);
    }

    /** No active session: nothing to compact. */
    renderNoSession() {
        this.$('context-preview').disabled = true;
        this.$('context-compact').disabled = true;
        this.$('context-undo').disabled = true;
        this.$('context-compaction-state').replaceChildren(el('p', { class: 'muted' }, this.t('context.noSession')));
        this.$('context-compaction-history').replaceChildren();
        this.lastHistory = null;
    }

    load() {
        const id = this.sessionId();
        if (!id) {
            return Promise.resolve();
        }
        return this.loader.load('compaction', this.$('context-compaction-state'), () => this.api.compaction(id), (state) => {
            if (id !== this.sessionId()) {
                return;
            }
            this.state = state ?? {};
            this.render();
            this.onState(this.state);
        }, () => this.load());
    }

    render() {
        const t = this.t;
        const s = this.state ?? {};
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
                ? counted(t, 'context.compaction.seenMessages', s.messages ?? 0) : t('context.compaction.notSeen')]);
        }
        if (s.running === true) {
            facts.push(['context.compaction.running', t('context.compaction.runningNow')]);
        }
        const box = this.$('context-compaction-state');
        box.replaceChildren(el('dl', { class: 'facts' }, factRows(t, facts)));
        if (s.enabled === false) {
            box.append(el('p', { class: 'muted small' }, t('context.compaction.disabledHint')));
        }
        const history = compactionHistory(s);
        this.$('context-preview').disabled = s.enabled === false;
        this.$('context-compact').disabled = s.enabled === false || !this.preview;
        this.$('context-undo').disabled = !history.some((r) => r.status === 'active');
        this.renderHistory(history);
    }

    /** The history table, redrawn only when a record changed (live events reload the state often). */
    renderHistory(history) {
        const t = this.t;
        const signature = JSON.stringify(history);
        if (signature === this.lastHistory) {
            return;
        }
        this.lastHistory = signature;
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
            result.replaceChildren(failure(t, 'context.compaction.previewFailed', error));
        } finally {
            button.disabled = this.state?.enabled === false;
            result.removeAttribute('aria-busy');
        }
    }

    previewBlock(p) {
        const t = this.t;
        const n = (v) => formatNumber(v, t.lang);
        const width = (v) => (p.before > 0 ? (v / p.before) * 100 : 0);
        return el('div', { class: 'preview', id: 'context-preview-result', dataset: { before: p.before, after: p.after } },
            el('h3', {}, t('context.preview.title')),
            el('div', { class: 'before-after' },
                el('div', {}, el('span', { class: 'muted small' }, t('context.preview.before')),
                    el('strong', { id: 'preview-before' }, n(p.before))),
                el('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
                el('div', {}, el('span', { class: 'muted small' }, t('context.preview.after')),
                    el('strong', { id: 'preview-after' }, n(p.after))),
                el('span', { class: 'badge level-green', id: 'preview-saved' },
                    t('context.preview.saved', { percent: formatPercent(p.percent ?? 0, t.lang) }))),
            el('div', { class: 'compare', 'aria-hidden': 'true' },
                sized(el('div', { class: 'compare-bar compare-before' }), width(p.before)),
                sized(el('div', { class: 'compare-bar compare-after' }), width(p.after))),
            el('p', {}, t('context.preview.messages', {
                replaced: counted(t, 'context.preview.replaced', p.replaced),
                kept: counted(t, 'context.preview.kept', p.kept),
                total: n(p.total), saved: n(p.saved),
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
                replaced: counted(t, 'context.compaction.messages', p.replaced), saved: formatNumber(p.saved, t.lang),
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
                    replaced: counted(t, 'context.compaction.summarised', r.replaced),
                })));
        } catch (error) {
            result.replaceChildren(failure(t, 'context.compaction.compactFailed', error));
        } finally {
            await this.load();
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
                t.plural('context.compaction.undone', r.replaced ?? 0, { replaced: formatNumber(r.replaced, t.lang) })));
        } catch (error) {
            result.replaceChildren(failure(t, 'context.compaction.undoFailed', error));
        } finally {
            await this.load();
        }
    }
}
