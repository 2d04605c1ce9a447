// The token chart's two series, from the active session's requests (no DOM: unit-tested in Node).
//  - per request: the last N requests, one point each, evenly spaced (a category axis), so a burst of requests
//    is as readable as a slow trickle;
//  - per minute: prompt and completion tokens summed by minute, every minute present (a pause is a run of
//    zeros), over the last M minutes up to now; at least the last few minutes are on the axis, those before the
//    first known request without a value (null: not known, rather than zero).
// Both are bounded: N requests and M minutes are kept, whatever the page's uptime.

import { toMillis } from './utils.js';

export const TOKEN_MODES = ['request', 'minute'];
const MINUTE = 60000;

/** The start of the minute of epoch milliseconds. */
export function minuteOf(ms) {
    return Math.floor(ms / MINUTE) * MINUTE;
}

export class TokenSeries {
    constructor({ maxRequests = 50, maxMinutes = 60, minMinutes = 10 } = {}) {
        this.maxRequests = maxRequests;
        this.maxMinutes = maxMinutes;
        this.minMinutes = Math.min(minMinutes, maxMinutes);
        this.reset([]);
    }

    /**
     * Starts again from a list of requests (any order). With {@code truncated}, the list is the newest part of a
     * longer history: the minute of its oldest request may be missing requests, so per-minute sums start at the
     * next minute rather than show a partial one as if complete.
     */
    reset(requests, { truncated = false } = {}) {
        this.points = [];
        this.buckets = new Map();
        this.since = null;
        const ordered = requests.map((r) => ({ r, x: toMillis(r.timestamp) }))
            .filter((p) => p.x !== null)
            .sort((a, b) => a.x - b.x);
        for (const { r } of ordered) {
            this.add(r);
        }
        if (truncated && ordered.length > 0) {
            const first = minuteOf(ordered[0].x);
            this.buckets.delete(first);
            this.since = first + MINUTE;
        }
    }

    /** Adds one request (normally the newest). */
    add(request) {
        const x = toMillis(request.timestamp) ?? Date.now();
        const prompt = Number(request.prompt_tokens) || 0;
        const completion = Number(request.completion_tokens) || 0;
        const point = { x, prompt, completion, id: request.request_id ?? null };
        // Live requests come in order; an older one (a late message) is put in its place.
        let i = this.points.length;
        while (i > 0 && this.points[i - 1].x > x) {
            i -= 1;
        }
        this.points.splice(i, 0, point);
        if (this.points.length > this.maxRequests) {
            this.points.splice(0, this.points.length - this.maxRequests);
        }
        const minute = minuteOf(x);
        if (this.since !== null && minute < this.since) {
            return;
        }
        const bucket = this.buckets.get(minute) ?? { prompt: 0, completion: 0 };
        bucket.prompt += prompt;
        bucket.completion += completion;
        this.buckets.set(minute, bucket);
        if (this.since === null) {
            this.since = minute;
        }
        this.prune(this.newestMinute());
    }

    newestMinute() {
        let newest = null;
        for (const m of this.buckets.keys()) {
            newest = newest === null || m > newest ? m : newest;
        }
        return newest;
    }

    prune(endMinute) {
        if (endMinute === null) {
            return;
        }
        const oldest = endMinute - (this.maxMinutes - 1) * MINUTE;
        for (const m of [...this.buckets.keys()]) {
            if (m < oldest) {
                this.buckets.delete(m);
            }
        }
        if (this.since !== null && this.since < oldest) {
            this.since = oldest;
        }
    }

    /** The last N requests, oldest first: {labels: epoch ms, prompt: [...], completion: [...]}. */
    perRequest() {
        return {
            labels: this.points.map((p) => p.x),
            prompt: this.points.map((p) => p.prompt),
            completion: this.points.map((p) => p.completion),
        };
    }

    /**
     * Tokens by minute from the first complete minute to {@code now}'s minute (at most M minutes, at least the
     * minimum, with null before the first complete minute), every minute present: {labels: minute starts in
     * epoch ms, prompt: [...], completion: [...]}. Empty with no request.
     */
    perMinute(now = Date.now()) {
        if (this.since === null) {
            return { labels: [], prompt: [], completion: [] };
        }
        const newest = this.newestMinute();
        // A request stamped after the browser's clock (another machine's time) still shows.
        const end = Math.max(minuteOf(now), newest ?? this.since);
        this.prune(end);
        const known = Math.max(this.since, end - (this.maxMinutes - 1) * MINUTE);
        const start = Math.min(known, end - (this.minMinutes - 1) * MINUTE);
        const labels = [];
        const prompt = [];
        const completion = [];
        for (let m = start; m <= end; m += MINUTE) {
            const b = this.buckets.get(m);
            labels.push(m);
            prompt.push(m < known ? null : (b?.prompt ?? 0));
            completion.push(m < known ? null : (b?.completion ?? 0));
        }
        return { labels, prompt, completion };
    }
}
