// Pure helpers of js/modules/utils.js, run with `node --test` (the Maven build's test phase runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    backoffDelay, capPoints, contextPercent, createBatcher, createEventBus, estimateGapPercent, formatCost,
    formatDuration, formatNumber, formatPercent, formatTime, gaugeLevel, sourceBucket, throttle, toMillis,
} from '../../main/resources/io/kimi/dashboard/web/js/modules/utils.js';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('the context level is named like the thresholds: normal, warning, high, critical', () => {
    const thresholds = { warning: 70, high: 85, critical: 95 };
    assert.equal(gaugeLevel(0, thresholds), 'normal');
    assert.equal(gaugeLevel(69.99, thresholds), 'normal');
    assert.equal(gaugeLevel(70, thresholds), 'warning');
    assert.equal(gaugeLevel(84.9, thresholds), 'warning');
    assert.equal(gaugeLevel(85, thresholds), 'high');
    assert.equal(gaugeLevel(94.9, thresholds), 'high');
    assert.equal(gaugeLevel(95, thresholds), 'critical');
    assert.equal(gaugeLevel(140, thresholds), 'critical');
});

test('the level follows the server thresholds and defaults to 70/85/95', () => {
    assert.equal(gaugeLevel(55, { warning: 50, high: 60, critical: 80 }), 'warning');
    assert.equal(gaugeLevel(61, { warning: 50, high: 60, critical: 80 }), 'high');
    assert.equal(gaugeLevel(81, { warning: 50, high: 60, critical: 80 }), 'critical');
    assert.equal(gaugeLevel(75), 'warning');
    assert.equal(gaugeLevel(90), 'high');
    assert.equal(gaugeLevel(96), 'critical');
    assert.equal(gaugeLevel(Number.NaN), 'normal');
});

test('context percent is tokens over window, 0 without a window', () => {
    assert.equal(contextPercent(52, 60).toFixed(2), '86.67');
    assert.equal(contextPercent(10, 0), 0);
    assert.equal(contextPercent(undefined, 100), 0);
});

test('numbers, percents and costs are formatted in French by default', () => {
    assert.equal(plain(formatNumber(262144)), '262 144');
    assert.equal(formatNumber(262144, 'en'), '262,144');
    assert.equal(plain(formatPercent(86.666)), '86,7 %');
    assert.equal(formatPercent(86.666, 'en'), '86.7%');
    assert.equal(plain(formatCost(0.0123)), '0,0123 $US');
    assert.equal(plain(formatCost(1.5)), '1,50 $US');
    assert.equal(plain(formatCost(7.25e-5)), '0,0000725 $US');
    assert.equal(plain(formatCost(8.500000000000001e-5)), '0,000085 $US');
    assert.equal(plain(formatCost(1.5e-7)), '0,00000015 $US');
    assert.equal(plain(formatCost(0.5)), '0,50 $US');
    assert.equal(plain(formatCost(0.123456)), '0,123 $US');
    assert.equal(plain(formatCost(0)), '0 $US');
    assert.equal(plain(formatCost(1234.5)), '1 234,50 $US');
    assert.equal(formatCost(7.25e-5, 'en'), 'US$0.0000725');
    assert.equal(formatCost(0, 'en'), 'US$0');
    assert.equal(formatCost(1.5, 'en'), 'US$1.50');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatCost(undefined), '—');
});

test('durations read naturally from milliseconds to hours', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(plain(formatDuration(1234)), '1,2 s');
    assert.equal(formatDuration(125000), '2 min 05 s');
    assert.equal(formatDuration(3720000), '1 h 02 min');
    assert.equal(formatDuration(-1), '—');
});

test('ISO timestamps with nanoseconds parse, and times print as HH:mm:ss', () => {
    const ms = toMillis('2026-11-23T17:47:57.591426928Z');
    assert.equal(ms, Date.UTC(2026, 10, 23, 17, 47, 57, 591));
    assert.match(formatTime(ms), /^\d{2}:\d{2}:\d{2}$/);
    assert.equal(toMillis('not a date'), null);
    assert.equal(formatTime(null), '—');
});

test('the estimate gap is relative to the reported count', () => {
    assert.equal(estimateGapPercent(110, 100), 10);
    assert.equal(estimateGapPercent(90, 100), -10);
    assert.equal(estimateGapPercent(5, 0), null);
});

test('requests land in the Proxy, Logs, CompileChat or Erreur slice', () => {
    assert.equal(sourceBucket({ status: 'success', source: 'proxy' }), 'proxy');
    assert.equal(sourceBucket({ status: 'success', source: 'logs' }), 'logs');
    assert.equal(sourceBucket({ status: 'success', source: 'compile_chat' }), 'compilechat');
    assert.equal(sourceBucket({ status: 'error', source: 'proxy' }), 'error');
    assert.equal(sourceBucket({}), 'proxy');
});

test('the event bus delivers to every handler, survives a failing one, and unsubscribes', () => {
    const bus = createEventBus();
    const seen = [];
    const off = bus.on('x', (d) => seen.push(['a', d]));
    bus.on('x', () => {
        throw new Error('boom');
    });
    bus.on('x', (d) => seen.push(['c', d]));
    const warn = console.warn;
    console.warn = () => {};
    try {
        assert.equal(bus.emit('x', 1), 3);
    } finally {
        console.warn = warn;
    }
    assert.deepEqual(seen, [['a', 1], ['c', 1]]);
    off();
    assert.equal(bus.count('x'), 2);
    assert.equal(bus.emit('nobody', 1), 0);
});

test('reconnect delays double from the base, are capped, and keep at least half with jitter', () => {
    const none = () => 1;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 10, 60].map((n) => backoffDelay(n, { baseMs: 500, maxMs: 10000, random: none })),
        [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    assert.equal(backoffDelay(3, { baseMs: 500, maxMs: 10000, random: () => 0 }), 2000);
    for (let i = 0; i < 100; i++) {
        const d = backoffDelay(20);
        assert.ok(d >= 5000 && d <= 10000, `delay ${d}`);
    }
});

test('point capping keeps the newest points, in place', () => {
    const points = Array.from({ length: 250 }, (_, i) => i);
    const same = points;
    assert.equal(capPoints(points, 200), 50);
    assert.equal(points, same);
    assert.equal(points.length, 200);
    assert.equal(points[0], 50);
    assert.equal(points[199], 249);
    assert.equal(capPoints(points, 500), 0);
});

test('the batcher flushes everything added within one interval in one call', () => {
    const timers = [];
    const flushed = [];
    const batcher = createBatcher((batch) => flushed.push(batch), 100, {
        setTimer: (fn, ms) => timers.push({ fn, ms }) - 1,
        clearTimer: () => {},
    });
    for (let i = 0; i < 500; i++) {
        batcher.add(i);
    }
    assert.equal(timers.length, 1, 'one timer for the whole burst');
    assert.equal(timers[0].ms, 100);
    timers[0].fn();
    assert.equal(flushed.length, 1);
    assert.equal(flushed[0].length, 500);
    batcher.add('next');
    assert.equal(timers.length, 2, 'a new burst starts a new timer');
});

test('throttle runs once per interval with the latest arguments', () => {
    const timers = [];
    const calls = [];
    const f = throttle((x) => calls.push(x), 500, { setTimer: (fn) => timers.push(fn) });
    f(1);
    f(2);
    f(3);
    assert.equal(timers.length, 1);
    timers[0]();
    assert.deepEqual(calls, [3]);
});
