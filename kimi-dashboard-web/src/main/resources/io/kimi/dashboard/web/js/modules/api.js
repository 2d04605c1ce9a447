// REST client for the dashboard's /api routes. Errors come back as ApiError with a readable message taken
// from the server's OpenAI-shaped body ({"error":{"message","code"}}), never as an empty panel.

import { EventBus } from './utils.js';

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

export class ApiClient {
    /**
     * @param {object} options baseUrl (default: this page's origin), token (sent as a Bearer header, for
     *                 servers started with KIMI_AUTH_TOKEN), fetchImpl (for tests)
     */
    constructor({ baseUrl = '', token = null, fetchImpl = (...args) => fetch(...args) } = {}) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.fetchImpl = fetchImpl;
    }

    async request(endpoint, { method = 'GET', body } = {}) {
        const headers = { Accept: 'application/json' };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        if (this.token) {
            headers.Authorization = `Bearer ${this.token}`;
        }
        let response;
        try {
            response = await this.fetchImpl(this.baseUrl + endpoint, {
                method,
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                cache: 'no-store',
            });
        } catch (cause) {
            const error = new ApiError(0, 'network', cause?.message || String(cause), endpoint);
            EventBus.emit('api:error', error);
            throw error;
        }
        const text = await response.text();
        if (!response.ok) {
            const error = errorFromBody(response.status, text, endpoint);
            EventBus.emit('api:error', error);
            throw error;
        }
        if (text === '') {
            return null;
        }
        return JSON.parse(text);
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
        let response;
        try {
            response = await this.fetchImpl(this.baseUrl + endpoint, { headers, cache: 'no-store' });
        } catch (cause) {
            throw new ApiError(0, 'network', cause?.message || String(cause), endpoint);
        }
        if (!response.ok) {
            throw errorFromBody(response.status, await response.text(), endpoint);
        }
        const disposition = response.headers.get('Content-Disposition') || '';
        const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
        const filename = match ? decodeURIComponent(match[1]) : `session${sessionId ? `-${sessionId}` : ''}.${format}`;
        return { blob: await response.blob(), filename };
    }
}
