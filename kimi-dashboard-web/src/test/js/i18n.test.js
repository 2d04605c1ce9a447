import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRINGS, createTranslator, resolveLang } from '../../main/resources/io/kimi/dashboard/web/js/modules/i18n.js';

test('French is the default; ?lang=en switches to English; unknown languages fall back to French', () => {
    assert.equal(resolveLang(''), 'fr');
    assert.equal(resolveLang('?lang=en'), 'en');
    assert.equal(resolveLang('?lang=EN&x=1'), 'en');
    assert.equal(resolveLang('?lang=de'), 'fr');
});

test('French and English have exactly the same keys, none empty', () => {
    const fr = Object.keys(STRINGS.fr).sort();
    const en = Object.keys(STRINGS.en).sort();
    assert.deepEqual(en, fr);
    for (const lang of ['fr', 'en']) {
        for (const [key, value] of Object.entries(STRINGS[lang])) {
            assert.ok(value.trim().length > 0, `${lang}.${key} is empty`);
        }
    }
});

test('both languages use the same placeholders in each string', () => {
    const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(STRINGS.fr)) {
        assert.deepEqual(names(STRINGS.en[key]), names(STRINGS.fr[key]), key);
    }
});

test('the translator fills placeholders and shows the key for a missing string', () => {
    const fr = createTranslator('fr');
    const en = createTranslator('en');
    assert.equal(fr('conn.connected'), 'connecté');
    assert.equal(fr('conn.offline'), 'hors ligne');
    assert.equal(fr('conn.reconnecting'), 'reconnexion…');
    assert.equal(en('conn.connected'), 'connected');
    assert.equal(fr('gauge.tokens', { tokens: '52', window: '60' }), '52 / 60 tokens');
    assert.equal(fr('gauge.tokens', { tokens: '52' }), '52 / {window} tokens');
    assert.equal(fr('no.such.key'), 'no.such.key');
    assert.equal(fr.lang, 'fr');
    assert.equal(createTranslator('xx').lang, 'fr');
    assert.ok(fr.has('state.IDLE'));
    assert.ok(!fr.has('state.SOMETHING_NEW'));
});

test('the source slices are named as the dashboard promises', () => {
    const fr = createTranslator('fr');
    assert.deepEqual(['proxy', 'logs', 'compilechat', 'error'].map((k) => fr(`source.${k}`)),
        ['Proxy', 'Logs', 'CompileChat', 'Erreur']);
});
