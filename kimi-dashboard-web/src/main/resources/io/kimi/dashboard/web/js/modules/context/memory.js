// « Mémoire MCP » and « Serveurs MCP »: the session's memory tokens against its conversation tokens, and the
// configured MCP servers with their health.

import { formatDateTime, formatDuration, formatNumber, formatPercent } from '../utils.js';
import { el, labelled } from '../ui.js';
import { memoryShares, serverStatus } from '../context.js';
import { Part, counted, sized } from './parts.js';

/** Built with the panel's shared options (see Part). */
export class MemoryPart extends Part {
    renderNoSession() {
        this.$('context-memory').replaceChildren(el('p', { class: 'muted' }, this.t('context.noSession')));
    }

    loadMemory() {
        const id = this.sessionId();
        if (!id) {
            return Promise.resolve();
        }
        return this.loader.load('memory', this.$('context-memory'), () => this.api.sessionMemory(id), (stats) => {
            if (id === this.sessionId()) {
                this.renderMemory(stats ?? {});
            }
        }, () => this.loadMemory());
    }

    renderMemory(stats) {
        const t = this.t;
        const m = memoryShares(stats);
        const n = (v) => formatNumber(v, t.lang);
        const box = this.$('context-memory');
        if (m.total === 0) {
            box.replaceChildren(el('p', { class: 'muted' }, t('context.memory.none')));
            return;
        }
        const memoryPercent = formatPercent(m.memoryPercent, t.lang);
        const chatPercent = formatPercent(m.chatPercent, t.lang);
        const summary = t('context.memory.summary', { memory: n(m.memory), memoryPercent, chat: n(m.chat), chatPercent });
        box.replaceChildren(
            el('div', { class: 'share-bar', role: 'img', 'aria-label': summary },
                sized(el('span', { class: 'share-memory' }), m.memoryPercent),
                sized(el('span', { class: 'share-chat' }), m.chatPercent)),
            el('ul', { class: 'legend' },
                el('li', {}, el('span', { class: 'swatch share-memory', 'aria-hidden': 'true' }),
                    t('context.memory.memory', { tokens: n(m.memory), percent: memoryPercent })),
                el('li', {}, el('span', { class: 'swatch share-chat', 'aria-hidden': 'true' }),
                    t('context.memory.chat', { tokens: n(m.chat), percent: chatPercent }))),
            el('p', { class: 'muted small' }, t('context.memory.requests', {
                with: counted(t, 'context.memory.withMemory', m.withMemory), requests: n(m.requests),
                markers: counted(t, 'context.memory.markers', m.markers),
            })));
    }

    loadServers() {
        return this.loader.load('servers', this.$('context-servers'), () => this.api.memoryServers(),
            (body) => this.renderServers(body ?? {}), () => this.loadServers());
    }

    renderServers(body) {
        const t = this.t;
        const servers = Array.isArray(body.servers) ? body.servers : [];
        const workspace = body.workspace
            ? el('p', { class: 'muted small' }, labelled(t, t('context.servers.workspace'), body.workspace)) : '';
        if (servers.length === 0) {
            this.$('context-servers').replaceChildren(el('p', { class: 'muted' }, t('context.servers.none')), workspace);
            return;
        }
        this.$('context-servers').replaceChildren(el('ul', { class: 'server-list' }, servers.map((s) => {
            const status = serverStatus(s);
            return el('li', { dataset: { server: s.name ?? '', status } },
                el('span', { class: `badge server-${status}` }, t(`context.servers.${status}`)),
                el('strong', {}, s.name ?? '—'),
                el('span', { class: 'muted small server-url' }, s.url ?? ''),
                Number.isFinite(s.latency_ms) ? el('span', { class: 'muted small' }, formatDuration(s.latency_ms, t.lang)) : null,
                s.last_checked ? el('span', { class: 'muted small' },
                    t('context.servers.checked', { time: formatDateTime(s.last_checked, t.lang) })) : null,
                s.last_error ? el('span', { class: 'server-error small' }, s.last_error) : null);
        })), workspace);
    }
}
