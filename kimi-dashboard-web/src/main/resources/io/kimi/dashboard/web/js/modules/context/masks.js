// « Contenus masqués »: the sanitizer's figures, the paged list of masked contents (all sessions, the active
// session's marked), and a mask's original text in a modal with a copy button.

import { formatDateTime, formatNumber } from '../utils.js';
import { el, errorPanel } from '../ui.js';
import { restoreFocus } from '../modals.js';
import { pageLine, renderPager } from '../pager.js';
import { formatBeforeAfter, maskView } from '../context.js';
import { Part, counted, factRows } from './parts.js';

export class MasksPart extends Part {
    /**
     * @param {object} options root (the view), $ (its element by id), t, api, loader (a PartLoader), modals,
     *                 sessionId (a function), pageSize, onStats (called with the sanitizer's figures)
     */
    constructor({ root, modals, pageSize = 20, onStats, ...shared }) {
        super(shared);
        this.root = root;
        this.modals = modals;
        this.limit = pageSize;
        this.offset = 0;
        this.onStats = onStats;
        /** What the list last drew: {signature, node}. */
        this.drawn = null;
    }

    /** The masks, then the sanitizer's figures (listing the masks makes the server write pending ones first). */
    async loadAll() {
        await this.loadMasks();
        await this.loadStats();
    }

    loadStats() {
        return this.loader.load('sanitizer', this.$('context-sanitizer-stats'), () => this.api.sanitizerStats(),
            (stats) => {
                this.renderStats(stats ?? {});
                this.onStats(stats ?? {});
            }, () => this.loadStats());
    }

    renderStats(s) {
        const t = this.t;
        const n = (v) => formatNumber(v ?? 0, t.lang);
        this.$('context-sanitizer-stats').replaceChildren(...factRows(t, [
            ['context.sanitizer.state', s.enabled === false ? t('context.off') : t('context.on')],
            ['context.sanitizer.threshold', t('context.tokens', { tokens: n(s.threshold_tokens) })],
            ['context.sanitizer.masks', n(s.masks)],
            ['context.sanitizer.stored', formatBeforeAfter(t, s.original_tokens ?? 0, s.placeholder_tokens ?? 0)],
            ['context.sanitizer.requests', t('context.sanitizer.requestsValue', {
                masked: counted(t, 'context.sanitizer.lightened', s.requests_masked),
                seen: n(s.requests_seen),
                messages: counted(t, 'context.sanitizer.messages', s.messages_masked),
            })],
            ['context.sanitizer.sinceStart', t('context.tokens', { tokens: n(s.tokens_saved_since_start) })],
        ]));
    }

    loadMasks() {
        return this.loader.load('masks', this.$('context-masks'),
            () => this.api.masks({ limit: this.limit, offset: this.offset }), (page) => this.renderMasks(page),
            () => this.loadMasks());
    }

    renderMasks(page) {
        const t = this.t;
        const box = this.$('context-masks');
        const masks = (page?.masks ?? []).map(maskView);
        const total = page?.total ?? masks.length;
        // Live events reload the list often: redraw only when something shown changed (and no error replaced it).
        const signature = JSON.stringify([this.offset, total, this.sessionId(), masks]);
        if (signature === this.drawn?.signature && box.firstChild === this.drawn.node) {
            return;
        }
        const focused = this.root.contains(document.activeElement) ? document.activeElement : null;
        if (masks.length === 0) {
            box.replaceChildren(el('p', { class: 'muted' }, t('context.masks.empty')));
        } else {
            const head = el('thead', {}, el('tr', {},
                ['context.masks.time', 'context.masks.source', 'context.masks.tokens', 'context.masks.saved',
                    'context.masks.preview', 'context.masks.actions']
                    .map((k, i) => el('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null }, t(k)))));
            const current = this.sessionId();
            box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'table', id: 'masks-table' },
                head, el('tbody', {}, masks.map((m) => this.row(m, current))))));
        }
        this.drawn = { signature, node: box.firstChild };
        renderPager(this.$('context-masks-pager'), {
            t, name: 'masks', total, limit: this.limit, offset: this.offset,
            singleText: () => t.plural('context.masks.count', total, { total: formatNumber(total, t.lang) }),
            pageText: pageLine(t, 'context.masks.page'),
            onOffset: (offset) => {
                this.offset = offset;
                this.loadMasks();
            },
        });
        if (focused && !focused.isConnected) {
            restoreFocus(focused);
        }
    }

    row(m, current) {
        const t = this.t;
        const source = m.tool ?? m.role ?? '';
        return el('tr', { dataset: { hash: m.hash } },
            el('td', {}, formatDateTime(m.createdAt, t.lang),
                m.sessionId && m.sessionId === current
                    ? el('span', { class: 'badge badge-active' }, t('context.masks.thisSession')) : null),
            el('td', {}, el('code', { class: 'hash', title: m.hash }, m.short), ' ', source || '—'),
            el('td', { class: 'num' }, formatBeforeAfter(t, m.original, m.placeholder)),
            el('td', { class: 'num' }, formatNumber(m.saved, t.lang)),
            el('td', { class: 'mask-preview', title: m.preview }, clip(m.preview, 90)),
            el('td', {}, el('button', {
                type: 'button', class: 'btn btn-small', dataset: { action: 'view-mask', focusKey: `mask:${m.hash}` },
                'aria-label': t('context.masks.viewLabel', { hash: m.short, source }),
                onclick: () => this.open(m),
            }, t('context.masks.view'))));
    }

    /** The full original text of a mask in a modal, with a copy button. */
    async open(m) {
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
                    el('span', { class: 'muted small' }, counted(t, 'context.mask.length', text.length))),
                pre);
            if (document.getElementById('mask-modal')) {
                copy.focus();
            }
        } catch (error) {
            body.replaceChildren(errorPanel(t, error, null));
        }
        return shown;
    }
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
            console.warn('Clipboard refused, copying by selection instead:', error);
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
        console.warn('Copy failed:', error);
        return false;
    }
}
