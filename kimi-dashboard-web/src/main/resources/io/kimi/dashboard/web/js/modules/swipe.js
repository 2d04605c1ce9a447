// Touch navigation: a sideways swipe over the page moves to the next or previous view, as on seed 000's page.
// A swipe that starts on something that takes touches itself (a field, a strip or table that scrolls sideways,
// a dialog) is left to it.

/** What a finger's move means: "next" (to the left), "previous" (to the right) or null (pure). */
export function swipeDirection(dx, dy, { minDistance = 60, maxSlope = 0.5 } = {}) {
    if (!Number.isFinite(dx) || !Number.isFinite(dy) || Math.abs(dx) < minDistance
            || Math.abs(dy) > Math.abs(dx) * maxSlope) {
        return null;
    }
    return dx < 0 ? 'next' : 'previous';
}

const OWN_TOUCH = 'input, select, textarea, [contenteditable], .modal-backdrop, [data-no-swipe]';

export class SwipeNavigation {
    /**
     * @param {object} options area (where swipes count, the main element), tabs (the Tabs: step(direction)),
     *                 minDistance in CSS pixels
     */
    constructor({ area, tabs, minDistance = 60 }) {
        this.area = area;
        this.tabs = tabs;
        this.minDistance = minDistance;
        this.start = null;
        this.last = null;
        area.addEventListener('touchstart', (e) => this.onStart(e), { passive: true });
        area.addEventListener('touchmove', (e) => {
            if (this.start && e.touches.length === 1) {
                this.last = { x: e.touches[0].clientX, y: e.touches[0].clientY };
            }
        }, { passive: true });
        area.addEventListener('touchend', (e) => this.onEnd(e), { passive: true });
        area.addEventListener('touchcancel', () => {
            this.start = null;
        }, { passive: true });
    }

    onStart(e) {
        this.start = null;
        if (e.touches.length !== 1 || this.takesTouchItself(e.target)) {
            return;
        }
        const touch = e.touches[0];
        this.start = { x: touch.clientX, y: touch.clientY };
        this.last = { ...this.start };
    }

    onEnd(e) {
        const start = this.start;
        this.start = null;
        if (!start) {
            return;
        }
        const touch = e.changedTouches?.[0];
        const end = touch ? { x: touch.clientX, y: touch.clientY } : this.last;
        const direction = swipeDirection(end.x - start.x, end.y - start.y, { minDistance: this.minDistance });
        if (direction) {
            this.tabs.step(direction);
        }
    }

    /** Whether the touch belongs to the element: a control, a dialog, or a sideways scroller with more to see. */
    takesTouchItself(target) {
        if (!(target instanceof Element)) {
            return false;
        }
        if (target.closest(OWN_TOUCH)) {
            return true;
        }
        for (let node = target; node && node !== this.area; node = node.parentElement) {
            if (node.scrollWidth > node.clientWidth + 1) {
                const overflow = getComputedStyle(node).overflowX;
                if (overflow === 'auto' || overflow === 'scroll') {
                    return true;
                }
            }
        }
        return false;
    }
}
