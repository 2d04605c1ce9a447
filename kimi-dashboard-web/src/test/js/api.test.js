// The page's REST client against a real HTTP server on loopback (Node's http module): its GET cache, the live
// messages that drop cached answers, and its retries. Time and backoff delays are injected, never waited for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ApiClient, ApiError, CACHE_TTL_MS, RETRIES, staleAfter } from '../../main/resources/io/kimi/dashboard/web/js/modules/api.js';
import { createEventBus } from '../../main/resources/io/kimi/dashboard/web/js/modules/utils.js';

/**
 * A loopback server answering each request with the next scripted reply for its path ({status, body}), or 200
 * with {"path", "n"} (n counts the requests for that path); records every request as "METHOD path".
 */
async function startServer() {
    const scripts = new Map();
    const counts = new Map();
    const requests = [];
    const server = createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        const n = (counts.get(req.url) ?? 0) + 1;
        counts.set(req.url, n);
        const script = scripts.get(req.url);
        const reply = script?.length ? script.shift() : { status: 200, body: { path: req.url, n } };
        res.writeHead(reply.status, { 'Content-Type': 'application/json' });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        baseUrl: `http://127.0.0.1:${server.address().port}`,
        requests,
        hits: (path) => requests.filter((r) => r.endsWith(` ${path}`)).length,
        script: (path, ...replies) => scripts.set(path, replies),
        close: () => new Promise((resolve) => server.close(resolve)),
    };
}

/** A client of {@code server} on a bus whose live feed is connected, with a clock the test moves. */
function liveClient(server, options = {}) {
    const bus = createEventBus();
    const clock = { t: 1_000_000 };
    const delays = [];
    const api = new ApiClient({
        baseUrl: server.baseUrl, bus, now: () => clock.t, sleep: async (ms) => { delays.push(ms); },
        random: () => 1, ...options,
    });
    bus.emit('ws:state', { state: 'connected' });
    return { api, bus, clock, delays };
}

test('a GET answer is reused for 30 s while the live feed is connected, then asked again', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, clock } = liveClient(server);

    const first = await api.metrics();
    const second = await api.metrics();
    clock.t += CACHE_TTL_MS - 1;
    const third = await api.metrics();
    clock.t += 1;
    const fourth = await api.metrics();

    assert.equal(first.n, 1);
    assert.deepEqual([second.n, third.n], [1, 1]);
    assert.equal(fourth.n, 2);
    assert.equal(server.hits('/api/metrics'), 2);
});

test('without a live feed (not yet connected, lost, or no bus) nothing is reused', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, bus } = liveClient(server);
    await api.metrics();
    bus.emit('ws:state', { state: 'reconnecting' });
    await api.metrics();
    await api.metrics();
    const noBus = new ApiClient({ baseUrl: server.baseUrl });
    await noBus.metrics();
    await noBus.metrics();

    assert.equal(server.hits('/api/metrics'), 5);
});

test('a live message drops exactly the answers it changes', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, bus } = liveClient(server);
    const load = () => Promise.all([
        api.listSessions({ limit: 10, offset: 0 }), api.getSession('s-1'), api.sessionMetrics('s-1'),
        api.getSession('s-2'), api.metrics(), api.widgets(), api.models(),
    ]);
    const ns = async () => (await load()).map((body) => body.n);

    assert.deepEqual(await ns(), [1, 1, 1, 1, 1, 1, 1]);
    bus.emit('ws:metric', { type: 'metric', data: { session_id: 's-1' } });
    assert.deepEqual(await ns(), [2, 2, 2, 1, 2, 1, 1], 'a request of s-1: lists, s-1 and totals');
    bus.emit('ws:event', { type: 'event', session_id: 's-2', event_type: 'STEP_COMPLETE' });
    assert.deepEqual(await ns(), [3, 2, 2, 2, 3, 1, 1], 'an event of s-2');
    bus.emit('ws:widget', { type: 'widget', data: { name: 'w' } });
    assert.deepEqual(await ns(), [3, 2, 2, 2, 3, 2, 1], 'a widget');
    bus.emit('ws:session', { type: 'session', action: 'activated', data: { session_id: 's-3' } });
    assert.deepEqual(await ns(), [4, 3, 3, 3, 4, 2, 1], 'activating a session changes every session');
    bus.emit('ws:pong', { type: 'pong' });
    assert.deepEqual(await ns(), [4, 3, 3, 3, 4, 2, 1], 'a pong changes nothing');
    bus.emit('ws:init', { type: 'init', data: {} });
    assert.deepEqual(await ns(), [5, 4, 4, 4, 5, 3, 2], 'init (a reconnect, a restart) changes everything');
});

test('an answer under way when its data changes is not stored; callers asking meanwhile share one request', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, bus } = liveClient(server);

    const pending = api.metrics();
    const shared = api.metrics();
    bus.emit('ws:metric', { type: 'metric', data: { session_id: 's-1' } });
    const fresh = api.metrics();
    const [a, b, c] = await Promise.all([pending, shared, fresh]);
    const after = await api.metrics();

    assert.equal(b.n, a.n, 'asked while the first was under way: the same answer');
    assert.notEqual(c.n, a.n, 'asked after the change: a request of its own');
    assert.equal(after.n, c.n, 'the answer asked after the change is the one stored');
    assert.equal(server.hits('/api/metrics'), 2);
});

test('a change made through the client drops every stored answer; routes that change silently are never stored', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api } = liveClient(server);
    await api.metrics();
    await api.setFeature('sanitizer', false);
    await api.metrics();
    await api.features();
    await api.features();

    assert.equal(server.hits('/api/metrics'), 2);
    assert.equal(server.hits('/api/features'), 2, 'features change without a live message');
    assert.equal(staleAfter('/api/rate-limit', 'init', {}), true);
});

test('callers get copies: changing one answer changes no later one', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api } = liveClient(server);
    const first = await api.metrics();
    first.n = 99;
    const second = await api.metrics();
    second.path = 'changed';

    assert.deepEqual(await api.metrics(), { path: '/api/metrics', n: 1 });
});

test('the cache holds a bounded number of answers, dropping the oldest', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api } = liveClient(server, { maxCacheEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) {
        await api.getSession(id);
    }
    assert.equal(api.cache.size, 3);
    await api.getSession('a');
    await api.getSession('d');

    assert.equal(server.hits('/api/sessions/a'), 2);
    assert.equal(server.hits('/api/sessions/d'), 1);
});

test('a 5xx is retried 3 times with exponential backoff, then fails once', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, bus, delays } = liveClient(server);
    const errors = [];
    bus.on('api:error', (e) => errors.push(e));
    server.script('/api/metrics', { status: 503, body: { error: { message: 'busy', code: 'x' } } },
        { status: 502, body: 'bad gateway' }, { status: 200, body: { ok: true } });

    assert.deepEqual(await api.metrics(), { ok: true });
    assert.deepEqual(delays, [500, 1000], 'base 500 ms, doubling (random = 1: the full delay)');
    assert.equal(errors.length, 0);

    const failing = Array.from({ length: RETRIES + 2 }, () => ({ status: 500, body: { error: { message: 'down' } } }));
    server.script('/api/widgets', ...failing);
    delays.length = 0;
    await assert.rejects(api.widgets(), (e) => e instanceof ApiError && e.status === 500 && e.message === 'down');
    assert.equal(server.hits('/api/widgets'), 1 + RETRIES);
    assert.deepEqual(delays, [500, 1000, 2000]);
    assert.equal(errors.length, 1, 'one api:error, after the last attempt');
});

test('a 4xx is never retried, nor a POST', async (t) => {
    const server = await startServer();
    t.after(server.close);
    const { api, delays } = liveClient(server);
    server.script('/api/sessions/nope', { status: 404, body: { error: { message: 'no such session', code: 'session_not_found' } } });
    server.script('/api/sessions', { status: 503, body: { error: { message: 'busy' } } });

    await assert.rejects(api.getSession('nope'), (e) => e.status === 404 && e.code === 'session_not_found');
    await assert.rejects(api.createSession({ name: 'x' }), (e) => e.status === 503);

    assert.equal(server.hits('/api/sessions/nope'), 1);
    assert.equal(server.requests.filter((r) => r === 'POST /api/sessions').length, 1);
    assert.deepEqual(delays, []);
});

test('a network error is retried 3 times, then reported as status 0', async (t) => {
    const server = await startServer();
    const baseUrl = server.baseUrl;
    await server.close(); // nothing listens there any more: connection refused
    const bus = createEventBus();
    const delays = [];
    const api = new ApiClient({ baseUrl, bus, sleep: async (ms) => { delays.push(ms); }, random: () => 0 });

    await assert.rejects(api.metrics(), (e) => e instanceof ApiError && e.status === 0 && e.code === 'network');
    assert.deepEqual(delays, [250, 500, 1000], 'random = 0: half of each delay');
});

test('a server that never answers fails the request after the timeout, retried like a network error; the next call is sent afresh', { timeout: 20000 }, async (t) => {
    const held = [];
    let answer = false;
    const server = createServer((req, res) => {
        if (answer) {
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.end('{"ok":true}');
        } else {
            held.push(res); // accepted, never answered: a wedged server or a half-open connection
        }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
    });
    const bus = createEventBus();
    bus.emit('ws:state', { state: 'connected' });
    const delays = [];
    const errors = [];
    bus.on('api:error', (e) => errors.push(e));
    const api = new ApiClient({
        baseUrl: `http://127.0.0.1:${server.address().port}`, bus, timeoutMs: 50, retries: 1,
        sleep: async (ms) => { delays.push(ms); }, random: () => 1,
    });

    await assert.rejects(api.metrics(), (e) => e instanceof ApiError && e.status === 0 && e.code === 'timeout'
        && /50 ms/.test(e.message));
    assert.equal(held.length, 2, 'sent, timed out, retried once, timed out');
    assert.equal(delays.length, 1);
    assert.equal(errors.length, 1, 'one final failure reported');

    answer = true;
    assert.deepEqual(await api.metrics(), { ok: true }, 'nothing left waiting on the lost request');
});
