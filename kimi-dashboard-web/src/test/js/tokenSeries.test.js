// The token chart's series (js/modules/tokenSeries.js): per request and per minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSeries, minuteOf } from '../../main/resources/io/kimi/dashboard/web/js/modules/tokenSeries.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (seconds, prompt, completion = 0, id = `r${seconds}`) => ({
    request_id: id, timestamp: new Date(T0 + seconds * 1000).toISOString(), prompt_tokens: prompt,
    completion_tokens: completion,
});

test('per request keeps the last N requests in time order, one point each', () => {
    const s = new TokenSeries({ maxRequests: 3 });
    s.reset([at(30, 300), at(10, 100), at(20, 200)]);
    s.add(at(31, 310, 5));
    const r = s.perRequest();
    assert.deepEqual(r.prompt, [200, 300, 310]);
    assert.deepEqual(r.completion, [0, 0, 5]);
    assert.deepEqual(r.labels, [T0 + 20000, T0 + 30000, T0 + 31000]);
});

test('a late request is put in its place, not at the end', () => {
    const s = new TokenSeries();
    s.add(at(10, 1));
    s.add(at(30, 3));
    s.add(at(20, 2));
    assert.deepEqual(s.perRequest().prompt, [1, 2, 3]);
});

test('per minute sums each minute and shows a pause as zeros up to now', () => {
    const s = new TokenSeries({ minMinutes: 1 });
    // A burst of three requests in one second, then a pause of three minutes, then one more.
    s.reset([at(5, 100, 10), at(5.2, 200, 20), at(5.9, 300, 30), at(200, 50, 5)]);
    const m = s.perMinute(T0 + 5 * 60000 + 1000);
    assert.deepEqual(m.labels, [0, 1, 2, 3, 4, 5].map((i) => T0 + i * 60000));
    assert.deepEqual(m.prompt, [600, 0, 0, 50, 0, 0]);
    assert.deepEqual(m.completion, [60, 0, 0, 5, 0, 0]);
});

test('per minute covers at most M minutes and forgets older buckets', () => {
    const s = new TokenSeries({ maxMinutes: 3, minMinutes: 1 });
    s.reset([at(0, 1), at(60, 2), at(120, 3), at(180, 4)]);
    const m = s.perMinute(T0 + 180000);
    assert.deepEqual(m.prompt, [2, 3, 4]);
    assert.equal(s.buckets.size, 3);
    // Ten minutes later only empty minutes remain in the window.
    assert.deepEqual(s.perMinute(T0 + 13 * 60000).prompt, [0, 0, 0]);
    assert.equal(s.buckets.size, 0);
});

test('a truncated history does not show its partial first minute as complete', () => {
    const s = new TokenSeries({ minMinutes: 1 });
    s.reset([at(50, 100), at(70, 200)], { truncated: true });
    const m = s.perMinute(T0 + 70000);
    assert.deepEqual(m.labels, [T0 + 60000]);
    assert.deepEqual(m.prompt, [200]);
    // The per-request view still has both.
    assert.deepEqual(s.perRequest().prompt, [100, 200]);
});

test('no request, no minute; a request stamped ahead of the browser clock still shows', () => {
    const s = new TokenSeries({ minMinutes: 1 });
    assert.deepEqual(s.perMinute(T0).labels, []);
    s.add(at(150, 7));
    assert.deepEqual(s.perMinute(T0).labels, [minuteOf(T0 + 150000)]);
    assert.deepEqual(s.perMinute(T0).prompt, [7]);
});

test('a short history still gets the minimum span, unknown minutes before it left empty', () => {
    const s = new TokenSeries({ minMinutes: 4 });
    s.reset([at(130, 10, 1)]);
    const m = s.perMinute(T0 + 190000);
    assert.deepEqual(m.labels, [0, 1, 2, 3].map((i) => T0 + i * 60000));
    assert.deepEqual(m.prompt, [null, null, 10, 0]);
    assert.deepEqual(m.completion, [null, null, 1, 0]);
});
