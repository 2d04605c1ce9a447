// Event bus and pure helpers (formatting, gauge level, backoff, point capping, batching).
// Nothing here touches the DOM, so Node's test runner can import it (src/test/js/utils.test.js).

/** Creates an event bus: modules talk through named events instead of importing each other. */
export function createEventBus() {
    const handlers = new Map();
    return {
        on(name, handler) {
            if (!handlers.has(name)) {
                handlers.set(name, new Set());
            }
            handlers.get(name).add(handler);
            return () => this.off(name, handler);
        },
        off(name, handler) {
            handlers.get(name)?.delete(handler);
        },
        emit(name, data) {
            const set = handlers.get(name);
            if (!set) {
                return 0;
            }
            for (const handler of [...set]) {
                try {
                    handler(data);
                } catch (error) {
                    // One failing handler must not stop the others; the error stays visible.
                    console.warn(`Gestionnaire de l'événement « ${name} » en échec :`, error);
                }
            }
            return set.size;
        },
        count(name) {
            return handlers.get(name)?.size ?? 0;
        },
    };
}

/** The page's one bus. */
export const EventBus = createEventBus();

/**
 * The context level of a fill percentage, named like the server's [thresholds] keys and its alerts: "normal"
 * below warning, then "warning", "high" and "critical" from each threshold up (defaults 70, 85, 95).
 */
export function gaugeLevel(percent, thresholds = {}) {
    const warning = Number.isFinite(thresholds.warning) ? thresholds.warning : 70;
    const high = Number.isFinite(thresholds.high) ? thresholds.high : 85;
    const critical = Number.isFinite(thresholds.critical) ? thresholds.critical : 95;
    const p = Number.isFinite(percent) ? percent : 0;
    if (p >= critical) {
        return 'critical';
    }
    if (p >= high) {
        return 'high';
    }
    if (p >= warning) {
        return 'warning';
    }
    return 'normal';
}

/** Context fill in percent, 0 when the window is unknown. */
export function contextPercent(tokens, window) {
    if (!Number.isFinite(tokens) || !Number.isFinite(window) || window <= 0) {
        return 0;
    }
    return (tokens / window) * 100;
}

/**
 * Delay before reconnect attempt number {@code attempt} (0 for the first): base × 2^attempt, capped, with
 * "equal jitter" (between half and all of it) so many pages do not reconnect in step after a restart.
 */
export function backoffDelay(attempt, { baseMs = 500, maxMs = 10000, random = Math.random } = {}) {
    const n = Math.max(0, Math.floor(attempt));
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n, 30));
    return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Keeps only the last {@code max} elements of an array, in place; returns how many were dropped. */
export function capPoints(array, max) {
    const excess = array.length - max;
    if (excess > 0) {
        array.splice(0, excess);
        return excess;
    }
    return 0;
}

/**
 * Collects items and hands them to {@code flush} at most once per {@code intervalMs}: the first item starts a
 * timer, later ones join the batch. Timer functions are injectable for tests.
 */
export function createBatcher(flush, intervalMs = 100,
    { setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) } = {}) {
    let pending = [];
    let timer = null;
    const run = () => {
        timer = null;
        const batch = pending;
        pending = [];
        if (batch.length > 0) {
            flush(batch);
        }
    };
    return {
        add(item) {
            pending.push(item);
            if (timer === null) {
                timer = setTimer(run, intervalMs);
            }
        },
        flushNow() {
            if (timer !== null) {
                clearTimer(timer);
            }
            run();
        },
        cancel() {
            if (timer !== null) {
                clearTimer(timer);
            }
            timer = null;
            pending = [];
        },
        get size() {
            return pending.length;
        },
    };
}

/** Calls {@code fn} at most once per {@code intervalMs}, trailing: the last call in a window wins. */
export function throttle(fn, intervalMs, { setTimer = (f, ms) => setTimeout(f, ms) } = {}) {
    let timer = null;
    let lastArgs = null;
    return (...args) => {
        lastArgs = args;
        if (timer === null) {
            timer = setTimer(() => {
                timer = null;
                fn(...lastArgs);
            }, intervalMs);
        }
    };
}

const LOCALES = { fr: 'fr-FR', en: 'en-GB' };

function localeOf(lang) {
    return LOCALES[lang] ?? LOCALES.fr;
}

/** "12 345" in French, "12,345" in English; "—" for a missing value. */
export function formatNumber(value, lang = 'fr', fractionDigits = 0) {
    if (value === null || value === undefined || !Number.isFinite(Number(value))) {
        return '—';
    }
    return new Intl.NumberFormat(localeOf(lang), {
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
    }).format(Number(value));
}

/** "42,5 %" / "42.5%". */
export function formatPercent(value, lang = 'fr', fractionDigits = 1) {
    if (value === null || value === undefined || !Number.isFinite(Number(value))) {
        return '—';
    }
    return new Intl.NumberFormat(localeOf(lang), {
        style: 'percent',
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
    }).format(Number(value) / 100);
}

/**
 * US dollars with the digits a cost needs: two decimals from one dollar up; under a dollar, three significant
 * digits (at least two decimals), so a real per-request cost never reads as zero: "0,0000725 $US",
 * "0,0123 $US", "0,50 $US", "1,50 $US". Zero is "0 $US", whatever the row.
 */
export function formatCost(value, lang = 'fr') {
    const v = Number(value);
    if (value === null || value === undefined || !Number.isFinite(v)) {
        return '—';
    }
    let min = 2;
    let max = 2;
    if (v === 0) {
        min = 0;
        max = 0;
    } else if (Math.abs(v) < 1) {
        // 3 significant digits: 0.0000725 has its first one at the 5th decimal, so 7 decimals (at most 12).
        max = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(v)))));
    }
    return new Intl.NumberFormat(localeOf(lang), {
        style: 'currency',
        currency: 'USD',
        minimumFractionDigits: min,
        maximumFractionDigits: max,
    }).format(v);
}

/** Milliseconds as "850 ms", "1,2 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms, lang = 'fr') {
    const v = Number(ms);
    if (ms === null || ms === undefined || !Number.isFinite(v) || v < 0) {
        return '—';
    }
    if (v < 1000) {
        return `${Math.round(v)} ms`;
    }
    if (v < 60000) {
        return `${formatNumber(v / 1000, lang, 1)} s`;
    }
    const totalSeconds = Math.round(v / 1000);
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    if (hours > 0) {
        return `${hours} h ${String(minutes).padStart(2, '0')} min`;
    }
    return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** Time of day "14:03:27" for an ISO string or epoch milliseconds. */
export function formatTime(value, lang = 'fr') {
    const ms = toMillis(value);
    if (ms === null) {
        return '—';
    }
    return new Intl.DateTimeFormat(localeOf(lang), {
        hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
    }).format(new Date(ms));
}

/** Hours and minutes "14:03" for an ISO string or epoch milliseconds. */
export function formatMinute(value, lang = 'fr') {
    const ms = toMillis(value);
    if (ms === null) {
        return '—';
    }
    return new Intl.DateTimeFormat(localeOf(lang), { hour: '2-digit', minute: '2-digit', hour12: false })
        .format(new Date(ms));
}

/** Date and time "23/11/2026 14:03". */
export function formatDateTime(value, lang = 'fr') {
    const ms = toMillis(value);
    if (ms === null) {
        return '—';
    }
    return new Intl.DateTimeFormat(localeOf(lang), {
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
    }).format(new Date(ms));
}

/** Epoch milliseconds from an ISO-8601 string (nanosecond digits allowed) or a number; null if neither. */
export function toMillis(value) {
    if (typeof value === 'number') {
        return Number.isFinite(value) ? value : null;
    }
    if (typeof value !== 'string' || value === '') {
        return null;
    }
    // Date.parse takes at most millisecond precision on some engines: trim longer fractions.
    const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : ms;
}

/** Relative gap between our estimate and the provider's count, in percent; null when not comparable. */
export function estimateGapPercent(estimated, reported) {
    if (!Number.isFinite(estimated) || !Number.isFinite(reported) || reported <= 0) {
        return null;
    }
    return ((estimated - reported) / reported) * 100;
}

/** Which doughnut slice a request belongs to: failures are "error", else its source. */
export function sourceBucket(request) {
    if (request && request.status && request.status !== 'success') {
        return 'error';
    }
    const source = String(request?.source ?? 'proxy').toLowerCase();
    if (source.startsWith('log')) {
        return 'logs';
    }
    if (source.includes('compile')) {
        return 'compilechat';
    }
    return 'proxy';
}
