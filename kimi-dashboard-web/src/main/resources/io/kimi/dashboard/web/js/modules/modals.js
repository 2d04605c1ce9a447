// Modal dialogs: one at a time, focus moved in and kept in (Tab cycles), closed by Escape, the close
// button or a click on the backdrop, and focus returned to whatever opened it.

import { el } from './ui.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), '
    + 'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Focuses an element again, or, when a live update has redrawn it meanwhile, its replacement: the element with
 * the same data-focus-key.
 */
export function restoreFocus(element) {
    if (!element || typeof element.focus !== 'function') {
        return;
    }
    if (element.isConnected) {
        element.focus();
        return;
    }
    const key = element.dataset?.focusKey;
    if (key) {
        document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
    }
}

export class ModalManager {
    constructor(root, t) {
        this.root = root;
        this.t = t;
        this.active = null;
        this.onKey = (e) => this.handleKey(e);
    }

    /**
     * Opens a dialog. content: a node or array of nodes. Returns a promise resolved with the value given to
     * close() (undefined when dismissed).
     */
    open({ title, content, actions = [], id = 'modal' }) {
        this.close();
        const opener = document.activeElement;
        const titleId = `${id}-title`;
        const closeButton = el('button', {
            type: 'button', class: 'modal-close', 'aria-label': this.t('modal.close'), dataset: { action: 'close' },
        }, '×');
        const footer = actions.length
            ? el('div', { class: 'modal-actions' }, actions.map((a) => el('button', {
                type: 'button', class: `btn ${a.primary ? 'btn-primary' : ''} ${a.danger ? 'btn-danger' : ''}`,
                dataset: { action: a.id }, onclick: () => this.close(a.value),
            }, a.label)))
            : null;
        const dialog = el('div', {
            class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, id,
        },
        el('div', { class: 'modal-header' }, el('h2', { id: titleId }, title), closeButton),
        el('div', { class: 'modal-body' }, content),
        footer);
        const backdrop = el('div', { class: 'modal-backdrop' }, dialog);
        backdrop.addEventListener('mousedown', (e) => {
            if (e.target === backdrop) {
                this.close();
            }
        });
        closeButton.addEventListener('click', () => this.close());
        this.root.append(backdrop);
        document.addEventListener('keydown', this.onKey, true);
        let resolve;
        const result = new Promise((r) => {
            resolve = r;
        });
        this.active = { backdrop, dialog, opener, resolve };
        const first = footer?.querySelector('.btn-primary') ?? closeButton;
        first.focus();
        return result;
    }

    /** A yes/no question; resolves to true only when confirmed. */
    async confirm({ title, message, confirmLabel, danger = false }) {
        const value = await this.open({
            id: 'confirm-modal',
            title,
            content: el('p', {}, message),
            actions: [
                { id: 'cancel', label: this.t('modal.cancel'), value: false },
                { id: 'confirm', label: confirmLabel ?? this.t('modal.confirm'), value: true, primary: true, danger },
            ],
        });
        return value === true;
    }

    close(value) {
        if (!this.active) {
            return;
        }
        const { backdrop, opener, resolve } = this.active;
        this.active = null;
        document.removeEventListener('keydown', this.onKey, true);
        backdrop.remove();
        restoreFocus(opener);
        resolve(value);
    }

    handleKey(e) {
        if (!this.active) {
            return;
        }
        if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            this.close();
            return;
        }
        if (e.key === 'Tab') {
            const items = [...this.active.dialog.querySelectorAll(FOCUSABLE)];
            if (items.length === 0) {
                return;
            }
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    }
}
