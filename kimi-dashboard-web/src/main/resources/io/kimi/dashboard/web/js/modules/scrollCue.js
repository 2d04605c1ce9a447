// Sideways scrollers (the tab strip, wide tables) say that they scroll: each gets data-overflow="start", "end"
// or "both" (the sides with more to see), none when everything fits, and the stylesheet draws a shadow on those
// sides. Scrollers added later (tables drawn by the views) are found as they are added, and let go when removed.

/** Which sides of a scroller have hidden content: "none", "start", "end" or "both" (pure). */
export function overflowSides(scrollLeft, clientWidth, scrollWidth) {
    const start = scrollLeft > 1;
    const end = scrollLeft + clientWidth < scrollWidth - 1;
    if (start && end) {
        return 'both';
    }
    return start ? 'start' : end ? 'end' : 'none';
}

export class ScrollCues {
    /**
     * @param {object} options root (the document), selector (the scrollers)
     */
    constructor({ root = document, selector = '.tabs, .table-wrap' } = {}) {
        this.selector = selector;
        this.watched = new Set();
        this.owner = new WeakMap();
        this.onScroll = (e) => this.update(e.currentTarget);
        // A scroller's own size (the screen) or its content's (rows drawn, text translated) changes its overflow.
        this.resize = new ResizeObserver((entries) => {
            for (const entry of entries) {
                const scroller = this.owner.get(entry.target);
                if (scroller) {
                    this.update(scroller);
                }
            }
        });
        this.mutations = new MutationObserver((records) => {
            for (const record of records) {
                record.removedNodes.forEach((node) => this.forEachScroller(node, (s) => this.unwatch(s)));
                record.addedNodes.forEach((node) => this.forEachScroller(node, (s) => this.watch(s)));
            }
        });
        root.querySelectorAll(selector).forEach((s) => this.watch(s));
        this.mutations.observe(root.body ?? root, { childList: true, subtree: true });
    }

    forEachScroller(node, fn) {
        if (node.nodeType !== 1) {
            return;
        }
        if (node.matches(this.selector)) {
            fn(node);
        }
        node.querySelectorAll(this.selector).forEach(fn);
    }

    watch(scroller) {
        if (this.watched.has(scroller) || !scroller.isConnected) {
            return;
        }
        this.watched.add(scroller);
        scroller.addEventListener('scroll', this.onScroll, { passive: true });
        for (const target of [scroller, ...scroller.children]) {
            this.owner.set(target, scroller);
            this.resize.observe(target);
        }
        this.update(scroller);
    }

    unwatch(scroller) {
        if (!this.watched.delete(scroller)) {
            return;
        }
        scroller.removeEventListener('scroll', this.onScroll);
        for (const target of [scroller, ...scroller.children]) {
            this.resize.unobserve(target);
        }
    }

    update(scroller) {
        const sides = overflowSides(scroller.scrollLeft, scroller.clientWidth, scroller.scrollWidth);
        if (sides === 'none') {
            delete scroller.dataset.overflow;
        } else if (scroller.dataset.overflow !== sides) {
            scroller.dataset.overflow = sides;
        }
    }

    /** How many scrollers are watched (bounded by those in the page). */
    get size() {
        return this.watched.size;
    }
}
