// Pure parts of the page's modules: session state, convergence pipeline, widgets, compaction, WebSocket manager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionState } from '../../main/resources/io/kimi/dashboard/web/js/modules/sessions.js';
import { countReport, eventSummary, foldEvent, pipelineStages } from '../../main/resources/io/kimi/dashboard/web/js/modules/convergence.js';
import { chartSpec, normalizeWidget, normalizeWidgetList, tableSpec } from '../../main/resources/io/kimi/dashboard/web/js/modules/widgets.js';
import { compactionCounts, shouldAdviseCompaction } from '../../main/resources/io/kimi/dashboard/web/js/modules/compaction.js';
import { CONNECTION, WebSocketManager, liveUrl } from '../../main/resources/io/kimi/dashboard/web/js/modules/websocket.js';
import { createEventBus } from '../../main/resources/io/kimi/dashboard/web/js/modules/utils.js';
import { errorFromBody } from '../../main/resources/io/kimi/dashboard/web/js/modules/api.js';

const session = (id, extra = {}) => ({
    session_id: id, kind: 'proxy', name: 'S', provider: 'fake', model: 'tiny', context_window: 60, active: true,
    totals: { requests: 0, failed_requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
    context: { tokens: 0, window: 60, percent: 0, level: 'green' }, ...extra,
});
const metric = (id, extra = {}) => ({
    session_id: id, request_id: `r${Math.random()}`, model: 'tiny', provider: 'fake', status: 'success',
    prompt_tokens: 40, completion_tokens: 5, context_tokens: 45, context_window: 60, context_percent: 75,
    level: 'yellow', session_total_tokens: 45, session_cost_usd: 0.001, source: 'proxy',
    timestamp: '2026-11-23T10:00:00Z', usage_source: 'reported', ...extra,
});

test('init sets thresholds, the active session and its requests newest first', () => {
    const s = new SessionState({ maxRequests: 2 });
    s.applyInit({
        active_session: session('a'),
        thresholds: { warning: 60, high: 80, critical: 95 },
        recent_requests: [
            { request_id: '1', session_id: 'a', timestamp: '2026-11-23T10:00:01Z' },
            { request_id: '3', session_id: 'a', timestamp: '2026-11-23T10:00:03Z' },
            { request_id: '2', session_id: 'a', timestamp: '2026-11-23T10:00:02Z' },
        ],
    });
    assert.equal(s.thresholds.warning, 60);
    assert.deepEqual(s.requests.map((r) => r.request_id), ['3', '2']);
    assert.equal(s.lastRequest.request_id, '3');
});

test('a metric of the active session updates totals, context and the request list (bounded)', () => {
    const s = new SessionState({ maxRequests: 3 });
    s.applyInit({ active_session: session('a'), recent_requests: [] });
    for (let i = 0; i < 5; i++) {
        assert.equal(s.applyMetric(metric('a', { session_total_tokens: 45 * (i + 1) })), 'same');
    }
    assert.equal(s.active.totals.requests, 5);
    assert.equal(s.active.totals.total_tokens, 225);
    assert.equal(s.active.context.percent, 75);
    assert.equal(s.requests.length, 3);
    assert.equal(s.applyMetric(metric('b')), 'other');
});

test('a metric with no active session adopts its session and asks for a reload', () => {
    const s = new SessionState();
    s.applyInit({ active_session: null, recent_requests: [] });
    assert.equal(s.applyMetric(metric('new')), 'switched');
    assert.equal(s.active.session_id, 'new');
    assert.equal(s.requests.length, 1);
});

test('session messages: activation of another session reloads, deletion of the active one clears it', () => {
    const s = new SessionState();
    s.applyInit({ active_session: session('a'), recent_requests: [] });
    assert.equal(s.applySessionMessage({ type: 'session', action: 'updated', data: session('a', { model: 'kimi-k2' }) }), 'updated');
    assert.equal(s.active.model, 'kimi-k2');
    assert.equal(s.applySessionMessage({ type: 'session', action: 'activated', data: session('b') }), 'reload');
    assert.equal(s.active.session_id, 'b');
    assert.equal(s.applySessionMessage({ type: 'session', action: 'deleted', data: session('x', { active: false }) }), 'none');
    assert.equal(s.applySessionMessage({ type: 'session', action: 'deleted', data: session('b') }), 'cleared');
    assert.equal(s.active, null);
});

test('the server view of the active session keeps requests that only live messages brought so far', () => {
    const s = new SessionState();
    s.applySessionMessage({ type: 'session', action: 'created', data: session('a') });
    s.applyMetric(metric('a', { request_id: 'live' }));
    s.mergeActive(session('a'), []);
    assert.deepEqual(s.requests.map((r) => r.request_id), ['live']);
    assert.equal(s.active.totals.requests, 1, 'the fresher live totals are kept');
    s.mergeActive(session('a', { totals: { requests: 2, total_tokens: 90 } }),
        [{ request_id: 'live', timestamp: '2026-11-23T10:00:00Z' }, { request_id: 'r2', timestamp: '2026-11-23T10:00:05Z' }]);
    assert.deepEqual(s.requests.map((r) => r.request_id), ['r2', 'live']);
    assert.equal(s.active.totals.requests, 2);
    s.mergeActive(session('b'), []);
    assert.deepEqual(s.requests, [], 'another session starts empty');
});

test('the pipeline highlights the current state, and ends in CONVERGED or FAILED', () => {
    const phases = (stages) => stages.map((s) => `${s.state}:${s.phase}`);
    assert.deepEqual(phases(pipelineStages('FIXING', 'running')), [
        'IDLE:done', 'DIAGNOSING:done', 'FIXING:current', 'ATTACKING:pending', 'VALIDATING:pending', 'CONVERGED:pending']);
    assert.deepEqual(phases(pipelineStages('CONVERGED', 'converged')).slice(-2), ['VALIDATING:done', 'CONVERGED:current']);
    assert.deepEqual(phases(pipelineStages('FAILED', 'failed')).slice(-1), ['FAILED:failed']);
    assert.deepEqual(phases(pipelineStages('SOMETHING_NEW', 'running')).slice(0, 2), ['IDLE:pending', 'DIAGNOSING:pending']);
});

test('a failed loop shows where it stopped, not later stages as done', () => {
    const phases = (stages) => stages.map((s) => `${s.state}:${s.phase}`);
    assert.deepEqual(phases(pipelineStages('FAILED', 'failed', 'FIXING')), [
        'IDLE:done', 'DIAGNOSING:done', 'FIXING:failed', 'ATTACKING:pending', 'VALIDATING:pending', 'FAILED:failed']);
    assert.deepEqual(phases(pipelineStages('FAILED', 'failed')).slice(0, 5).map((p) => p.split(':')[1]),
        ['pending', 'pending', 'pending', 'pending', 'pending']);
});

test('folding events remembers the stage a loop failed in', () => {
    let s = { current_iteration: 0, stateTime: 0 };
    s = foldEvent(s, { event_type: 'STATE_CHANGED', timestamp: '2026-01-01T00:00:01Z', iteration: 1,
        data: { from: 'DIAGNOSING', to: 'FIXING' } });
    s = foldEvent(s, { event_type: 'STATE_CHANGED', timestamp: '2026-01-01T00:00:02Z', iteration: 1,
        state: 'FAILED', data: { from: 'FIXING', to: 'FAILED' } });
    assert.equal(s.current_state, 'FAILED');
    assert.equal(s.status, 'failed');
    assert.equal(s.last_working_state, 'FIXING');
});

test('events move the state forward only, raise the iteration and end the session', () => {
    let s = { current_state: 'IDLE', current_iteration: 0, status: 'running', stateTime: 0 };
    s = foldEvent(s, { iteration: 1, state: 'DIAGNOSING', event_type: 'STEP_STARTED', timestamp: '2026-01-01T00:00:02Z' });
    s = foldEvent(s, { iteration: 1, state: 'IDLE', event_type: 'STEP_STARTED', timestamp: '2026-01-01T00:00:01Z' });
    assert.equal(s.current_state, 'DIAGNOSING', 'a late replayed event cannot move it back');
    assert.equal(s.current_iteration, 1);
    s = foldEvent(s, { iteration: 2, state: 'FIXING', event_type: 'STATE_CHANGED', data: { from: 'FIXING', to: 'ATTACKING' }, timestamp: '2026-01-01T00:00:03Z' });
    assert.equal(s.current_state, 'ATTACKING');
    s = foldEvent(s, { iteration: 2, event_type: 'CONVERGENCE_REACHED', timestamp: '2026-01-01T00:00:04Z' });
    assert.equal(s.status, 'converged');
    assert.equal(foldEvent({ status: 'running' }, { event_type: 'ERROR', data: { fatal: true } }).status, 'failed');
});

test('findings reports count by severity in all three shapes', () => {
    assert.deepEqual(countReport({ critical: 1, high: 2, medium: 0, low: 3, info: 4 }), { critical: 1, high: 2, medium: 0, low: 3, info: 4 });
    assert.deepEqual(countReport(5), { critical: 0, high: 0, medium: 0, low: 0, info: 5 });
    assert.deepEqual(countReport([{ severity: 'HIGH' }, { severity: 'weird' }, {}]), { critical: 0, high: 1, medium: 0, low: 0, info: 2 });
    assert.equal(eventSummary({ data: { step: 'diagnose', result: 'passed', findings: { high: 2, low: 1 } } }),
        'step=diagnose · result=passed · findings=3');
});

test('widgets of any listing shape normalise to {name, title, type, state}', () => {
    assert.deepEqual(normalizeWidget({ name: 'errors', state: { type: 'counter', value: 3, title: 'Erreurs' } }),
        { name: 'errors', title: 'Erreurs', type: 'counter', state: { type: 'counter', value: 3, title: 'Erreurs' } });
    assert.equal(normalizeWidget({ name: 'c', type: 'Chart', data: [1, 2] }).type, 'chart');
    // The server's shape (GET /api/widgets items and "widget" messages' data): the view's type wins.
    assert.equal(normalizeWidget({ name: 't', type: 'table', state: { type: 'x', columns: [], rows: [] } }).type, 'table');
    assert.deepEqual(normalizeWidgetList({ widgets: [{ name: 'a', state: { type: 'table' } }] }).map((w) => w.name), ['a']);
    assert.deepEqual(normalizeWidgetList({ a: { type: 'counter', value: 1 } }).map((w) => w.type), ['counter']);
    assert.deepEqual(normalizeWidgetList(null), []);
});

test('widget charts and tables accept the shapes widgets send', () => {
    const seed = chartSpec({ type: 'chart', data: [{ timestamp: 't1', iteration: 1 }, { timestamp: 't2', iteration: 2 }],
        options: { title: 'Step Completion Times', x: 'timestamp', y: 'iteration' } });
    assert.deepEqual(seed.labels, ['t1', 't2']);
    assert.deepEqual(seed.datasets[0].data, [1, 2]);
    assert.deepEqual(chartSpec({ data: [3, 4] }).labels, ['1', '2']);
    assert.equal(chartSpec({ labels: ['a'], datasets: [{ label: 'x', data: [1] }] }).datasets[0].label, 'x');
    assert.deepEqual(tableSpec({ rows: [{ a: 1, b: { c: 2 } }] }), { columns: ['a', 'b'], rows: [['1', '{"c":2}']] });
    assert.deepEqual(tableSpec({ columns: ['x'], rows: [[1], [2]] }), { columns: ['x'], rows: [['1'], ['2']] });
});

test('compaction advice appears from the warning level; counts are read from the event', () => {
    assert.equal(shouldAdviseCompaction('normal'), false);
    assert.equal(shouldAdviseCompaction('warning'), true);
    assert.equal(shouldAdviseCompaction('high'), true);
    assert.equal(shouldAdviseCompaction('critical'), true);
    assert.deepEqual(compactionCounts({ tokens_before: 100, tokens_after: 40 }), { before: 100, after: 40 });
});

test('REST errors carry the server message, or the body text when it is not JSON', () => {
    const e = errorFromBody(404, '{"error":{"message":"Session inconnue","code":"session_not_found"}}', '/api/x');
    assert.equal(e.status, 404);
    assert.equal(e.code, 'session_not_found');
    assert.equal(e.message, 'Session inconnue');
    assert.equal(errorFromBody(502, 'Bad gateway', '/x').message, 'Bad gateway');
    assert.equal(errorFromBody(500, '', '/x').message, 'HTTP 500');
});

/** A fake browser WebSocket and clock for the manager. */
function harness() {
    const sockets = [];
    class FakeSocket {
        constructor(url) {
            this.url = url;
            this.readyState = 0;
            this.sent = [];
            sockets.push(this);
        }
        send(data) {
            this.sent.push(JSON.parse(data));
        }
        close() {
            this.readyState = 3;
            this.onclose?.();
        }
        open() {
            this.readyState = 1;
            this.onopen?.();
        }
        receive(obj) {
            this.onmessage?.({ data: JSON.stringify(obj) });
        }
        drop() {
            this.readyState = 3;
            this.onclose?.();
        }
    }
    let next = 1;
    const timers = new Map();
    const bus = createEventBus();
    const states = [];
    bus.on('ws:state', (s) => states.push(s.state));
    const ws = new WebSocketManager({
        url: 'ws://h/ws', bus, WebSocketImpl: FakeSocket, random: () => 1,
        setTimer: (fn, ms) => { timers.set(next, { fn, ms, repeat: false }); return next++; },
        clearTimer: (id) => timers.delete(id),
        setRepeating: (fn, ms) => { timers.set(next, { fn, ms, repeat: true }); return next++; },
        clearRepeating: (id) => timers.delete(id),
    });
    const fire = (pred) => {
        for (const [id, t] of [...timers]) {
            if (pred(t)) {
                if (!t.repeat) {
                    timers.delete(id);
                }
                t.fn();
                return t.ms;
            }
        }
        return null;
    };
    return { sockets, timers, bus, states, ws, fire };
}

test('the WebSocket manager reconnects with growing delays and reports its state', () => {
    const h = harness();
    h.ws.connect();
    assert.deepEqual(h.states, [CONNECTION.CONNECTING]);
    h.sockets[0].open();
    assert.equal(h.ws.state, CONNECTION.CONNECTED);
    const delays = [];
    h.sockets[0].drop();
    for (let i = 0; i < 6; i++) {
        delays.push(h.fire((t) => !t.repeat));
        h.sockets.at(-1).drop();
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10000]);
    assert.ok(h.states.includes(CONNECTION.RECONNECTING));
    assert.equal(h.ws.state, CONNECTION.OFFLINE, 'after several failures the page says it is offline');
    h.fire((t) => !t.repeat);
    h.sockets.at(-1).open();
    assert.equal(h.ws.state, CONNECTION.CONNECTED);
    assert.equal(h.ws.attempt, 0, 'a success resets the backoff');
});

test('the heartbeat pings every 30 s and reconnects when no answer comes', () => {
    const h = harness();
    h.ws.connect();
    h.sockets[0].open();
    const interval = h.fire((t) => t.repeat);
    assert.equal(interval, 30000);
    assert.deepEqual(h.sockets[0].sent, [{ action: 'ping' }]);
    h.sockets[0].receive({ type: 'pong', timestamp: 'now' });
    assert.equal([...h.timers.values()].filter((t) => !t.repeat).length, 0, 'the pong clears the timeout');
    h.fire((t) => t.repeat);
    assert.equal(h.fire((t) => !t.repeat && t.ms === 10000), 10000, 'no pong within 10 s');
    assert.equal(h.sockets.length, 2, 'a new socket was opened');
});

test('messages become bus events by type', () => {
    const h = harness();
    const got = [];
    h.bus.on('ws:metric', (m) => got.push(m.data.x));
    h.ws.connect();
    h.sockets[0].open();
    h.sockets[0].receive({ type: 'metric', data: { x: 1 } });
    const warn = console.warn;
    console.warn = () => {};
    try {
        h.sockets[0].onmessage({ data: 'not json' });
    } finally {
        console.warn = warn;
    }
    assert.deepEqual(got, [1]);
    assert.equal(liveUrl({ protocol: 'https:', host: 'h:1' }, 'a b'), 'wss://h:1/ws?token=a%20b');
    assert.equal(liveUrl({ protocol: 'http:', host: 'h' }), 'ws://h/ws');
});
