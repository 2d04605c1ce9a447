// Which sides of a sideways scroller have more to see (js/modules/scrollCue.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overflowSides } from '../../main/resources/io/kimi/dashboard/web/js/modules/scrollCue.js';

test('a scroller that fits has no cue; one that overflows has a cue on each side with more', () => {
    assert.equal(overflowSides(0, 360, 360), 'none');
    assert.equal(overflowSides(0, 360, 361), 'none');
    assert.equal(overflowSides(0, 360, 600), 'end');
    assert.equal(overflowSides(100, 360, 600), 'both');
    assert.equal(overflowSides(240, 360, 600), 'start');
    // Fractional scroll positions at the end (zoomed screens) still count as the end.
    assert.equal(overflowSides(239.5, 360, 600), 'start');
});
