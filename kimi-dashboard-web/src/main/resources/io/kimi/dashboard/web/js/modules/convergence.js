// The convergence view: pick a session of kind "convergence", see where its loop is (pipeline IDLE →
// DIAGNOSING → FIXING → ATTACKING → VALIDATING → CONVERGED/FAILED), its iteration, findings and fixes per
// iteration, step durations, findings by severity and a live event log.

import { EventBus, formatDateTime, formatDuration, formatNumber, formatTime, throttle, toMillis } from './utils.js';
import { el, errorPanel } from './ui.js';
import { stateLabel } from './sessions.js';

export const PIPELINE = ['IDLE', 'DIAGNOSING', 'FIXING', 'ATTACKING', 'VALIDATING'];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const PROXY_EVENTS = new Set(['REQUEST_COMPLETED', 'REQUEST_FAILED', 'ALERT', 'COMPACTION_APPLIED']);

/**
 * The pipeline's stages for a state: each {state, phase} with phase "done", "current", "pending" or
 * "failed". The last stage is CONVERGED or FAILED, whichever applies (CONVERGED while running). For a failed
 * loop, `lastWorkingState` (the stage it was in when it failed) is marked failed, the stages before it done
 * and those after it pending; when it is unknown, no stage is claimed done.
 */
export function pipelineStages(currentState, status, lastWorkingState = null) {
    const state = String(currentState ?? 'IDLE').toUpperCase();
    const failed = state === 'FAILED' || status === 'failed';
    const converged = state === 'CONVERGED' || status === 'converged';
    const index = PIPELINE.indexOf(state);
    const stoppedAt = failed ? PIPELINE.indexOf(String(lastWorkingState ?? '').toUpperCase()) : -1;
    const stages = PIPELINE.map((s, i) => {
        let phase = 'pending';
        if (failed) {
            phase = stoppedAt < 0 || i > stoppedAt ? 'pending' : i < stoppedAt ? 'done' : 'failed';
        } else if (converged || (index >= 0 && i < index)) {
            phase = 'done';
        } else if (i === index) {
            phase = 'current';
        }
        return { state: s, phase };
    });
    if (failed) {
        stages.push({ state: 'FAILED', phase: 'failed' });
    } else {
        stages.push({ state: 'CONVERGED', phase: converged ? 'current' : 'pending' });
    }
    return stages;
}

/** What a live event changes in a convergence session's summary (pure). */
export function foldEvent(summary, event) {
    const next = { ...summary };
    if (Number.isFinite(event.iteration) && event.iteration > (next.current_iteration ?? 0)) {
        next.current_iteration = event.iteration;
    }
    const ts = toMillis(event.timestamp) ?? 0;
    let state = event.state ?? null;
    if (event.event_type === 'STATE_CHANGED' && event.data?.to) {
        state = event.data.to;
    }
    if (state && ts >= (next.stateTime ?? 0)) {
        next.current_state = state;
        next.stateTime = ts;
        if (PIPELINE.includes(String(state).toUpperCase())) {
            next.last_working_state = String(state).toUpperCase();
        }
    }
    if (event.event_type === 'STATE_CHANGED' && String(event.data?.to).toUpperCase() === 'FAILED'
            && PIPELINE.includes(String(event.data?.from).toUpperCase())) {
        next.last_working_state = String(event.data.from).toUpperCase();
    }
    if (event.event_type === 'CONVERGENCE_REACHED') {
        next.status = 'converged';
        next.current_state = 'CONVERGED';
    } else if (event.event_type === 'SESSION_ENDED' && event.data?.status) {
        next.status = event.data.status;
    } else if (state === 'FAILED' || (event.event_type === 'ERROR' && event.data?.fatal === true)) {
        next.status = 'failed';
    }
    return next;
}

/** Counts of one findings report, by severity (object of counts, a bare number as info, or a list). */
export function countReport(findings) {
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    if (typeof findings === 'number') {
        counts.info = findings;
    } else if (Array.isArray(findings)) {
        for (const f of findings) {
            const s = String(f?.severity ?? 'info').toLowerCase();
            counts[SEVERITIES.includes(s) ? s : 'info'] += 1;
        }
    } else if (findings && typeof findings === 'object') {
        for (const s of SEVERITIES) {
            const n = Number(findings[s]);
            counts[s] = Number.isFinite(n) ? n : 0;
        }
    }
    return counts;
}

/** The running session that started last, or null. */
export function latestRunning(sessions) {
    let latest = null;
    for (const s of sessions) {
        if (s.status === 'running'
                && (latest === null || (toMillis(s.start_time) ?? 0) > (toMillis(latest.start_time) ?? 0))) {
            latest = s;
        }
    }
    return latest;
}

/**
 * Which session the view shows after the list is (re)loaded. Following: the running session that started last,
 * else the one shown if it is still listed, else the newest. Not following (the user picked one): the one shown
 * while it is listed, else as when following.
 */
export function sessionToShow(sessions, selected, follow) {
    if (sessions.length === 0) {
        return null;
    }
    const listed = selected !== null && sessions.some((s) => s.session_id === selected);
    if (!follow && listed) {
        return selected;
    }
    const latest = latestRunning(sessions);
    if (latest) {
        return latest.session_id;
    }
    if (listed) {
        return selected;
    }
    return [...sessions].sort((a, b) => (toMillis(b.start_time) ?? 0) - (toMillis(a.start_time) ?? 0))[0].session_id;
}

/** A short one-line summary of an event's data for the log. */
export function eventSummary(event) {
    const d = event.data ?? {};
    const parts = [];
    for (const key of ['step', 'result', 'from', 'to', 'status', 'message', 'reason']) {
        if (d[key] !== undefined && d[key] !== null && typeof d[key] !== 'object') {
            parts.push(`${key}=${d[key]}`);
        }
    }
    if (d.findings !== undefined) {
        const c = countReport(d.findings);
        parts.push(`findings=${SEVERITIES.reduce((sum, s) => sum + c[s], 0)}`);
    }
    if (d.fixes !== undefined) {
        parts.push(`fixes=${Array.isArray(d.fixes) ? d.fixes.length : typeof d.fixes === 'object' ? Object.values(d.fixes).reduce((a, b) => a + Number(b || 0), 0) : d.fixes}`);
    }
    const text = parts.join(' · ');
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export class ConvergenceView {
    constructor({ root, api, t, charts, bus = EventBus, maxLog = 200 }) {
        this.root = root;
        this.api = api;
        this.t = t;
        this.charts = charts;
        this.bus = bus;
        this.maxLog = maxLog;
        this.sessions = new Map();
        this.selected = null;
        this.summary = null;
        this.findings = new Map();
        this.log = [];
        this.select = root.querySelector('#conv-select');
        // « Suivre » (on by default) moves to each new running session; picking one in the list turns it off,
        // so the user's choice stays until they turn it back on.
        this.follow = true;
        this.followBox = root.querySelector('#conv-follow');
        this.followBox.checked = true;
        this.followBox.addEventListener('change', () => {
            this.follow = this.followBox.checked;
            if (this.follow) {
                this.loadList();
            }
        });
        this.select.addEventListener('change', () => {
            this.setFollow(false);
            this.show(this.select.value);
        });
        this.refreshMetrics = throttle(() => this.loadMetrics(), 500);
        this.refreshList = throttle(() => this.loadList(), 1000);
        this.chartReady = false;
        bus.on('ws:event', (e) => this.onEvent(e));
        bus.on('ws:init', () => this.loadList());
    }

    setFollow(follow) {
        this.follow = follow;
        this.followBox.checked = follow;
    }

    ensureChart() {
        if (!this.chartReady) {
            this.charts.createIterationChart(this.root.querySelector('#iterations-chart'));
            this.chartReady = true;
        }
    }

    async loadList() {
        const status = this.root.querySelector('#conv-status-message');
        try {
            const page = await this.api.listSessions({ limit: 50, offset: 0, kind: 'convergence' });
            status.replaceChildren();
            this.sessions = new Map(page.sessions.map((s) => [s.session_id, s]));
            this.renderSelect(page.sessions);
            const empty = page.sessions.length === 0;
            this.root.querySelector('#conv-empty').hidden = !empty;
            this.root.querySelector('#conv-body').hidden = empty;
            if (empty) {
                this.selected = null;
                return;
            }
            const target = sessionToShow(page.sessions, this.selected, this.follow);
            if (target !== this.selected) {
                await this.show(target);
            }
        } catch (error) {
            status.replaceChildren(errorPanel(this.t, error, () => this.loadList()));
        }
    }

    renderSelect(sessions) {
        const t = this.t;
        this.select.replaceChildren(...sessions.map((s) => el('option', { value: s.session_id },
            `${s.target || s.name || s.session_id.slice(0, 8)} — ${t(`sessionStatus.${s.status}`)} — ${formatDateTime(s.start_time, t.lang)}`)));
        if (this.selected && this.sessions.has(this.selected)) {
            this.select.value = this.selected;
        }
    }

    async show(id) {
        this.ensureChart();
        this.selected = id;
        this.select.value = id;
        this.findings = new Map();
        this.log = [];
        const body = this.root.querySelector('#conv-body');
        body.setAttribute('aria-busy', 'true');
        const status = this.root.querySelector('#conv-status-message');
        try {
            const [session, firstPage] = await Promise.all([
                this.api.getSession(id),
                this.api.sessionEvents(id, { limit: 1000, offset: 0 }),
            ]);
            if (this.selected !== id) {
                return;
            }
            let events = firstPage.events;
            if (firstPage.total > events.length) {
                const last = await this.api.sessionEvents(id, { limit: 1000, offset: firstPage.total - 1000 });
                events = last.events;
            }
            this.summary = { ...session, stateTime: 0 };
            for (const e of events) {
                this.summary = foldEvent(this.summary, e);
                this.foldFindings(e);
            }
            // The server's view wins for the state: it has every event, the page maybe only the last 1000.
            this.summary.current_state = session.current_state ?? this.summary.current_state;
            this.summary.status = session.status;
            this.log = events.slice(-this.maxLog).reverse();
            status.replaceChildren();
            this.renderSummary();
            this.renderSeverity();
            this.renderLog();
            await this.loadMetrics();
        } catch (error) {
            status.replaceChildren(errorPanel(this.t, error, () => this.show(id)));
        } finally {
            body.removeAttribute('aria-busy');
        }
    }

    async loadMetrics() {
        const id = this.selected;
        if (!id) {
            return;
        }
        try {
            const m = await this.api.sessionMetrics(id);
            if (this.selected !== id) {
                return;
            }
            this.charts.setIterations(m.findings_per_iteration ?? [], m.fixes_per_iteration ?? []);
            this.renderSteps(m.step_durations ?? {});
            this.root.querySelector('#iterations-chart').dataset.iterations = String(m.iterations ?? 0);
        } catch (error) {
            this.root.querySelector('#conv-status-message').replaceChildren(errorPanel(this.t, error,
                () => this.loadMetrics()));
        }
    }

    foldFindings(e) {
        if (e?.data?.findings !== undefined && e.data.findings !== null) {
            this.findings.set(e.iteration ?? 0, countReport(e.data.findings));
        }
    }

    onEvent(e) {
        if (!e?.session_id || PROXY_EVENTS.has(e.event_type)) {
            return;
        }
        if (!this.sessions.has(e.session_id)) {
            this.refreshList();
            return;
        }
        if (e.session_id !== this.selected || !this.summary) {
            // Another listed session moved on (it may have started after the shown one): the list says which
            // runs, and when following the view goes to the latest.
            if (this.follow) {
                this.refreshList();
            }
            return;
        }
        const before = this.summary.status;
        this.summary = foldEvent(this.summary, e);
        if (this.follow && before !== this.summary.status) {
            // The shown session ended (or restarted): another one may be running now.
            this.refreshList();
        }
        this.foldFindings(e);
        this.log.unshift(e);
        this.log.splice(this.maxLog);
        this.renderSummary();
        this.renderSeverity();
        this.prependLog(e);
        this.refreshMetrics();
    }

    renderSummary() {
        const t = this.t;
        const s = this.summary;
        const stages = pipelineStages(s.current_state, s.status, s.last_working_state);
        const pipeline = this.root.querySelector('#conv-pipeline');
        pipeline.dataset.state = String(s.current_state ?? '');
        pipeline.replaceChildren(...stages.map((stage) => el('li', {
            class: `stage stage-${stage.phase}`,
            dataset: { state: stage.state, phase: stage.phase },
            'aria-current': stage.phase === 'current' || stage.phase === 'failed' ? 'step' : null,
        }, el('span', { class: 'stage-name' }, stateLabel(t, stage.state)),
        stage.phase === 'current' ? el('span', { class: 'sr-only' }, ` (${t('conv.current')})`) : null)));
        const unknown = s.current_state && !stages.some((x) => x.state === String(s.current_state).toUpperCase());
        this.root.querySelector('#conv-state-extra').textContent = unknown ? stateLabel(t, s.current_state) : '';
        const iteration = this.root.querySelector('#conv-iteration');
        iteration.textContent = formatNumber(s.current_iteration ?? 0, t.lang);
        iteration.dataset.iteration = String(s.current_iteration ?? 0);
        const status = this.root.querySelector('#conv-status');
        status.textContent = t(`sessionStatus.${s.status}`);
        status.className = `badge session-${s.status}`;
        this.root.querySelector('#conv-target').textContent = s.target || s.name || '—';
    }

    renderSeverity() {
        const t = this.t;
        const totals = Object.fromEntries(SEVERITIES.map((k) => [k, 0]));
        for (const counts of this.findings.values()) {
            for (const k of SEVERITIES) {
                totals[k] += counts[k];
            }
        }
        const max = Math.max(1, ...Object.values(totals));
        this.root.querySelector('#conv-severity').replaceChildren(...SEVERITIES.map((k) => el('li', {
            class: 'severity-row', dataset: { severity: k, count: String(totals[k]) },
        }, el('span', { class: `badge severity-${k}` }, t(`severity.${k}`)),
        el('span', { class: 'severity-bar', 'aria-hidden': 'true' },
            el('span', { class: `severity-fill severity-${k}`, style: `width:${(totals[k] / max) * 100}%` })),
        el('span', { class: 'num' }, formatNumber(totals[k], t.lang)))));
    }

    renderSteps(stepDurations) {
        const t = this.t;
        const table = this.root.querySelector('#conv-steps');
        const steps = Object.entries(stepDurations);
        if (steps.length === 0) {
            table.replaceChildren(el('p', { class: 'muted' }, t('conv.noSteps')));
            return;
        }
        const rows = steps.map(([step, list]) => {
            const values = (list ?? []).map(Number).filter(Number.isFinite);
            const last = [...values].reverse().find((v) => v > 0) ?? 0;
            const total = values.reduce((a, b) => a + b, 0);
            return el('tr', { dataset: { step } },
                el('th', { scope: 'row' }, t.has(`step.${step}`) ? t(`step.${step}`) : step),
                el('td', { class: 'num' }, formatDuration(last * 1000, t.lang)),
                el('td', { class: 'num' }, formatDuration(total * 1000, t.lang)));
        });
        table.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('conv.step')),
                el('th', { scope: 'col' }, t('conv.lastDuration')), el('th', { scope: 'col' }, t('conv.totalDuration')))),
            el('tbody', {}, rows))));
    }

    logItem(e) {
        const t = this.t;
        return el('li', { class: `log-item log-${String(e.event_type).toLowerCase()}`, dataset: { type: e.event_type } },
            el('time', { datetime: e.timestamp }, formatTime(e.timestamp, t.lang)),
            el('span', { class: 'log-iter' }, `#${e.iteration ?? 0}`),
            el('span', { class: 'log-type' }, e.event_type),
            e.state ? el('span', { class: 'log-state' }, stateLabel(t, e.state)) : null,
            el('span', { class: 'log-data' }, eventSummary(e)));
    }

    renderLog() {
        const list = this.root.querySelector('#conv-log');
        list.replaceChildren(...this.log.map((e) => this.logItem(e)));
        this.root.querySelector('#conv-log-empty').hidden = this.log.length > 0;
    }

    prependLog(e) {
        const list = this.root.querySelector('#conv-log');
        list.prepend(this.logItem(e));
        while (list.children.length > this.maxLog) {
            list.lastElementChild.remove();
        }
        this.root.querySelector('#conv-log-empty').hidden = true;
    }
}
