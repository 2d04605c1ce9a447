// What the parts of the « Contexte » view share: their dependencies (Part), loading a part (newest answer wins,
// failures shown in place with a retry button), a failed action's message, a list of facts, and widths set
// through the CSSOM.

import { el, errorPanel } from '../ui.js';
import { errorText } from '../context.js';
import { formatNumber } from '../utils.js';

/**
 * What every part of the view holds from the panel (panel.js hands the same ones to each): $ (the view's
 * element by id), t, api, loader (a PartLoader) and sessionId (a function returning the active session's id).
 */
export class Part {
    constructor({ $, t, api, loader, sessionId }) {
        this.$ = $;
        this.t = t;
        this.api = api;
        this.loader = loader;
        this.sessionId = sessionId;
    }
}

/** Runs the loads of the view's parts: each part shows only the answer of its newest load. */
export class PartLoader {
    constructor(t) {
        this.t = t;
        this.loads = new Map();
    }

    /**
     * Runs one load of a named part, drops its answer when a newer load of the same part started meanwhile, and
     * shows a failure in the part's container with a button calling {@code retry}.
     */
    async load(part, container, fetch, render, retry) {
        const token = {};
        this.loads.set(part, token);
        container.setAttribute('aria-busy', 'true');
        try {
            const body = await fetch();
            if (this.loads.get(part) === token) {
                render(body);
            }
        } catch (error) {
            if (this.loads.get(part) === token) {
                container.replaceChildren(errorPanel(this.t, error, retry));
            }
        } finally {
            if (this.loads.get(part) === token) {
                container.removeAttribute('aria-busy');
            }
        }
    }
}

/** A failed action's message, with the server's error code for the tests and the curious. */
export function failure(t, key, error) {
    return el('div', { class: 'panel-error', role: 'alert', dataset: { code: error?.code ?? '' } },
        el('p', {}, t(key, { message: errorText(t, error) })));
}

/** [key, value] pairs as the <div><dt><dd></div> rows of a facts list. */
export function factRows(t, facts) {
    return facts.map(([key, value]) => el('div', {}, el('dt', {}, t(key)), el('dd', {}, value)));
}

/** Sets an element's width in percent (0-100) through the CSSOM. */
export function sized(node, percent) {
    node.style.width = `${Math.max(0, Math.min(100, Number(percent) || 0))}%`;
    return node;
}

/** "1 message", "2 messages": the plural form of {@code key} that fits {@code n}, with n formatted as {count}. */
export function counted(t, key, n) {
    const count = Number(n) || 0;
    return t.plural(key, count, { count: formatNumber(count, t.lang) });
}
