// Pure parts of the « Contexte » view (js/modules/context.js), the REST calls it makes, the compaction advice
// and notifications. Run with `node --test` (the Maven build's test phase); the i18n keys are checked in i18nKeys.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    FEATURE_ORDER, SavingsTally, activeCompactionSavings, compactionHistory, errorText, featureLabel, featureList,
    featureSavings, formatBeforeAfter, formatSavings, maskView, memoryShares, previewView, recordView,
    requestSavings, savedPercent, serverStatus, shortHash,
} from '../../main/resources/io/kimi/dashboard/web/js/modules/context.js';
import { clip } from '../../main/resources/io/kimi/dashboard/web/js/modules/context/masks.js';
import { CompactionAdvisor } from '../../main/resources/io/kimi/dashboard/web/js/modules/compaction.js';
import { ApiClient, ApiError } from '../../main/resources/io/kimi/dashboard/web/js/modules/api.js';
import { createTranslator } from '../../main/resources/io/kimi/dashboard/web/js/modules/i18n.js';
import { createEventBus } from '../../main/resources/io/kimi/dashboard/web/js/modules/utils.js';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
const fr = createTranslator('fr');
const en = createTranslator('en');

const completed = (session, requestId, data = {}) => ({
    type: 'event', event_type: 'REQUEST_COMPLETED', session_id: session, event_id: `e-${requestId}`,
    data: { request_id: requestId, prompt_tokens: 900, estimated_prompt_tokens: 1000, ...data },
});

test('a request saved its original prompt minus what we counted as sent', () => {
    assert.deepEqual(requestSavings({ original_prompt_tokens: 41210, estimated_prompt_tokens: 512, prompt_tokens: 500 }),
        { original: 41210, sent: 512, saved: 40698 });
    // The provider's count stands in when ours is missing.
    assert.deepEqual(requestSavings({ original_prompt_tokens: 100, prompt_tokens: 60 }), { original: 100, sent: 60, saved: 40 });
    // A repaired tool-call id can cost a token or two: the figure stays honest.
    assert.equal(requestSavings({ original_prompt_tokens: 100, estimated_prompt_tokens: 102 }).saved, -2);
    assert.equal(requestSavings({ estimated_prompt_tokens: 100 }), null, 'no feature changed it');
    assert.equal(requestSavings({ original_prompt_tokens: 100 }), null);
    assert.equal(requestSavings(undefined), null);
});

test('savings read as tokens and a share of the original, in French and English', () => {
    assert.equal(savedPercent(25, 100), 25);
    assert.equal(savedPercent(5, 0), null);
    assert.equal(savedPercent(null, 10), null);
    assert.equal(plain(formatSavings(fr, 40698, 41210)), '40 698 tokens (98,8 %)');
    assert.equal(formatSavings(en, 40698, 41210), '40,698 tokens (98.8%)');
    assert.equal(plain(formatSavings(fr, 1500)), '1 500 tokens');
    assert.equal(formatSavings(fr, null), '—');
    assert.equal(plain(formatBeforeAfter(fr, 41210, 512)), '41 210 → 512 tokens');
});

test('the tally sums each session once per request and ignores requests no feature touched', () => {
    const tally = new SavingsTally();
    assert.equal(tally.add(completed('a', 'r1', { original_prompt_tokens: 1500 })), true);
    assert.equal(tally.add(completed('a', 'r1', { original_prompt_tokens: 1500 })), false, 'same request again');
    assert.equal(tally.add(completed('a', 'r2', {
        original_prompt_tokens: 3000, estimated_prompt_tokens: 1000,
        features: { compaction: { changed: 1, saved_tokens: 1500 }, sanitizer: { changed: 2, tokens_before: 900, tokens_after: 400 } },
    })), true);
    assert.equal(tally.add(completed('a', 'r3')), false, 'no original count');
    assert.equal(tally.add(completed('b', 'r4', { original_prompt_tokens: 2000 })), true);
    assert.equal(tally.add({ event_type: 'COMPACTION_APPLIED', session_id: 'a', data: { original_prompt_tokens: 9 } }), false);

    const a = tally.forSession('a');
    assert.equal(a.requests, 2);
    assert.equal(a.original, 4500);
    assert.equal(a.sent, 2000);
    assert.equal(a.saved, 2500);
    assert.equal(a.percent.toFixed(1), '55.6');
    assert.deepEqual(a.last.features.map((f) => [f.name, f.saved]), [['sanitizer', 500], ['compaction', 1500]]);
    assert.equal(tally.forSession('b').saved, 1000);
    assert.deepEqual(tally.forSession('nobody'), { requests: 0, original: 0, sent: 0, saved: 0, percent: null, last: null });
});

test('the tally remembers a bounded number of request ids', () => {
    const tally = new SavingsTally({ maxRemembered: 3 });
    for (let i = 0; i < 10; i++) {
        tally.add(completed('a', `r${i}`, { original_prompt_tokens: 1100 }));
    }
    assert.equal(tally.seen.size, 3);
    assert.equal(tally.forSession('a').requests, 10);
    assert.equal(tally.forSession('a').saved, 1000);
});

test('features come in the proxy order with readable names; unknown ones keep their name', () => {
    const list = featureList({ features: [
        { name: 'memory', enabled: false, order: 4 }, { name: 'tool_repair', enabled: true, order: 1 },
        { name: 'sanitizer', enabled: true }, { name: 'new_thing', enabled: true, order: 9 }, { bogus: 1 },
    ] });
    assert.deepEqual(list.map((f) => f.name), ['tool_repair', 'sanitizer', 'memory', 'new_thing']);
    assert.equal(list[1].order, 2, 'missing order: its place in the documented order');
    assert.equal(list[2].enabled, false);
    assert.deepEqual(featureList([{ name: 'compaction', enabled: true, order: 3 }]).map((f) => f.name), ['compaction']);
    assert.deepEqual(featureList(null), []);
    assert.deepEqual(FEATURE_ORDER, ['tool_repair', 'sanitizer', 'compaction', 'memory']);
    assert.equal(featureLabel(fr, 'sanitizer'), 'Masquage des sorties volumineuses');
    assert.equal(featureLabel(en, 'tool_repair'), 'Tool-call repair');
    assert.equal(featureLabel(fr, 'new_thing'), 'new_thing');
    assert.deepEqual(featureSavings(undefined), []);
});

test('a mask maps to what the list shows, with a short hash and computed savings', () => {
    const m = maskView({
        hash: '3f2a0000000000000000000000000e9a', session_id: 's', request_id: 'r', role: 'tool', tool_name: 'read_file',
        original_tokens: 12408, placeholder_tokens: 120, created_at: '2026-11-23T10:00:00Z', preview: 'head…tail',
    });
    assert.equal(m.short, '3f2a0000…');
    assert.equal(m.saved, 12288);
    assert.equal(m.tool, 'read_file');
    assert.equal(m.content, null);
    assert.equal(maskView({ hash: 'x', saved_tokens: 7, content: 'full' }).content, 'full');
    assert.equal(maskView({ hash: 'x', saved_tokens: 7 }).saved, 7);
    assert.equal(shortHash('abc'), 'abc');
});

test('compaction records read as automatic or manual, model or heuristic, active or undone', () => {
    const auto = recordView({
        compaction_id: 'c1', automatic: true, method: 'model', tokens_before: 1000, tokens_after: 250,
        messages_replaced: 12, created_at: '2026-11-23T10:00:00Z', active: true, undone_at: null,
    });
    assert.equal(auto.kind, 'automatic');
    assert.equal(auto.method, 'model');
    assert.equal(auto.saved, 750);
    assert.equal(auto.percent, 75);
    assert.equal(auto.status, 'active');
    const manual = recordView({ compaction_id: 'c2', automatic: false, method: 'heuristic', saved_tokens: 9,
        active: false, undone_at: '2026-11-23T11:00:00Z' });
    assert.equal(manual.kind, 'manual');
    assert.equal(manual.method, 'heuristic');
    assert.equal(manual.status, 'undone');
    assert.equal(manual.undoneAt, '2026-11-23T11:00:00Z');
    assert.equal(recordView({}).method, 'heuristic');
});

test('the history lists each record once, newest first, and sums what the active ones save', () => {
    const older = { compaction_id: 'c1', created_at: '2026-11-23T10:00:00Z', saved_tokens: 100, active: false, undone_at: '2026-11-23T10:30:00Z' };
    const newer = { compaction_id: 'c2', created_at: '2026-11-23T11:00:00Z', saved_tokens: 300, active: true };
    const state = { active: [newer], history: [older, newer] };
    assert.deepEqual(compactionHistory(state).map((r) => [r.id, r.status]), [['c2', 'active'], ['c1', 'undone']]);
    assert.equal(activeCompactionSavings(state), 300);
    // An undone copy of a record wins over a stale active one.
    assert.equal(compactionHistory({ active: [newer], history: [{ ...newer, active: false, undone_at: 'x' }] })[0].status, 'undone');
    assert.deepEqual(compactionHistory(undefined), []);
    // Instants with and without a fraction of a second sort by time, not as text.
    const a = { compaction_id: 'a', created_at: '2026-11-23T10:00:00Z' };
    const b = { compaction_id: 'b', created_at: '2026-11-23T10:00:00.500Z' };
    assert.deepEqual(compactionHistory({ history: [a, b] }).map((r) => r.id), ['b', 'a']);
    assert.equal(activeCompactionSavings({}), 0);
});

test('a preview gives before, after, the share saved and the messages replaced and kept', () => {
    const p = previewView({ session_id: 's', messages_total: 41, messages_replaced: 32, messages_kept: 9,
        tokens_before: 40000, tokens_after: 10000, summary: 'Résumé', method: 'heuristic' });
    assert.equal(p.saved, 30000);
    assert.equal(p.percent, 75);
    assert.equal(p.replaced, 32);
    assert.equal(p.kept, 9);
    assert.equal(p.summary, 'Résumé');
    assert.equal(previewView({ tokens_before: 10, tokens_after: 10, saved_tokens: 0 }).percent, 0);
});

test('memory and chat shares add up, and nothing is 0 %', () => {
    const m = memoryShares({ memory_tokens: 250, chat_tokens: 750, requests: 4, requests_with_memory: 1, markers: 3 });
    assert.equal(m.memoryPercent, 25);
    assert.equal(m.chatPercent, 75);
    assert.equal(m.withMemory, 1);
    const none = memoryShares({});
    assert.equal(none.total, 0);
    assert.equal(none.memoryPercent, 0);
});

test('MCP server health is up, down or unknown', () => {
    assert.equal(serverStatus({ status: 'up' }), 'up');
    assert.equal(serverStatus({ status: 'DOWN' }), 'down');
    assert.equal(serverStatus({ status: 'starting' }), 'unknown');
    assert.equal(serverStatus(null), 'unknown');
});

test('a 409 or 404 reads as the server message', () => {
    const e = new ApiError(409, 'nothing_to_compact', 'Conversation trop courte : 3 messages (8 au moins).', '/x');
    assert.equal(plain(errorText(fr, e)), 'Erreur 409 : Conversation trop courte : 3 messages (8 au moins).');
    assert.equal(errorText(en, new ApiError(404, 'session_not_found', 'No session x', '/x')), 'Error 404: No session x');
    assert.match(errorText(fr, new ApiError(0, 'network', 'Failed to fetch', '/x')), /ne répond pas \(Failed to fetch\)/);
});

test('long previews are clipped on one line', () => {
    assert.equal(clip('a\n  b   c', 80), 'a b c');
    assert.equal(clip('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    assert.equal(clip(null, 5), '');
});

test('the context routes are called with the right method and path', async () => {
    const calls = [];
    const api = new ApiClient({
        fetchImpl: async (url, init) => {
            calls.push(`${init.method} ${url}${init.body ? ` ${init.body}` : ''}`);
            return { ok: true, status: 200, text: async () => '{}' };
        },
    });
    await api.features();
    await api.setFeature('sanitizer', false);
    await api.sanitizerStats();
    await api.masks({ limit: 20, offset: 40 });
    await api.mask('3f2a');
    await api.compaction('s/1');
    await api.previewCompaction('s1');
    await api.compact('s1');
    await api.undoCompaction('s1');
    await api.sessionMemory('s1');
    await api.memoryServers();
    assert.deepEqual(calls, [
        'GET /api/features',
        'PUT /api/features/sanitizer {"enabled":false}',
        'GET /api/sanitizer/stats',
        'GET /api/mask?limit=20&offset=40',
        'GET /api/mask/3f2a',
        'GET /api/sessions/s%2F1/compaction',
        'POST /api/sessions/s1/compaction/preview',
        'POST /api/sessions/s1/compaction',
        'POST /api/sessions/s1/compaction/undo',
        'GET /api/sessions/s1/memory',
        'GET /api/memory/servers',
    ]);
});

test('a 409 from the server becomes an ApiError with its code and message', async () => {
    const api = new ApiClient({
        fetchImpl: async () => ({
            ok: false, status: 409,
            text: async () => '{"error":{"code":"no_active_compaction","message":"Aucune compaction active."}}',
        }),
    });
    await assert.rejects(api.undoCompaction('s1'), (e) => e.status === 409 && e.code === 'no_active_compaction'
        && e.message === 'Aucune compaction active.');
});

test('the advice button opens the preview; undo and apply each raise a notification', () => {
    const bus = createEventBus();
    const shown = [];
    let clicked = null;
    const advice = { hidden: true };
    const text = { textContent: '' };
    const button = { addEventListener: (type, fn) => { clicked = type === 'click' ? fn : clicked; } };
    new CompactionAdvisor({
        advice, text, button, t: fr, bus, notifier: { show: (message, options) => shown.push([message, options.type]) },
    });
    let opened = 0;
    bus.on('context:open-preview', () => { opened += 1; });
    bus.emit('gauge:level', 'high');
    assert.equal(advice.hidden, false);
    assert.equal(text.textContent, fr('gauge.compactAdvice'));
    clicked();
    assert.equal(opened, 1);
    bus.emit('ws:event', { event_type: 'COMPACTION_APPLIED', data: { tokens_before: 4000, tokens_after: 1000 } });
    bus.emit('ws:event', { event_type: 'COMPACTION_UNDONE', data: { tokens_before: 4000, tokens_after: 1000 } });
    bus.emit('ws:event', { event_type: 'REQUEST_COMPLETED', data: {} });
    assert.deepEqual(shown.map(([m, type]) => [plain(m), type]), [
        ['Compaction appliquée : 4 000 → 1 000 tokens.', 'success'],
        ['Compaction annulée : la conversation est de nouveau envoyée en entier (4 000 tokens).', 'info'],
    ]);
    bus.emit('gauge:level', 'normal');
    assert.equal(advice.hidden, true);
});
