// Which convergence session the view shows (js/modules/convergence.js): following the running one, or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestRunning, sessionToShow } from '../../main/resources/io/kimi/dashboard/web/js/modules/convergence.js';

const s = (id, status, minute) => ({ session_id: id, status, start_time: `2026-11-23T10:${String(minute).padStart(2, '0')}:00Z` });

test('the latest running session is the one that started last among the running ones', () => {
    assert.equal(latestRunning([s('a', 'running', 1), s('b', 'converged', 9), s('c', 'running', 5)]).session_id, 'c');
    assert.equal(latestRunning([s('a', 'failed', 1)]), null);
});

test('following moves to a new running session even while another one is shown', () => {
    const list = [s('new', 'running', 8), s('old', 'converged', 2)];
    assert.equal(sessionToShow(list, 'old', true), 'new');
    // With nothing running it stays where it is, or takes the newest.
    const ended = [s('new', 'converged', 8), s('old', 'converged', 2)];
    assert.equal(sessionToShow(ended, 'old', true), 'old');
    assert.equal(sessionToShow(ended, null, true), 'new');
    assert.equal(sessionToShow([], 'old', true), null);
});

test('not following keeps the user’s choice while it is listed', () => {
    const list = [s('new', 'running', 8), s('picked', 'converged', 2)];
    assert.equal(sessionToShow(list, 'picked', false), 'picked');
    assert.equal(sessionToShow(list, 'deleted', false), 'new');
});
