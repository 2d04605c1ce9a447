package io.kimi.core.store;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Findings;
import io.kimi.core.Session;
import io.kimi.core.SessionStatus;

/**
 * What stored convergence sessions add up to: how many there are by status, the iterations they reached, and
 * their findings (by severity), fixes and vulnerabilities. One session's figures ({@link #of}) add to and
 * subtract from the totals ({@link #plus}, {@link #minus}), so the totals can follow the sessions' changes
 * without reading them all again.
 *
 * @param running sessions running
 * @param converged sessions converged
 * @param failed sessions failed
 * @param completed sessions completed
 * @param iterations the sum of the sessions' {@code current_iteration}
 * @param findings the findings of every stored iteration, by severity
 * @param fixes the sum of the sessions' {@code total_fixes}
 * @param vulnerabilities the sum of the sessions' {@code total_vulnerabilities}
 */
public record ConvergenceFigures(
        long running,
        long converged,
        long failed,
        long completed,
        long iterations,
        Findings findings,
        long fixes,
        long vulnerabilities) {

    public static final ConvergenceFigures ZERO = new ConvergenceFigures(0, 0, 0, 0, 0, Findings.ZERO, 0, 0);

    public ConvergenceFigures {
        requireNonNull(findings, "findings");
    }

    /** One session's figures: itself in its status, its iteration and totals, and its iterations' findings. */
    public static ConvergenceFigures of(Session session, Findings findings) {
        requireNonNull(session, "session");
        return new ConvergenceFigures(
                session.status() == SessionStatus.RUNNING ? 1 : 0,
                session.status() == SessionStatus.CONVERGED ? 1 : 0,
                session.status() == SessionStatus.FAILED ? 1 : 0,
                session.status() == SessionStatus.COMPLETED ? 1 : 0,
                Math.max(0, session.currentIteration()),
                findings,
                session.convergence().totalFixes(),
                session.convergence().totalVulnerabilities());
    }

    /** Sessions of every status. */
    public long sessions() {
        return running + converged + failed + completed;
    }

    public ConvergenceFigures plus(ConvergenceFigures o) {
        return combine(o, 1);
    }

    public ConvergenceFigures minus(ConvergenceFigures o) {
        return combine(o, -1);
    }

    private ConvergenceFigures combine(ConvergenceFigures o, int sign) {
        Findings f = o.findings;
        return new ConvergenceFigures(running + sign * o.running, converged + sign * o.converged,
                failed + sign * o.failed, completed + sign * o.completed, iterations + sign * o.iterations,
                new Findings(findings.critical() + sign * f.critical(), findings.high() + sign * f.high(),
                        findings.medium() + sign * f.medium(), findings.low() + sign * f.low(),
                        findings.info() + sign * f.info()),
                fixes + sign * o.fixes, vulnerabilities + sign * o.vulnerabilities);
    }
}
