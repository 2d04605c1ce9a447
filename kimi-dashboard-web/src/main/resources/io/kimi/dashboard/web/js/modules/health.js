// The server's health under the header: GET /health names each check with a code (docs/metrics.md), and the
// page shows the failing ones in its language; nothing while all is well. Asked when the page opens, on each
// live (re)connection and every 30 s while the page is visible, one request at a time, each given up after 10 s.

import { EventBus } from './utils.js';
import { el } from './ui.js';

/** The codes of failing checks the page has a sentence for (i18n keys health.code.<code>). */
export const HEALTH_CODES = Object.freeze(['database_unreachable', 'convergence_unreachable', 'log_source_unreadable']);

export const HEALTH_INTERVAL_MS = 30000;
export const HEALTH_TIMEOUT_MS = 10000;

/** The failing checks of a /health answer, as [{code, name}]; none for an answer without checks. */
export function healthProblems(body) {
    const checks = Array.isArray(body?.checks) ? body.checks : [];
    return checks
        .filter((c) => c && c.ok === false && typeof c.code === 'string')
        .map((c) => ({ code: c.code, name: typeof c.name === 'string' ? c.name : null }));
}

/** A failing check in the page's language; a code the page does not know yet is shown as it is. */
export function problemText(t, problem) {
    const key = `health.code.${problem.code}`;
    return HEALTH_CODES.includes(problem.code) && t.has(key)
        ? t(key, { name: problem.name ?? '' })
        : t('health.unknownCode', { code: problem.code });
}

export class HealthLine {
    /**
     * @param {object} options box (the element shown when something fails), t, bus, fetchImpl, token, and for
     *                 tests intervalMs and timeoutMs
     */
    constructor({ box, t, bus = EventBus, fetchImpl = (...args) => fetch(...args), token = null,
        intervalMs = HEALTH_INTERVAL_MS, timeoutMs = HEALTH_TIMEOUT_MS }) {
        this.box = box;
        this.t = t;
        this.fetchImpl = fetchImpl;
        this.token = token;
        this.timeoutMs = timeoutMs;
        this.pending = null;
        this.shown = '';
        bus.on('ws:state', (s) => {
            if (s?.state === 'connected') {
                this.check();
            }
        });
        // A page in a background tab does not ask; it asks again on its next live (re)connection or tick.
        this.timer = setInterval(() => {
            if (!document.hidden) {
                this.check();
            }
        }, intervalMs);
    }

    /** Asks /health unless a request is under way; resolves when its answer is shown. */
    check() {
        if (!this.pending) {
            this.pending = this.ask().finally(() => {
                this.pending = null;
            });
        }
        return this.pending;
    }

    async ask() {
        const headers = { Accept: 'application/json' };
        if (this.token) {
            headers.Authorization = `Bearer ${this.token}`;
        }
        let body;
        try {
            // 503 is the answer of a degraded server: its body still says why.
            const response = await this.fetchImpl('/health', {
                headers, cache: 'no-store', signal: AbortSignal.timeout(this.timeoutMs),
            });
            body = await response.json();
        } catch (error) {
            // The connection indicator already says when the server is gone; keep the last known state.
            console.warn('Health check failed:', error);
            return;
        }
        this.render(healthProblems(body));
    }

    render(problems) {
        this.box.dataset.state = problems.length === 0 ? 'ok' : 'failing';
        const signature = JSON.stringify(problems);
        if (signature === this.shown) {
            return;
        }
        this.shown = signature;
        this.box.hidden = problems.length === 0;
        this.box.replaceChildren(...(problems.length === 0 ? [] : [
            el('strong', {}, this.t('health.title')),
            el('ul', {}, problems.map((p) => el('li', { dataset: { code: p.code } }, problemText(this.t, p)))),
        ]));
    }

    close() {
        clearInterval(this.timer);
    }
}
