// REST client for the dashboard's /api routes. Errors come back as ApiError with a readable message taken
// from the server's OpenAI-shaped body ({"error":{"message","code"}}), never as an empty panel.
//
// As seed 000's client: GET answers are reused for 30 s, and a request that failed on the network or with a
// 5xx is retried 3 times with exponential backoff (never after a 4xx). Unlike the seed, an answer is reused
// only while the live WebSocket is connected, and the live messages that change what it holds drop it at once
// (cacheRule below), so the page never shows older data than it would without the cache.

import { backoffDelay } from './utils.js';

export class ApiError extends Error {
    constructor(status, code, message, endpoint) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.endpoint = endpoint;
    }
}

/** Reads the error message out of a failed response's body text. */
export function errorFromBody(status, text, endpoint) {
    let code = null;
    let message = null;
    try {
        const body = JSON.parse(text);
        code = body?.error?.code ?? null;
        message = body?.error?.message ?? null;
    } catch {
        // Not JSON (a proxy in between, say): fall back to the text itself.
    }
    if (!message) {
        message = (text || '').trim().slice(0, 200) || `HTTP ${status}`;
    }
    return new ApiError(status, code, message, endpoint);
}

/** How long a GET answer is reused, at most. */
export const CACHE_TTL_MS = 30000;
/** Retries after the first attempt, for network errors and 5xx answers. */
export const RETRIES = 3;
/** Longest a REST call waits for a whole answer; then it fails as 'timeout' (and is retried like a network error). */
export const TIMEOUT_MS = 15000;
/** Longest an export download may take: a large session's file takes longer to build than an answer. */
export const DOWNLOAD_TIMEOUT_MS = 120000;

const SESSION_CHANGES = new Set(['metric', 'event', 'session', 'alert']);

/** The session a live message is about: an event carries it flat, the others in data. */
function sessionOf(type, message) {
    const id = type === 'event' ? message?.session_id : message?.data?.session_id;
    return typeof id === 'string' ? id : null;
}

/**
 * The GET routes whose answers may be reused, each with the live messages that make a stored answer stale
 * ('init' makes every one stale). Routes not listed (features, rate limits, MCP servers' status...) change
 * without a live message and are always asked again.
 */
const CACHE_RULES = [
    // Session lists and the active session: any request, event or session change may move them.
    { pattern: /^\/api\/sessions(?:\?.*)?$/, staleOn: (type) => SESSION_CHANGES.has(type) },
    { pattern: /^\/api\/sessions\/active$/, staleOn: (type) => SESSION_CHANGES.has(type) },
    // One session (and its metrics, events, compaction, memory): its own messages, or any session change
    // (activating one deactivates the others).
    {
        pattern: /^\/api\/sessions\/([^/?]+)(?:\/[a-z]+)?(?:\?.*)?$/,
        staleOn: (type, message, match) => type === 'session'
            || (SESSION_CHANGES.has(type) && sessionOf(type, message) === decodeURIComponent(match[1])),
    },
    { pattern: /^\/api\/metrics$/, staleOn: (type) => SESSION_CHANGES.has(type) },
    { pattern: /^\/api\/widgets$/, staleOn: (type) => type === 'widget' },
    // Masking and memory figures move with requests (CONTENT_MASKED events, metric messages).
    { pattern: /^\/api\/(?:sanitizer\/stats|memory\/stats|mask(?:\?.*)?)$/, staleOn: (type) => type === 'metric' || type === 'event' },
    // Content by hash never changes; the configured models change only with a restart (then 'init').
    { pattern: /^\/api\/mask\/[^/?]+$/, staleOn: () => false },
    { pattern: /^\/api\/models$/, staleOn: () => false },
];

/** The rule of a GET endpoint and its match, or null when its answer must not be reused. */
export function cacheRule(endpoint) {
    for (const rule of CACHE_RULES) {
        const match = rule.pattern.exec(endpoint);
        if (match) {
            return { rule, match };
        }
    }
    return null;
}

/** Whether a live message of this type makes the stored answer of {@code endpoint} stale. */
export function staleAfter(endpoint, type, message) {
    if (type === 'init') {
        return true;
    }
    const found = cacheRule(endpoint);
    return found !== null && found.rule.staleOn(type, message, found.match);
}

const LIVE_TYPES = ['init', 'metric', 'event', 'session', 'alert', 'widget'];
const IDEMPOTENT = new Set(['GET', 'PUT']);

export class ApiClient {
    /**
     * @param {object} options baseUrl (default: this page's origin), token (sent as a Bearer header, for
     *                 servers started with KIMI_AUTH_TOKEN), bus (the page's event bus: 'ws:*' messages keep the
     *                 cache true, and final failures are emitted as 'api:error'; without one nothing is
     *                 cached), timeoutMs (per attempt, headers and body), and for tests fetchImpl, now, sleep,
     *                 random, cacheTtlMs, retries, retryBaseMs, retryMaxMs, maxCacheEntries
     */
    constructor({
        baseUrl = '',
        token = null,
        bus = null,
        fetchImpl = (...args) => fetch(...args),
        now = () => Date.now(),
        sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random = Math.random,
        cacheTtlMs = CACHE_TTL_MS,
        retries = RETRIES,
        retryBaseMs = 500,
        retryMaxMs = 4000,
        maxCacheEntries = 200,
        timeoutMs = TIMEOUT_MS,
    } = {}) {
        this.timeoutMs = timeoutMs;
        this.baseUrl = baseUrl;
        this.token = token;
        this.bus = bus;
        this.fetchImpl = fetchImpl;
        this.now = now;
        this.sleep = sleep;
        this.random = random;
        this.cacheTtlMs = cacheTtlMs;
        this.retries = retries;
        this.retryBaseMs = retryBaseMs;
        this.retryMaxMs = retryMaxMs;
        this.maxCacheEntries = maxCacheEntries;
        /** endpoint → {data, at}: answers to reuse, oldest first. */
        this.cache = new Map();
        /** endpoint → {promise, stale}: GETs under way, shared by callers asking the same meanwhile. */
        this.inflight = new Map();
        /** Answers are reused only while the live feed is connected: without it, nothing says they changed. */
        this.live = false;
        if (bus) {
            bus.on('ws:state', (s) => {
                this.live = s?.state === 'connected';
                if (!this.live) {
                    this.clearCache();
                }
            });
            for (const type of LIVE_TYPES) {
                bus.on(`ws:${type}`, (message) => this.invalidate(type, message));
            }
        }
    }

    /** Drops every stored answer, and keeps answers under way from being stored. */
    clearCache() {
        this.cache.clear();
        for (const pending of this.inflight.values()) {
            pending.stale = true;
        }
    }

    /** Drops the stored answers (and those under way) that a live message of this type makes stale. */
    invalidate(type, message) {
        for (const endpoint of [...this.cache.keys()]) {
            if (staleAfter(endpoint, type, message)) {
                this.cache.delete(endpoint);
            }
        }
        for (const [endpoint, pending] of this.inflight) {
            if (staleAfter(endpoint, type, message)) {
                pending.stale = true;
            }
        }
    }

    async request(endpoint, { method = 'GET', body } = {}) {
        if (method !== 'GET') {
            try {
                return await this.send(endpoint, method, body);
            } finally {
                // A change made here may touch anything stored; its live message may come later or never.
                this.clearCache();
            }
        }
        const cacheable = this.bus !== null && this.cacheTtlMs > 0 && cacheRule(endpoint) !== null;
        if (!cacheable) {
            return this.send(endpoint, method, body);
        }
        const hit = this.cache.get(endpoint);
        if (hit && this.now() - hit.at < this.cacheTtlMs) {
            return structuredClone(hit.data);
        }
        this.cache.delete(endpoint);
        let pending = this.inflight.get(endpoint);
        if (!pending || pending.stale) {
            pending = { stale: !this.live, promise: null };
            const started = this.now();
            pending.promise = this.send(endpoint, method, body).then((data) => {
                if (!pending.stale && this.live) {
                    this.store(endpoint, data, started);
                }
                return data;
            }).finally(() => {
                if (this.inflight.get(endpoint) === pending) {
                    this.inflight.delete(endpoint);
                }
            });
            this.inflight.set(endpoint, pending);
        }
        return structuredClone(await pending.promise);
    }

    store(endpoint, data, at) {
        this.cache.delete(endpoint);
        this.cache.set(endpoint, { data, at });
        while (this.cache.size > this.maxCacheEntries) {
            this.cache.delete(this.cache.keys().next().value);
        }
    }

    /** One request, retried after a network error or a 5xx when it is idempotent (never after a 4xx). */
    async send(endpoint, method, body) {
        for (let attempt = 0; ; attempt += 1) {
            try {
                return await this.attempt(endpoint, method, body);
            } catch (error) {
                const retryable = error instanceof ApiError && (error.status === 0 || error.status >= 500)
                    && IDEMPOTENT.has(method);
                if (!retryable || attempt >= this.retries) {
                    this.bus?.emit('api:error', error);
                    throw error;
                }
                await this.sleep(backoffDelay(attempt, {
                    baseMs: this.retryBaseMs, maxMs: this.retryMaxMs, random: this.random,
                }));
            }
        }
    }

    async attempt(endpoint, method, body) {
        const headers = { Accept: 'application/json' };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        if (this.token) {
            headers.Authorization = `Bearer ${this.token}`;
        }
        const { response, text } = await this.fetchWithin(endpoint, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            cache: 'no-store',
        }, this.timeoutMs, (r) => r.text());
        if (!response.ok) {
            throw errorFromBody(response.status, text, endpoint);
        }
        if (text === '') {
            return null;
        }
        return JSON.parse(text);
    }

    /**
     * One fetch whose answer, body included ({@code read} reads it), must come within {@code timeoutMs}: a server
     * that never answers, or a connection lost without a reset, fails as ApiError(0, 'timeout') instead of
     * holding the call (and every caller sharing it) forever. A network error is ApiError(0, 'network').
     */
    async fetchWithin(endpoint, init, timeoutMs, read) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        try {
            const response = await this.fetchImpl(this.baseUrl + endpoint, { ...init, signal: controller.signal });
            return { response, text: await read(response) };
        } catch (cause) {
            if (controller.signal.aborted) {
                throw new ApiError(0, 'timeout', `no answer within ${timeoutMs} ms`, endpoint);
            }
            throw new ApiError(0, 'network', cause?.message || String(cause), endpoint);
        } finally {
            clearTimeout(timer);
        }
    }

    listSessions({ limit = 10, offset = 0, kind = null, status = null } = {}) {
        const q = new URLSearchParams({ limit: String(limit), offset: String(offset) });
        if (kind) {
            q.set('kind', kind);
        }
        if (status) {
            q.set('status', status);
        }
        return this.request(`/api/sessions?${q}`);
    }

    getSession(id) {
        return this.request(`/api/sessions/${encodeURIComponent(id)}`);
    }

    createSession({ name, model }) {
        const body = {};
        if (name) {
            body.name = name;
        }
        if (model) {
            body.model = model;
        }
        return this.request('/api/sessions', { method: 'POST', body });
    }

    activateSession(id) {
        return this.request(`/api/sessions/${encodeURIComponent(id)}/activate`, { method: 'POST' });
    }

    deleteSession(id) {
        return this.request(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
    }

    sessionMetrics(id) {
        return this.request(`/api/sessions/${encodeURIComponent(id)}/metrics`);
    }

    sessionEvents(id, { limit = 100, offset = 0 } = {}) {
        return this.request(`/api/sessions/${encodeURIComponent(id)}/events?limit=${limit}&offset=${offset}`);
    }

    metrics() {
        return this.request('/api/metrics');
    }

    models() {
        return this.request('/api/models');
    }

    widgets() {
        return this.request('/api/widgets');
    }

    // Context features (docs/features.md).

    features() {
        return this.request('/api/features');
    }

    setFeature(name, enabled) {
        return this.request(`/api/features/${encodeURIComponent(name)}`, { method: 'PUT', body: { enabled } });
    }

    sanitizerStats() {
        return this.request('/api/sanitizer/stats');
    }

    masks({ limit = 20, offset = 0 } = {}) {
        return this.request(`/api/mask?limit=${limit}&offset=${offset}`);
    }

    mask(hash) {
        return this.request(`/api/mask/${encodeURIComponent(hash)}`);
    }

    compaction(sessionId) {
        return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/compaction`);
    }

    previewCompaction(sessionId) {
        return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/compaction/preview`, { method: 'POST' });
    }

    compact(sessionId) {
        return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/compaction`, { method: 'POST' });
    }

    undoCompaction(sessionId) {
        return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/compaction/undo`, { method: 'POST' });
    }

    sessionMemory(sessionId) {
        return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/memory`);
    }

    memoryServers() {
        return this.request('/api/memory/servers');
    }

    /**
     * Downloads an export (CSV or JSON) through fetch, so it carries the token and a failure shows a message:
     * resolves to {blob, filename}.
     */
    async download(format, sessionId) {
        const endpoint = `/api/export/${format}${sessionId ? `?session_id=${encodeURIComponent(sessionId)}` : ''}`;
        const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
        const { response, text: blob } = await this.fetchWithin(endpoint, { headers, cache: 'no-store' },
            DOWNLOAD_TIMEOUT_MS, (r) => (r.ok ? r.blob() : r.text()));
        if (!response.ok) {
            throw errorFromBody(response.status, blob, endpoint);
        }
        const disposition = response.headers.get('Content-Disposition') || '';
        const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
        const filename = match ? decodeURIComponent(match[1]) : `session${sessionId ? `-${sessionId}` : ''}.${format}`;
        return { blob, filename };
    }
}
