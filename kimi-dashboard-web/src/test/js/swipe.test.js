// What a finger's move means for the views (js/modules/swipe.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { swipeDirection } from '../../main/resources/io/kimi/dashboard/web/js/modules/swipe.js';

test('a long enough sideways move goes to the next view (left) or the previous one (right)', () => {
    assert.equal(swipeDirection(-200, 10), 'next');
    assert.equal(swipeDirection(200, -10), 'previous');
    assert.equal(swipeDirection(-60, 0), 'next');
});

test('a short, mostly vertical or unreadable move is not a swipe', () => {
    assert.equal(swipeDirection(-59, 0), null);
    assert.equal(swipeDirection(-100, 60), null, 'a scroll down with some drift');
    assert.equal(swipeDirection(0, -300), null);
    assert.equal(swipeDirection(Number.NaN, 0), null);
    assert.equal(swipeDirection(-100, 0, { minDistance: 120 }), null);
});
