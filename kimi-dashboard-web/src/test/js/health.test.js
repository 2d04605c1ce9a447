// The server's health line (js/modules/health.js): which checks fail, and how the page says it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_CODES, healthProblems, problemText } from '../../main/resources/io/kimi/dashboard/web/js/modules/health.js';
import { createTranslator } from '../../main/resources/io/kimi/dashboard/web/js/modules/i18n.js';

const fr = createTranslator('fr');
const en = createTranslator('en');

test('only the failing checks of /health are problems, with the name of a named one', () => {
    const body = {
        status: 'dégradé', code: 'degraded',
        checks: [
            { check: 'database', ok: false, code: 'database_unreachable' },
            { check: 'convergence', ok: true, code: 'convergence_disabled' },
            { check: 'log_source', name: 'ide', ok: false, code: 'log_source_unreadable' },
            { check: 'log_source', name: 'cli', ok: true, code: 'log_source_tailing' },
        ],
    };
    assert.deepEqual(healthProblems(body), [
        { code: 'database_unreachable', name: null },
        { code: 'log_source_unreadable', name: 'ide' },
    ]);
    assert.deepEqual(healthProblems({ status: 'opérationnel' }), [], 'an older server without checks');
    assert.deepEqual(healthProblems(null), []);
    assert.deepEqual(healthProblems({ checks: [null, { ok: false }, { ok: false, code: 7 }] }), []);
});

test('each failing code reads as a sentence in French and English; an unknown code is shown as it is', () => {
    assert.equal(problemText(fr, { code: 'database_unreachable', name: null }),
        'La base de données ne répond pas : les requêtes passent, mais ne sont plus enregistrées.');
    assert.equal(problemText(fr, { code: 'log_source_unreadable', name: 'ide' }), 'Le journal « ide » ne peut pas être lu.');
    assert.equal(problemText(en, { code: 'convergence_unreachable', name: null }),
        'The convergence loop cannot be reached; another attempt is scheduled.');
    assert.equal(problemText(fr, { code: 'disk_full', name: null }), 'Vérification en échec : disk_full');
    for (const code of HEALTH_CODES) {
        assert.ok(fr.has(`health.code.${code}`) && en.has(`health.code.${code}`), code);
    }
});
