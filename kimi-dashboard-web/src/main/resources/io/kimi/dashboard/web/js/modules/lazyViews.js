// Views that are not shown are not loaded: their module is imported, and their data fetched, the first time
// they are shown. Each view is built once; a failed import can be retried from the panel it left.

import { el } from './ui.js';

export class LazyViews {
    /**
     * @param {object} options factories ({view: async () => instance}), t, root (the document), onShown
     *                 ({view: (instance) => void}, run each time the view is shown)
     */
    constructor({ factories, t, root = document, onShown = {} }) {
        this.factories = factories;
        this.t = t;
        this.root = root;
        this.onShown = onShown;
        this.loading = new Map();
        this.built = new Map();
    }

    /** The view's instance if it was built, else null. */
    get(view) {
        return this.built.get(view) ?? null;
    }

    /** Builds the view on its first showing, then runs its showing hook. */
    async show(view) {
        const factory = this.factories[view];
        if (!factory) {
            return null;
        }
        if (!this.loading.has(view)) {
            this.loading.set(view, factory().then((instance) => {
                this.built.set(view, instance);
                return instance;
            }));
        }
        try {
            const instance = await this.loading.get(view);
            this.onShown[view]?.(instance);
            return instance;
        } catch (error) {
            this.loading.delete(view);
            console.error(`La vue « ${view} » n’a pas pu être chargée :`, error);
            const panel = this.root.getElementById(`view-${view}`);
            panel?.prepend(el('div', { class: 'panel-error', role: 'alert' },
                el('p', {}, this.t('error.load', { message: error?.message ?? String(error) })),
                el('button', {
                    type: 'button', class: 'btn',
                    onclick: (e) => {
                        e.currentTarget.parentElement.remove();
                        this.show(view);
                    },
                }, this.t('error.retry'))));
            return null;
        }
    }
}
