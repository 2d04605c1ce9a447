// The one pager of the sessions list and the masked contents (js/modules/pager.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageCount, pageLine, pageState, pagerView } from '../../main/resources/io/kimi/dashboard/web/js/modules/pager.js';
import { createTranslator } from '../../main/resources/io/kimi/dashboard/web/js/modules/i18n.js';

const fr = createTranslator('fr');
const en = createTranslator('en');
const sessionsLine = (t) => ({ page, pages, total }) => t.plural('sessions.page', total, { page, pages, total });

test('pages are counted from the total, at least one, whatever the input', () => {
    assert.equal(pageCount(0, 10), 1);
    assert.equal(pageCount(10, 10), 1);
    assert.equal(pageCount(11, 10), 2);
    assert.equal(pageCount(null, 10), 1);
    assert.equal(pageCount(5, 0), 5, 'a limit below 1 counts as 1');
});

test('the first, a middle and the last page say where the previous and next pages start', () => {
    assert.deepEqual(pageState({ total: 25, limit: 10, offset: 0 }), { page: 1, pages: 3, prevOffset: null, nextOffset: 10 });
    assert.deepEqual(pageState({ total: 25, limit: 10, offset: 10 }), { page: 2, pages: 3, prevOffset: 0, nextOffset: 20 });
    assert.deepEqual(pageState({ total: 25, limit: 10, offset: 20 }), { page: 3, pages: 3, prevOffset: 10, nextOffset: null });
    // An offset not on a page boundary still goes back to 0, never below.
    assert.deepEqual(pageState({ total: 25, limit: 10, offset: 5 }), { page: 1, pages: 3, prevOffset: null, nextOffset: 15 });
    // Past the end (rows deleted meanwhile): no next page; the previous one is one page back.
    assert.deepEqual(pageState({ total: 5, limit: 10, offset: 30 }), { page: 4, pages: 1, prevOffset: 20, nextOffset: null });
    // An empty listing is one page with nowhere to go.
    assert.deepEqual(pageState({ total: 0, limit: 10, offset: 0 }), { page: 1, pages: 1, prevOffset: null, nextOffset: null });
});

test('the line names the page and the total with the plural the total takes', () => {
    const view = pagerView({ total: 25, limit: 10, offset: 10, pageText: sessionsLine(fr) });
    assert.deepEqual(view, { buttons: true, text: 'Page 2 sur 3 (25 sessions)', prevOffset: 0, nextOffset: 20 });
    assert.equal(pagerView({ total: 1, limit: 10, offset: 0, pageText: sessionsLine(fr) }).text, 'Page 1 sur 1 (1 session)');
    assert.equal(pagerView({ total: 0, limit: 10, offset: 0, pageText: sessionsLine(fr) }).text, 'Page 1 sur 1 (0 session)');
    assert.equal(pagerView({ total: 0, limit: 10, offset: 0, pageText: sessionsLine(en) }).text, 'Page 1 of 1 (0 sessions)');
    assert.equal(pagerView({ total: 1, limit: 10, offset: 0, pageText: sessionsLine(en) }).text, 'Page 1 of 1 (1 session)');
});

test('a list that fits on its first page shows only its count when it has a count line', () => {
    const singleText = ({ total }) => fr.plural('context.masks.count', total, { total });
    const pageText = ({ page, pages, total }) => fr.plural('context.masks.page', total, { page, pages, total });
    assert.deepEqual(pagerView({ total: 20, limit: 20, offset: 0, pageText, singleText }),
        { buttons: false, text: '20 contenus masqués' });
    assert.deepEqual(pagerView({ total: 1, limit: 20, offset: 0, pageText, singleText }),
        { buttons: false, text: '1 contenu masqué' });
    assert.deepEqual(pagerView({ total: 21, limit: 20, offset: 0, pageText, singleText }),
        { buttons: true, text: 'Page 1 sur 2 (21 contenus)', prevOffset: null, nextOffset: 20 });
    // On a later page that became the only one (contents deleted), the buttons stay to go back.
    assert.equal(pagerView({ total: 3, limit: 20, offset: 20, pageText, singleText }).buttons, true);
});

test('a list\'s page line formats the page, the pages and the total in the translator\'s language', () => {
    const line = pageLine(en, 'sessions.page')({ page: 2, pages: 1500, total: 14990 });
    assert.equal(line, en.plural('sessions.page', 14990, { page: '2', pages: '1,500', total: '14,990' }));
    assert.match(line, /1,500/);
    const fewer = pageLine(fr, 'context.masks.page')({ page: 1, pages: 1, total: 1 });
    assert.equal(fewer, fr.plural('context.masks.page', 1, { page: '1', pages: '1', total: '1' }));
});
