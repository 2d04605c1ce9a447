// Compaction on the page: an advice line under the gauge once the context passes the warning threshold, and
// a notification when the server reports a compaction (COMPACTION_APPLIED events, from the context features).

import { EventBus, formatNumber } from './utils.js';

/** Whether to advise compacting at a gauge level. */
export function shouldAdviseCompaction(level) {
    return level === 'yellow' || level === 'red';
}

/** Token counts before and after, from a COMPACTION_APPLIED event's data, whatever the field names. */
export function compactionCounts(data = {}) {
    const before = data.tokens_before ?? data.before_tokens ?? data.original_tokens ?? data.before ?? null;
    const after = data.tokens_after ?? data.after_tokens ?? data.compacted_tokens ?? data.after ?? null;
    return { before, after };
}

export class CompactionAdvisor {
    constructor({ advice, t, notifier, bus = EventBus }) {
        this.advice = advice;
        this.t = t;
        this.notifier = notifier;
        bus.on('gauge:level', (level) => this.onLevel(level));
        bus.on('ws:event', (e) => {
            if (e?.event_type === 'COMPACTION_APPLIED') {
                this.onCompaction(e);
            }
        });
    }

    onLevel(level) {
        this.advice.hidden = !shouldAdviseCompaction(level);
        this.advice.textContent = this.t('gauge.compactAdvice');
    }

    onCompaction(event) {
        const { before, after } = compactionCounts(event.data);
        this.notifier.show(this.t('compaction.applied', {
            before: formatNumber(before, this.t.lang), after: formatNumber(after, this.t.lang),
        }), { type: 'success' });
    }
}
