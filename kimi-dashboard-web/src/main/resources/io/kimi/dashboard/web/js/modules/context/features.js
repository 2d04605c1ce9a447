// « Fonctionnalités »: one switch per context feature, in the proxy's order, each turned on or off on the server.

import { el } from '../ui.js';
import { restoreFocus } from '../modals.js';
import { errorText, featureLabel, featureList } from '../context.js';
import { Part } from './parts.js';

export class FeaturesPart extends Part {
    /**
     * @param {object} options $ (the view's element by id), t, api, loader (a PartLoader), onLiveChange (called
     *                 when a switch that changes the session's figures moved)
     */
    constructor({ onLiveChange, ...shared }) {
        super(shared);
        this.onLiveChange = onLiveChange;
    }

    load() {
        return this.loader.load('features', this.$('context-features'), () => this.api.features(),
            (body) => this.render(body), () => this.load());
    }

    render(body) {
        const t = this.t;
        const features = featureList(body);
        const list = this.$('context-features');
        if (features.length === 0) {
            list.replaceChildren(el('li', { class: 'muted' }, t('context.features.none')));
            return;
        }
        const focused = list.contains(document.activeElement) ? document.activeElement : null;
        list.replaceChildren(...features.map((f) => {
            const id = `feature-${f.name}`;
            const hint = t.has(`feature.${f.name}.hint`);
            const input = el('input', {
                type: 'checkbox', role: 'switch', id, checked: f.enabled, dataset: { feature: f.name, focusKey: id },
                'aria-describedby': hint ? `${id}-hint` : null,
            });
            input.addEventListener('change', () => this.toggle(f.name, input));
            return el('li', { class: 'switch-row', dataset: { feature: f.name } },
                el('label', { class: 'switch', for: id }, input,
                    el('span', { class: 'switch-name' }, `${f.order}. ${featureLabel(t, f.name)}`)),
                hint ? el('span', { class: 'muted small switch-hint', id: `${id}-hint` }, t(`feature.${f.name}.hint`)) : null);
        }));
        if (focused && !focused.isConnected) {
            restoreFocus(focused);
        }
    }

    async toggle(name, input) {
        const t = this.t;
        const wanted = input.checked;
        const status = this.$('context-features-status');
        input.disabled = true;
        try {
            const body = await this.api.setFeature(name, wanted);
            const enabled = typeof body?.enabled === 'boolean' ? body.enabled : wanted;
            input.checked = enabled;
            status.textContent = t(enabled ? 'context.features.enabled' : 'context.features.disabled',
                { name: featureLabel(t, name) });
            status.dataset.state = 'ok';
            if (name === 'compaction' || name === 'sanitizer') {
                this.onLiveChange();
            }
        } catch (error) {
            input.checked = !wanted;
            status.textContent = t('context.features.failed', { name: featureLabel(t, name), message: errorText(t, error) });
            status.dataset.state = 'error';
        } finally {
            input.disabled = false;
        }
    }
}
