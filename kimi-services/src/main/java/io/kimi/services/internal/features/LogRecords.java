package io.kimi.services.internal.features;

import static java.util.Objects.requireNonNull;

import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.Ids;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.TokenUsage;
import io.kimi.features.logs.LogFinding;
import io.kimi.features.logs.LogListener;
import io.kimi.services.internal.Accountant;
import io.kimi.services.internal.ProxySessions;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the log watcher's findings into request records of source {@code logs}, {@code compile_chat} or
 * {@code error}, counted in the source's configured session (when it is a known proxy session) or else the active
 * one. Token counts from the log are the record's reported usage, priced at the model's prices when the model is
 * configured. A finding with no session to count in is dropped with a warning.
 *
 * <p>The context a finding reports is measured against its own model's window, and only when the log names a
 * configured model (see {@link Accountant#submitExternal}): a finding without a model (a chat-compilation report)
 * or of an unknown one never moves the session's gauge nor raises an alert, since the session's window says
 * nothing of the tool that logged it.
 */
public final class LogRecords implements LogListener {
    private static final Logger log = LoggerFactory.getLogger(LogRecords.class);

    private final ProxySessions sessions;
    private final Accountant accountant;
    private final KimiConfig config;
    private final AtomicLong dropped = new AtomicLong();

    public LogRecords(ProxySessions sessions, Accountant accountant, KimiConfig config) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.accountant = requireNonNull(accountant, "accountant");
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void onFinding(LogFinding finding) {
        Optional<Session> session = finding.sessionId() != null ? sessions.get(finding.sessionId())
                : Optional.empty();
        if (session.isEmpty()) {
            session = sessions.active();
        }
        if (session.isEmpty()) {
            if (dropped.getAndIncrement() % 100 == 0) {
                log.warn("A finding of log source '{}' has no session to count in (no active proxy session): "
                        + "dropped ({} so far)", finding.source(), dropped.get());
            }
            return;
        }
        accountant.submitExternal(toRecord(finding, session.get()), ownModel(finding));
    }

    /** How many findings had no session to count in. */
    public long dropped() {
        return dropped.get();
    }

    /** The configured model the finding names; empty when it names none or one the configuration lacks. */
    Optional<ModelConfig> ownModel(LogFinding f) {
        return f.model() == null ? Optional.empty() : config.model(f.model());
    }

    RequestRecord toRecord(LogFinding f, Session session) {
        String modelKey = f.model() != null ? f.model() : session.model();
        Optional<ModelConfig> model = config.model(modelKey);
        boolean error = f.kind() == LogFinding.Kind.ERROR;
        TokenUsage reported = error ? null : new TokenUsage(f.promptTokens(), f.completionTokens(), 0);
        double cost = reported == null ? 0 : model.map(m -> m.prices().cost(reported.promptTokens(),
                reported.completionTokens(), 0)).orElse(0.0);
        return new RequestRecord(Ids.timeOrdered("log_"), session.sessionId(),
                f.timestamp(), "log:" + f.source(), modelKey,
                model.map(ModelConfig::upstreamModel).orElse(modelKey), false,
                error ? RequestStatus.ERROR : RequestStatus.SUCCESS, error ? 0 : 200,
                error ? "log_error" : null, error ? f.message() : null,
                new TokenUsage(f.promptTokens(), f.completionTokens(), 0), reported, cost, 0, -1, source(f.kind()));
    }

    static String source(LogFinding.Kind kind) {
        return switch (kind) {
            case LOGS -> "logs";
            case COMPILE_CHAT -> "compile_chat";
            case ERROR -> "error";
        };
    }
}
