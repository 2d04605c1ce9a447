// Pure parts of the « Contexte » panel: what a request saved, the savings tally of a session since the page
// opened, and the shapes the panel draws from the context-feature routes (docs/features.md). No DOM here, so
// Node's test runner imports it (src/test/js/context.test.js).

import { formatNumber, formatPercent, toMillis } from './utils.js';

/** The transformers in the order the proxy runs them; a feature the server adds later goes after these. */
export const FEATURE_ORDER = Object.freeze(['tool_repair', 'sanitizer', 'compaction', 'memory']);

const finite = (v) => (v === null || v === undefined || v === '' ? null : (Number.isFinite(Number(v)) ? Number(v) : null));

/**
 * What one request saved, from a REQUEST_COMPLETED (or REQUEST_FAILED) event's data: the prompt as the client
 * sent it ({@code original_prompt_tokens}) against the prompt as sent upstream, both counted by us
 * ({@code estimated_prompt_tokens}; the provider's {@code prompt_tokens} when ours is missing). Null when the
 * request carries no original count (no feature changed it). Saved may be negative: a repaired tool call id
 * costs a few tokens.
 */
export function requestSavings(data) {
    const original = finite(data?.original_prompt_tokens);
    if (original === null) {
        return null;
    }
    const sent = finite(data?.estimated_prompt_tokens) ?? finite(data?.prompt_tokens);
    if (sent === null) {
        return null;
    }
    return { original, sent, saved: original - sent };
}

/** Share of {@code original} that was saved, in percent; null when there is nothing to compare to. */
export function savedPercent(saved, original) {
    const s = finite(saved);
    const o = finite(original);
    if (s === null || o === null || o <= 0) {
        return null;
    }
    return (s / o) * 100;
}

/** "12 345 tokens (30,0 %)" in French, "12,345 tokens (30.0%)" in English; "—" without a figure. */
export function formatSavings(t, saved, original = null) {
    const s = finite(saved);
    if (s === null) {
        return '—';
    }
    const tokens = formatNumber(s, t.lang);
    const percent = savedPercent(s, original);
    return percent === null
        ? t('context.tokens', { tokens })
        : t('context.tokensPercent', { tokens, percent: formatPercent(percent, t.lang) });
}

/** "41 210 → 12 000 tokens". */
export function formatBeforeAfter(t, before, after) {
    return t('context.beforeAfter', { before: formatNumber(before, t.lang), after: formatNumber(after, t.lang) });
}

/**
 * Sums what each session's requests saved since the page opened, from live REQUEST_COMPLETED / REQUEST_FAILED
 * events. A request counts once however often its event arrives; the remembered ids are bounded.
 */
export class SavingsTally {
    constructor({ maxRemembered = 5000 } = {}) {
        this.maxRemembered = maxRemembered;
        this.sessions = new Map();
        this.seen = new Set();
    }

    /** Folds an event in; true when it counted (a new request that went through a feature). */
    add(event) {
        if (event?.event_type !== 'REQUEST_COMPLETED' && event?.event_type !== 'REQUEST_FAILED') {
            return false;
        }
        const data = event.data ?? {};
        const savings = requestSavings(data);
        if (!savings || !event.session_id) {
            return false;
        }
        const key = `${event.session_id}/${data.request_id ?? event.event_id ?? ''}`;
        if (this.seen.has(key)) {
            return false;
        }
        this.remember(key);
        const s = this.sessions.get(event.session_id) ?? { requests: 0, original: 0, sent: 0, saved: 0, last: null };
        s.requests += 1;
        s.original += savings.original;
        s.sent += savings.sent;
        s.saved += savings.saved;
        s.last = { requestId: data.request_id ?? null, ...savings, features: featureSavings(data.features) };
        this.sessions.set(event.session_id, s);
        return true;
    }

    /** {requests, original, sent, saved, percent, last} for a session; zeros when nothing was seen. */
    forSession(sessionId) {
        const s = this.sessions.get(sessionId);
        if (!s) {
            return { requests: 0, original: 0, sent: 0, saved: 0, percent: null, last: null };
        }
        return { ...s, percent: savedPercent(s.saved, s.original) };
    }

    remember(key) {
        this.seen.add(key);
        if (this.seen.size > this.maxRemembered) {
            this.seen.delete(this.seen.values().next().value);
        }
    }
}

/** Per-feature savings of a request, from its event's {@code features} object, in the proxy's order. */
export function featureSavings(features) {
    if (!features || typeof features !== 'object') {
        return [];
    }
    return Object.entries(features)
        .map(([name, f]) => ({
            name,
            changed: finite(f?.changed) ?? 0,
            saved: finite(f?.saved_tokens) ?? ((finite(f?.tokens_before) ?? 0) - (finite(f?.tokens_after) ?? 0)),
        }))
        .sort((a, b) => featureRank(a.name) - featureRank(b.name));
}

function featureRank(name) {
    const i = FEATURE_ORDER.indexOf(name);
    return i < 0 ? FEATURE_ORDER.length : i;
}

/** GET /api/features as [{name, enabled, order}] in run order, whatever the wrapping. */
export function featureList(body) {
    const items = Array.isArray(body) ? body : (Array.isArray(body?.features) ? body.features : []);
    return items
        .filter((f) => f && typeof f.name === 'string')
        .map((f) => ({ name: f.name, enabled: f.enabled === true, order: finite(f.order) ?? featureRank(f.name) + 1 }))
        .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/** A feature's label; unknown features are shown by name. */
export function featureLabel(t, name) {
    return t.has(`feature.${name}`) ? t(`feature.${name}`) : name;
}

/** The short form of a mask hash shown in lists: the first 8 hex digits and an ellipsis. */
export function shortHash(hash) {
    const h = String(hash ?? '');
    return h.length > 10 ? `${h.slice(0, 8)}…` : h;
}

/** One mask of GET /api/mask (or /api/mask/{hash}) as the panel shows it. */
export function maskView(m = {}) {
    const original = finite(m.original_tokens);
    const placeholder = finite(m.placeholder_tokens);
    const saved = finite(m.saved_tokens) ?? (original !== null && placeholder !== null ? original - placeholder : null);
    return {
        hash: String(m.hash ?? ''),
        short: shortHash(m.hash),
        sessionId: m.session_id ?? null,
        requestId: m.request_id ?? null,
        role: m.role ?? null,
        tool: m.tool_name ?? null,
        original,
        placeholder,
        saved,
        createdAt: m.created_at ?? null,
        preview: typeof m.preview === 'string' ? m.preview : '',
        content: typeof m.content === 'string' ? m.content : null,
    };
}

/** A compaction record (REST or COMPACTION_* event data) as the panel shows it. */
export function recordView(r = {}) {
    const before = finite(r.tokens_before);
    const after = finite(r.tokens_after);
    const saved = finite(r.saved_tokens) ?? (before !== null && after !== null ? before - after : null);
    const undone = Boolean(r.undone_at) || r.active === false;
    return {
        id: String(r.compaction_id ?? ''),
        sessionId: r.session_id ?? null,
        createdAt: r.created_at ?? null,
        kind: r.automatic === true ? 'automatic' : 'manual',
        method: r.method === 'model' ? 'model' : 'heuristic',
        replaced: finite(r.messages_replaced),
        before,
        after,
        saved,
        percent: savedPercent(saved, before),
        status: undone ? 'undone' : 'active',
        undoneAt: r.undone_at ?? null,
        summary: typeof r.summary === 'string' ? r.summary : '',
    };
}

/**
 * The history from GET /api/sessions/{id}/compaction: every record once (active ones may be listed in both
 * arrays), newest first.
 */
export function compactionHistory(state) {
    const byId = new Map();
    for (const r of [...(state?.history ?? []), ...(state?.active ?? [])]) {
        const v = recordView(r);
        const key = v.id || `${v.createdAt}/${byId.size}`;
        const known = byId.get(key);
        // An undone copy wins over an active one of the same record.
        if (!known || (known.status === 'active' && v.status === 'undone')) {
            byId.set(key, v);
        }
    }
    return [...byId.values()].sort((a, b) => (toMillis(b.createdAt) ?? 0) - (toMillis(a.createdAt) ?? 0));
}

/** Tokens the active compactions take off every request of the session. */
export function activeCompactionSavings(state) {
    return compactionHistory(state).filter((r) => r.status === 'active')
        .reduce((sum, r) => sum + (r.saved ?? 0), 0);
}

/** A preview (POST .../compaction/preview) as the panel shows it. */
export function previewView(p = {}) {
    const before = finite(p.tokens_before);
    const after = finite(p.tokens_after);
    const saved = finite(p.saved_tokens) ?? (before !== null && after !== null ? before - after : null);
    return {
        sessionId: p.session_id ?? null,
        total: finite(p.messages_total),
        replaced: finite(p.messages_replaced),
        kept: finite(p.messages_kept),
        before,
        after,
        saved,
        percent: savedPercent(saved, before),
        summary: typeof p.summary === 'string' ? p.summary : '',
        method: p.method === 'model' ? 'model' : 'heuristic',
    };
}

/** Memory against chat tokens from GET /api/sessions/{id}/memory, with the shares in percent. */
export function memoryShares(stats = {}) {
    const memory = Math.max(0, finite(stats.memory_tokens) ?? 0);
    const chat = Math.max(0, finite(stats.chat_tokens) ?? 0);
    const total = memory + chat;
    return {
        memory,
        chat,
        total,
        memoryPercent: total > 0 ? (memory / total) * 100 : 0,
        chatPercent: total > 0 ? (chat / total) * 100 : 0,
        requests: finite(stats.requests) ?? 0,
        withMemory: finite(stats.requests_with_memory) ?? 0,
        markers: finite(stats.markers) ?? 0,
    };
}

/** An MCP server's health word: up, down or unknown. */
export function serverStatus(server) {
    const s = String(server?.status ?? '').toLowerCase();
    return s === 'up' || s === 'down' ? s : 'unknown';
}

/** The readable text of a failed call: the server's message, with its status when it has one. */
export function errorText(t, error) {
    if (error?.status) {
        return t('error.http', { status: error.status, message: error.message });
    }
    return t('error.network', { detail: error?.message ?? String(error) });
}
