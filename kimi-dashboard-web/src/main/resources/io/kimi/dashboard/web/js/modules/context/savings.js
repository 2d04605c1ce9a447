// « Économies »: what the context features saved for the active session since the page opened (from live
// events), on the last request, by masking (server-wide) and by the active compactions; and the tool calls
// repaired in the last request.

import { EventBus, formatNumber } from '../utils.js';
import { SavingsTally, activeCompactionSavings, compactionHistory, featureLabel, formatBeforeAfter, formatSavings } from '../context.js';
import { Part, counted } from './parts.js';

export class SavingsPart extends Part {
    /** @param {object} options $ (the view's element by id), t, bus, sessionId (a function) */
    constructor({ bus = EventBus, ...shared }) {
        super(shared);
        this.bus = bus;
        this.tally = new SavingsTally();
        this.sanitizer = null;
        this.compactionState = null;
        this.lastRepair = null;
    }

    /** Folds a request event in; true when it counted for the shown session. */
    addRequest(event, mine) {
        return this.tally.add(event) && mine;
    }

    setSanitizer(stats) {
        this.sanitizer = stats;
        this.render();
    }

    setCompaction(state) {
        this.compactionState = state;
        this.render();
    }

    setRepair(repair) {
        this.lastRepair = repair;
        this.render();
    }

    render() {
        const t = this.t;
        const id = this.sessionId();
        const s = this.tally.forSession(id);
        const session = this.$('context-saved-session');
        session.textContent = formatSavings(t, s.saved, s.original);
        session.dataset.saved = String(s.saved);
        this.$('context-saved-detail').textContent = s.requests > 0
            ? counted(t, 'context.savings.sinceOpen', s.requests) : t('context.savings.noneYet');
        this.renderLast(s.last);
        const masks = this.sanitizer;
        this.$('context-saved-masks').textContent = masks
            ? formatSavings(t, masks.tokens_saved_since_start ?? 0) : '—';
        this.$('context-saved-masks-detail').textContent = masks
            ? t('context.savings.masksDetail', {
                masks: counted(t, 'context.savings.maskedCount', masks.masks),
                requests: counted(t, 'context.savings.requestsLightened', masks.requests_masked),
            }) : '';
        const state = this.compactionState;
        const active = state ? compactionHistory(state).filter((r) => r.status === 'active').length : 0;
        this.$('context-saved-compaction').textContent = state && id
            ? formatSavings(t, activeCompactionSavings(state)) : '—';
        this.$('context-saved-compaction-detail').textContent = state && id
            ? counted(t, 'context.savings.compactionDetail', active) : '';
        this.$('context-repairs').textContent = this.lastRepair
            ? t('context.savings.repairs', { count: formatNumber(this.lastRepair.count, t.lang) }) : '';
        this.bus.emit('context:savings', { sessionId: id, ...s });
    }

    renderLast(last) {
        const t = this.t;
        const node = this.$('context-last-request');
        if (last) {
            node.textContent = `${formatBeforeAfter(t, last.original, last.sent)} · ${formatSavings(t, last.saved, last.original)}`;
            node.dataset.original = String(last.original);
            node.dataset.sent = String(last.sent);
            this.$('context-last-features').textContent = last.features.filter((f) => f.changed > 0)
                .map((f) => `${featureLabel(t, f.name)} ${formatNumber(f.saved, t.lang)}`).join(' · ');
        } else {
            node.textContent = '—';
            delete node.dataset.original;
            delete node.dataset.sent;
            this.$('context-last-features').textContent = '';
        }
    }
}
