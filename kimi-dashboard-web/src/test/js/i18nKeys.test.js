// The page's text keys against i18n.js: every key the page names exists in French and English, and every key
// i18n.js holds is named somewhere (index.html or a module), so dead strings do not pile up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { STRINGS } from '../../main/resources/io/kimi/dashboard/web/js/modules/i18n.js';
import { FEATURE_ORDER } from '../../main/resources/io/kimi/dashboard/web/js/modules/context.js';
import { HEALTH_CODES } from '../../main/resources/io/kimi/dashboard/web/js/modules/health.js';

const WEB = new URL('../../main/resources/io/kimi/dashboard/web/', import.meta.url);
const PLURAL_FORMS = ['zero', 'one', 'two', 'few', 'many', 'other'];

/** Every .js file under js/, in sub-folders too. */
function scripts(dir = new URL('js/', WEB)) {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
        if (entry.isDirectory()) {
            return scripts(url);
        }
        return entry.name.endsWith('.js') ? [{ name: url.pathname.replace(/^.*\/web\//, ''), text: readFileSync(url, 'utf8') }] : [];
    });
}

/**
 * Keys the page builds from a value (`prefix${value}suffix`), with every value it may plug in: the server's
 * words (statuses, levels, kinds, codes) and the page's own (features, sources).
 */
const DYNAMIC = {
    'source.*': ['proxy', 'logs', 'compilechat', 'error'],
    'feature.*': FEATURE_ORDER,
    'feature.*.hint': FEATURE_ORDER,
    'context.history.*': ['automatic', 'manual', 'active', 'undone'],
    'context.method.*': ['model', 'heuristic'],
    'context.servers.*': ['up', 'down', 'unknown'],
    'sessionStatus.*': ['running', 'converged', 'failed', 'completed'],
    'severity.*': ['critical', 'high', 'medium', 'low', 'info'],
    'step.*': ['diagnose', 'fix', 'attack', 'validate'],
    'conn.*': ['connecting', 'connected', 'reconnecting', 'offline'],
    'gauge.level.*': ['normal', 'warning', 'high', 'critical'],
    'status.*': ['success', 'error', 'cancelled', 'malformed_reply', 'interrupted'],
    'kind.*': ['proxy', 'convergence'],
    'state.*': ['IDLE', 'DIAGNOSING', 'FIXING', 'ATTACKING', 'VALIDATING', 'CONVERGED', 'FAILED'],
    'health.code.*': HEALTH_CODES,
};

// The strings table itself names every key: it is what is checked, not a user.
const sources = scripts().filter((s) => s.name !== 'js/modules/i18n.js');
const html = readFileSync(new URL('index.html', WEB), 'utf8');
const keys = Object.keys(STRINGS.fr);
const namespaces = new Set(keys.map((k) => k.split('.')[0]));
const isKey = (k) => Object.hasOwn(STRINGS.fr, k) && Object.hasOwn(STRINGS.en, k);
const isPlural = (k) => isKey(`${k}.one`) && isKey(`${k}.other`);

/** The templates `prefix${…}suffix` whose prefix is a key namespace, as 'prefix*suffix'. */
function dynamicPatterns() {
    const found = new Map();
    for (const { name, text } of sources) {
        for (const m of text.matchAll(/`([A-Za-z0-9_.]*)\$\{[^}`]*\}([A-Za-z0-9_.]*)`/g)) {
            if (m[1].endsWith('.') && namespaces.has(m[1].split('.')[0])) {
                found.set(`${m[1]}*${m[2]}`, name);
            }
        }
    }
    return found;
}

/** Every key the page names: quoted in a module, in index.html's data-i18n attributes, or built from a value. */
function namedKeys() {
    const named = new Map();
    for (const { name, text } of sources) {
        for (const m of text.matchAll(/\bt(?:\.plural|\.has)?\(\s*'([^']+)'/g)) {
            named.set(m[1], name);
        }
        for (const m of text.matchAll(/'([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)'/g)) {
            if (namespaces.has(m[1].split('.')[0])) {
                named.set(m[1], name);
            }
        }
    }
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
        named.set(m[1], 'index.html');
    }
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
        m[1].split(',').forEach((pair) => named.set(pair.split(':')[1].trim(), 'index.html'));
    }
    for (const [pattern, values] of Object.entries(DYNAMIC)) {
        const [prefix, suffix] = pattern.split('*');
        values.forEach((v) => named.set(`${prefix}${v}${suffix}`, `${pattern} (dynamic)`));
    }
    return named;
}

test('every key built from a value is listed with the values it takes, and every listed one is still built', () => {
    const found = dynamicPatterns();
    assert.ok(found.size >= 10, `found ${found.size} dynamic keys`);
    const unlisted = [...found].filter(([pattern]) => !Object.hasOwn(DYNAMIC, pattern))
        .map(([pattern, file]) => `${pattern} in ${file}`);
    assert.deepEqual(unlisted, [], 'list the values of these keys in DYNAMIC');
    const gone = Object.keys(DYNAMIC).filter((pattern) => !found.has(pattern));
    assert.deepEqual(gone, [], 'no module builds these keys any more');
});

test('every key the page names exists in French and English (a plural key with its one and other forms)', () => {
    const named = namedKeys();
    assert.ok(named.size > 200, `found ${named.size} keys`);
    const missing = [...named].filter(([k]) => !isKey(k) && !isPlural(k)).map(([k, file]) => `${k} (${file})`);
    assert.deepEqual(missing, []);
});

test('every key in i18n.js is named by the page', () => {
    const named = namedKeys();
    const unused = keys.filter((k) => {
        if (named.has(k)) {
            return false;
        }
        const form = k.split('.').pop();
        return !(PLURAL_FORMS.includes(form) && named.has(k.slice(0, -(form.length + 1))));
    });
    assert.deepEqual(unused, []);
});

test('the checker sees a key that is gone and one that nobody names', () => {
    // The keys removed as unused stay removed.
    for (const k of ['gauge.level.green', 'gauge.level.yellow', 'gauge.level.red', 'gauge.thresholds', 'chart.tokens',
        'app.noscript', 'gauge.label', 'conv.iteration']) {
        assert.ok(!Object.hasOwn(STRINGS.fr, k) && !Object.hasOwn(STRINGS.en, k), k);
    }
    const named = namedKeys();
    assert.ok(named.has('pager.prev') && named.has('context.masks.page') && named.has('health.code.database_unreachable'));
    assert.ok(!named.has('no.such.key'));
});
