// Compaction on the page: an advice line under the gauge once the context passes the warning threshold, with a
// button that opens the « Contexte » view's preview ("context:open-preview" on the bus), and a notification when
// the server reports a compaction or its undoing (COMPACTION_APPLIED / COMPACTION_UNDONE events).

import { EventBus, formatNumber } from './utils.js';

/** Whether to advise compacting at a context level: from the warning threshold up. */
export function shouldAdviseCompaction(level) {
    return level === 'warning' || level === 'high' || level === 'critical';
}

/** Token counts before and after, from a COMPACTION_APPLIED event's data, whatever the field names. */
export function compactionCounts(data = {}) {
    const before = data.tokens_before ?? data.before_tokens ?? data.original_tokens ?? data.before ?? null;
    const after = data.tokens_after ?? data.after_tokens ?? data.compacted_tokens ?? data.after ?? null;
    return { before, after };
}

export class CompactionAdvisor {
    /**
     * @param {object} options advice (the box under the gauge), text (its sentence), button (opens the preview),
     *                 t, notifier, bus
     */
    constructor({ advice, text = advice, button = null, t, notifier, bus = EventBus }) {
        this.advice = advice;
        this.text = text;
        this.t = t;
        this.notifier = notifier;
        button?.addEventListener('click', () => bus.emit('context:open-preview'));
        bus.on('gauge:level', (level) => this.onLevel(level));
        bus.on('ws:event', (e) => {
            if (e?.event_type === 'COMPACTION_APPLIED') {
                this.onCompaction(e);
            } else if (e?.event_type === 'COMPACTION_UNDONE') {
                this.onUndo(e);
            }
        });
    }

    onLevel(level) {
        this.advice.hidden = !shouldAdviseCompaction(level);
        this.text.textContent = this.t('gauge.compactAdvice');
    }

    onUndo(event) {
        const { before } = compactionCounts(event.data);
        this.notifier.show(this.t('compaction.undoneNotice', { tokens: formatNumber(before, this.t.lang) }),
            { type: 'info' });
    }

    onCompaction(event) {
        const { before, after } = compactionCounts(event.data);
        this.notifier.show(this.t('compaction.applied', {
            before: formatNumber(before, this.t.lang), after: formatNumber(after, this.t.lang),
        }), { type: 'success' });
    }
}
