package io.kimi.features.logs;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Kimi CLI's log, {@code ~/.kimi/logs/kimi.log} (and, line by line, its session {@code context.jsonl}
 * files).
 *
 * <p>Kimi CLI logs through loguru, one entry per line as {@code <local time> | <LEVEL> | <module>:<function>:
 * <line> [| <session id>] - <message>}; a traceback continues on lines without that prefix (ignored). Lines
 * that matter:
 * <pre>
 * 2025-11-03 14:02:11.532 | INFO     | kimi_cli.app:create:93 | 7c1e... - Using LLM model:
 *   provider='moonshot' model='kimi-k2-turbo-preview' max_context_size=262144 capabilities=None
 * 2025-11-03 14:02:19.877 | DEBUG    | kimi_cli.soul.kimisoul:_step:276 | 7c1e... - Got step result:
 *   StepResult(id='chatcmpl-9', message=Message(...), usage=TokenUsage(input_other=1830, output=212,
 *   input_cache_read=10240, input_cache_creation=0), ...)
 * 2025-11-03 14:03:02.004 | ERROR    | kimi_cli.soul.kimisoul:_agent_loop:198 | 7c1e... - Error code: 429 -
 *   {'error': {'message': 'rate limit reached', 'type': 'rate_limit_reached_error'}}
 * </pre>
 * (each entry is one line, shown wrapped at the two-space indents). The model line sets the model of the
 * findings that follow. A {@code TokenUsage(...)} (kosong's usage record, in the step results Kimi CLI logs
 * at debug level) is a {@link LogFinding.Kind#LOGS} finding:
 * prompt tokens = {@code input_other + input_cache_read + input_cache_creation}, completion = {@code output}.
 * Every {@code ERROR} or {@code CRITICAL} entry is an {@link LogFinding.Kind#ERROR} finding, its message
 * prefixed with a category: {@code context limit}, {@code auth}, {@code rate limit}, {@code bad request},
 * {@code transport} or {@code runtime}. A JSON line {@code {"role":"_usage","token_count":N}} (a session's
 * context file) is a {@link LogFinding.Kind#LOGS} finding of N prompt tokens (the context's size after a
 * step). Times are local: they are read in the watcher's clock zone.
 *
 * <p>Malformed: a line that starts like an entry (a date and time) but does not parse, a line starting with
 * <code>{</code> that is not JSON, a count too large for an {@code int}.
 */
final class KimiCliLogParser implements LogParser {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final Pattern ENTRY = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3})"
            + " \\| ([A-Z]+)\\s*\\| (\\S+?)\\s*(?:\\|\\s*(\\S*)\\s*)?- (.*)$");
    private static final Pattern DATED = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}");
    private static final Pattern MODEL = Pattern.compile("Using LLM model:.*?\\bmodel='([^']{1,120})'");
    private static final Pattern TOKEN_USAGE = Pattern.compile("TokenUsage\\(input_other=(\\d+), output=(\\d+)"
            + "(?:, input_cache_read=(\\d+))?(?:, input_cache_creation=(\\d+))?\\)");
    private static final Pattern CONTEXT_LIMIT = Pattern.compile(
            "(?i)context (?:length|window|limit)|maximum context|exceeds? (?:the )?context|too many tokens"
                    + "|input_token_count");
    private static final Pattern AUTH = Pattern.compile(
            "(?i)\\b401\\b|\\b403\\b|unauthori[sz]ed|invalid authentication|authentication|api[_ -]?key");
    private static final Pattern RATE_LIMIT = Pattern.compile("(?i)\\b429\\b|rate[_ ]limit|quota|overloaded");
    private static final Pattern BAD_REQUEST = Pattern.compile(
            "(?i)\\b400\\b|bad ?request|invalid json|json ?decode|unterminated string|malformed");
    private static final Pattern TRANSPORT = Pattern.compile(
            "(?i)timeout|timed out|connect(?:ion)? ?(?:error|reset|refused)|readerror|broken pipe|remoteprotocolerror");

    private final ZoneId zone;
    private final ObjectMapper mapper;
    private String model;

    KimiCliLogParser(ZoneId zone, ObjectMapper mapper) {
        this.zone = requireNonNull(zone, "zone");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    @Override
    public void line(String line, Sink sink) {
        if (line.startsWith("{")) {
            jsonLine(line, sink);
            return;
        }
        Matcher entry = ENTRY.matcher(line);
        if (!entry.matches()) {
            if (DATED.matcher(line).lookingAt()) {
                sink.malformed("unreadable log line: " + Redactor.message(line));
            }
            return; // a traceback or other continuation line
        }
        Instant time;
        try {
            time = LocalDateTime.parse(entry.group(1), TIME).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            sink.malformed("unreadable time in: " + Redactor.message(line));
            return;
        }
        entry(entry.group(2), entry.group(5), time, sink);
    }

    @Override
    public void flush(Sink sink) {
        // Every finding is complete on its own line.
    }

    private void entry(String level, String message, Instant time, Sink sink) {
        Matcher modelLine = MODEL.matcher(message);
        if (modelLine.find()) {
            model = modelLine.group(1);
            return;
        }
        Matcher usage = TOKEN_USAGE.matcher(message);
        if (usage.find()) {
            long prompt;
            int completion;
            try {
                prompt = Long.parseLong(usage.group(1)) + number(usage.group(3)) + number(usage.group(4));
                completion = Integer.parseInt(usage.group(2));
            } catch (NumberFormatException e) {
                sink.malformed("token count out of range in: " + Redactor.message(message));
                return;
            }
            if (prompt > Integer.MAX_VALUE) {
                sink.malformed("token count out of range in: " + Redactor.message(message));
                return;
            }
            sink.found(LogFinding.Kind.LOGS, time, model, (int) prompt, completion, null);
            return;
        }
        if (level.equals("ERROR") || level.equals("CRITICAL")) {
            sink.found(LogFinding.Kind.ERROR, time, model, 0, 0,
                    Redactor.message(category(message) + ": " + message));
        }
    }

    private void jsonLine(String line, Sink sink) {
        JsonNode json;
        try {
            json = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            sink.malformed("a line starting with { is not JSON: " + e.getOriginalMessage());
            return;
        }
        if (json == null || !json.isObject() || !"_usage".equals(json.path("role").asText(null))) {
            return;
        }
        JsonNode count = json.get("token_count");
        if (count == null || !count.canConvertToInt() || count.intValue() < 0) {
            sink.malformed("_usage line without a valid token_count");
            return;
        }
        sink.found(LogFinding.Kind.LOGS, null, model, count.intValue(), 0, null);
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    private static String category(String message) {
        if (CONTEXT_LIMIT.matcher(message).find()) {
            return "context limit";
        }
        if (RATE_LIMIT.matcher(message).find()) {
            return "rate limit";
        }
        if (AUTH.matcher(message).find()) {
            return "auth";
        }
        if (BAD_REQUEST.matcher(message).find()) {
            return "bad request";
        }
        if (TRANSPORT.matcher(message).find()) {
            return "transport";
        }
        return "runtime";
    }
}
