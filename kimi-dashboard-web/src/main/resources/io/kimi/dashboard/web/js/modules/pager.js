// The one pager of the paged lists (sessions, masked contents): « Précédente », « Page 2 sur 5 (93 …) »,
// « Suivante ». pageState and pagerView are pure (Node tests them, src/test/js/pager.test.js); renderPager
// draws the view.

import { el } from './ui.js';
import { formatNumber } from './utils.js';

/** Total pages for a listing, at least 1. */
export function pageCount(total, limit) {
    return Math.max(1, Math.ceil((Number(total) || 0) / Math.max(1, Number(limit) || 1)));
}

/**
 * Where a listing stands: {page} (from 1), {pages} (at least 1) and the offsets of the previous and next
 * pages, null where there is none. An offset past the end keeps its page number (the caller reloads the last
 * page when its answer comes back empty).
 */
export function pageState({ total, limit, offset }) {
    const size = Math.max(1, Number(limit) || 1);
    const at = Math.max(0, Number(offset) || 0);
    const pages = pageCount(total, size);
    const page = Math.floor(at / size) + 1;
    return {
        page,
        pages,
        prevOffset: page > 1 ? Math.max(0, at - size) : null,
        nextOffset: page < pages ? at + size : null,
    };
}

/**
 * What the pager shows: {buttons: false, text} when {@code singleText} is given and everything fits on the
 * first page, else {buttons: true, text, prevOffset, nextOffset}. {@code pageText} and {@code singleText} are
 * functions of the state ({page, pages, total}) returning the line to show.
 */
export function pagerView({ total, limit, offset, pageText, singleText = null }) {
    const state = pageState({ total, limit, offset });
    const info = { page: state.page, pages: state.pages, total: Number(total) || 0 };
    if (singleText && state.pages === 1 && state.page === 1) {
        return { buttons: false, text: singleText(info) };
    }
    return { buttons: true, text: pageText(info), prevOffset: state.prevOffset, nextOffset: state.nextOffset };
}

/**
 * The pageText of a list whose line is the translation {@code key} (« Page 2 sur 5 (93 …) »): plural by the
 * total, with the page, the pages and the total as numbers of t's language.
 */
export function pageLine(t, key) {
    return ({ page, pages, total }) => t.plural(key, total, {
        page: formatNumber(page, t.lang), pages: formatNumber(pages, t.lang), total: formatNumber(total, t.lang),
    });
}

/**
 * Draws the pager of a list into {@code container}. The buttons are #{name}-prev and #{name}-next (their focus
 * key too); a redraw keeps the keyboard focus on the button that had it, or on the other one when that one is
 * now disabled. A click calls {@code onOffset} with the offset to load. Returns the view drawn.
 */
export function renderPager(container, { t, name, total, limit, offset, pageText, singleText = null, onOffset }) {
    const view = pagerView({ total, limit, offset, pageText, singleText });
    const info = el('span', { class: 'pager-info', 'aria-live': 'polite' }, view.text);
    if (!view.buttons) {
        container.replaceChildren(info);
        return view;
    }
    const button = (which, target, key) => el('button', {
        type: 'button', class: 'btn', id: `${name}-${which}`, disabled: target === null,
        dataset: { focusKey: `${name}-${which}` },
        onclick: () => {
            if (target !== null) {
                onOffset(target);
            }
        },
    }, t(key));
    const focusedKey = container.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    const buttons = [button('prev', view.prevOffset, 'pager.prev'), button('next', view.nextOffset, 'pager.next')];
    container.replaceChildren(buttons[0], info, buttons[1]);
    if (focusedKey) {
        // The button pressed may now be disabled (first or last page): the focus goes to the other one.
        const same = buttons.find((b) => b.dataset.focusKey === focusedKey);
        (same && !same.disabled ? same : buttons.find((b) => !b.disabled))?.focus();
    }
    return view;
}
