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

test('plural forms follow each language\'s rules: French 0 and 1 are singular, English only 1', () => {
    const fr = createTranslator('fr');
    const en = createTranslator('en');
    const seen = (t, n) => t.plural('context.compaction.seenMessages', n, { count: String(n) });
    assert.equal(seen(fr, 1), 'oui, 1 message');
    assert.equal(seen(fr, 0), 'oui, 0 message');
    assert.equal(seen(fr, 2), 'oui, 2 messages');
    assert.equal(seen(fr, 1.5), 'oui, 1.5 message');
    assert.equal(seen(en, 1), 'yes, 1 message');
    assert.equal(seen(en, 0), 'yes, 0 messages');
    assert.equal(seen(en, 2), 'yes, 2 messages');
    assert.equal(fr.plural('context.masks.count', 1, { total: '1' }), '1 contenu masqué');
    assert.equal(fr.plural('context.masks.count', 1_000_000, { total: '1 000 000' }), '1 000 000 contenus masqués',
        'French "many" (a million) falls back to the other form');
    assert.equal(fr.plural('no.such.key', 1), 'no.such.key');
});

test('every plural string has its one and other forms in both languages', () => {
    for (const lang of ['fr', 'en']) {
        const bases = Object.keys(STRINGS[lang]).filter((k) => /\.(one|other|many|two|few|zero)$/.test(k))
            .map((k) => k.replace(/\.[a-z]+$/, ''));
        assert.ok(bases.length >= 5, `${lang}: ${bases.length} plural strings`);
        for (const base of bases) {
            assert.ok(Object.hasOwn(STRINGS[lang], `${base}.one`), `${lang}.${base}.one`);
            assert.ok(Object.hasOwn(STRINGS[lang], `${base}.other`), `${lang}.${base}.other`);
            assert.ok(!Object.hasOwn(STRINGS[lang], base), `${lang}.${base} is also a plain string`);
        }
    }
});
