package io.kimi.features.logs;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Continue.dev's {@code ~/.continue/logs/core.log}.
 *
 * <p>The Continue core binary sends everything it logs to this file, one entry per call, as {@code
 * [<UTC time to the second>] <message>}; a message spanning several lines continues on lines without that
 * prefix; a few lines have a level prefix instead ({@code [info] Starting Continue core...}). Three kinds of
 * entries are findings:
 * <pre>
 * [2025-03-01T10:15:02] Error running handler for "llm/compileChat":  Error: Not enough context available
 *   to include the system message, last user message, and tools.
 *         There must be at least 1000 tokens remaining for output.
 *         Request had the following token counts:
 *         - contextLength: 8192
 *         - counting safety buffer: 163
 *         - tools: ~5210
 *         - system message: ~2930
 *         - max output tokens: 4096
 * </pre>
 * (its first line is shown wrapped at the two-space indent) is the chat compilation report ({@code
 * compileChatMessages} throws it when the prompt cannot fit): a {@link LogFinding.Kind#COMPILE_CHAT} finding
 * whose prompt tokens are tools + system message, the part that could not be pruned, with the counts in its
 * message. It is complete at its {@code max output tokens} line.
 * <pre>
 * [2025-03-01T10:16:40] Error running handler for "llm/streamChat":  Error: HTTP 429 Too Many Requests
 *   from https://api.moonshot.ai/v1/chat/completions
 *
 * {"error":{"message":"Your account org-1 request reached TPM rate limit","type":"rate_limit_reached_error"}}
 * </pre>
 * is a provider error as Continue's fetch reports it ({@code HTTP <status> <reason> from <url>}, then the
 * body): an {@link LogFinding.Kind#ERROR} finding saying status, reason, URL (without its query) and the
 * body's {@code message}. Shorter forms {@code Error: 429 ...} and {@code Error streaming response: ...} are
 * errors too. Entries carrying token usage, as OpenAI-style JSON ({@code "prompt_tokens": 812,
 * "completion_tokens": 95}, with {@code "model"} when present) or as text ({@code prompt tokens: 812,
 * completion tokens: 95}, an estimate {@code ~812} accepted), are {@link LogFinding.Kind#LOGS} findings.
 * A bare {@code tokens: N} is ignored: it cannot tell prompt from completion.
 *
 * <p>An entry ends at the next prefixed line, or when no line came for one poll (see {@link #flush}).
 * Malformed: an entry whose time prefix is not a real time (the entry is ignored), a compilation report
 * without token counts, a token count too large for an {@code int}.
 */
final class ContinueLogParser implements LogParser {

    private static final int MAX_ENTRY_LINES = 64;
    private static final int MAX_ENTRY_CHARS = 32 * 1024;

    private static final Pattern STAMPED =
            Pattern.compile("^\\[(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(?:\\.\\d+)?Z?\\]\\s?(.*)$");
    private static final Pattern LEVELLED =
            Pattern.compile("^\\[(?:info|warn|warning|error|debug)\\]\\s?(.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern COMPILE_START =
            Pattern.compile("Request\\s+had\\s+the\\s+following\\s+token\\s+counts", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTEXT_LENGTH = Pattern.compile("-\\s*contextLength:\\s*(\\d+)");
    private static final Pattern SAFETY_BUFFER = Pattern.compile("-\\s*counting safety buffer:\\s*~?(\\d+)");
    private static final Pattern TOOLS = Pattern.compile("-\\s*tools:\\s*~?(\\d+)");
    private static final Pattern SYSTEM_MESSAGE = Pattern.compile("-\\s*system message:\\s*~?(\\d+)");
    private static final Pattern MAX_OUTPUT = Pattern.compile("-\\s*max output tokens:\\s*(\\d+)");
    private static final Pattern HTTP_ERROR =
            Pattern.compile("HTTP (\\d{3})\\b[ \\t]*([^\\n]*?)[ \\t]+from[ \\t]+(\\S+)");
    private static final Pattern STATUS_ERROR = Pattern.compile("\\bError:\\s*([45]\\d\\d)\\b[ \\t:-]*([^\\n]*)");
    private static final Pattern STREAM_ERROR = Pattern.compile("Error streaming response:\\s*([^\\n]*)");
    private static final Pattern BODY_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,400})\"");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]{1,120})\"");
    private static final Pattern PROMPT_TOKENS =
            Pattern.compile("(?i)(?:\"prompt_tokens\"\\s*:\\s*|\\bprompt[ _]tokens?\\s*[:=]\\s*~?)(\\d+)");
    private static final Pattern COMPLETION_TOKENS =
            Pattern.compile("(?i)(?:\"completion_tokens\"\\s*:\\s*|\\bcompletion[ _]tokens?\\s*[:=]\\s*~?)(\\d+)");

    private final StringBuilder entry = new StringBuilder();
    private boolean open;
    private boolean ignored;
    private boolean compileReport;
    private int entryLines;
    private Instant entryTime;

    @Override
    public void line(String line, Sink sink) {
        Matcher stamped = STAMPED.matcher(line);
        if (stamped.matches()) {
            flush(sink);
            Instant time;
            try {
                time = LocalDateTime.parse(stamped.group(1)).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e) {
                sink.malformed("unreadable time in: " + Redactor.message(line));
                begin(null, "");
                ignored = true;
                return;
            }
            begin(time, stamped.group(2));
        } else {
            Matcher levelled = LEVELLED.matcher(line);
            if (levelled.matches()) {
                flush(sink);
                begin(null, levelled.group(1));
            } else if (!open) {
                begin(null, line);
            } else if (!ignored) {
                append(line);
            }
        }
        if (open && !ignored && compileReport && MAX_OUTPUT.matcher(line).find()) {
            flush(sink); // the report's last line: no need to wait for the next entry
        }
    }

    @Override
    public void flush(Sink sink) {
        if (!open) {
            return;
        }
        open = false;
        if (ignored) {
            return;
        }
        String text = entry.toString();
        entry.setLength(0);
        analyse(text, entryTime, sink);
    }

    private void begin(Instant time, String first) {
        entry.setLength(0);
        entry.append(first, 0, Math.min(first.length(), MAX_ENTRY_CHARS));
        entryTime = time;
        entryLines = 1;
        open = true;
        ignored = false;
        compileReport = COMPILE_START.matcher(first).find();
    }

    private void append(String line) {
        if (entryLines >= MAX_ENTRY_LINES || entry.length() >= MAX_ENTRY_CHARS) {
            return;
        }
        entry.append('\n').append(line, 0, Math.min(line.length(), MAX_ENTRY_CHARS - entry.length()));
        entryLines++;
        if (!compileReport && COMPILE_START.matcher(line).find()) {
            compileReport = true;
        }
    }

    private void analyse(String text, Instant time, Sink sink) {
        try {
            if (COMPILE_START.matcher(text).find()) {
                compileReport(text, time, sink);
                return;
            }
            if (error(text, time, sink)) {
                return;
            }
            usage(text, time, sink);
        } catch (NumberFormatException e) {
            sink.malformed("token count out of range in: " + Redactor.message(firstLine(text)));
        }
    }

    private static void compileReport(String text, Instant time, Sink sink) {
        Integer contextLength = count(CONTEXT_LENGTH, text);
        Integer buffer = count(SAFETY_BUFFER, text);
        Integer tools = count(TOOLS, text);
        Integer system = count(SYSTEM_MESSAGE, text);
        Integer maxOutput = count(MAX_OUTPUT, text);
        if (tools == null && system == null) {
            sink.malformed("chat compilation report without token counts");
            return;
        }
        long prompt = (long) (tools == null ? 0 : tools) + (system == null ? 0 : system);
        StringBuilder message = new StringBuilder("not enough context:");
        appendCount(message, "contextLength", contextLength, "");
        appendCount(message, "counting safety buffer", buffer, "");
        appendCount(message, "tools", tools, "~");
        appendCount(message, "system message", system, "~");
        appendCount(message, "max output tokens", maxOutput, "");
        sink.found(LogFinding.Kind.COMPILE_CHAT, time, null, (int) Math.min(Integer.MAX_VALUE, prompt), 0,
                message.toString());
    }

    private static boolean error(String text, Instant time, Sink sink) {
        Matcher http = HTTP_ERROR.matcher(text);
        if (http.find()) {
            int status = Integer.parseInt(http.group(1));
            if (status < 400) {
                return false;
            }
            String url = http.group(3);
            int query = url.indexOf('?');
            StringBuilder message = new StringBuilder("HTTP ").append(status);
            if (!http.group(2).isBlank()) {
                message.append(' ').append(http.group(2).strip());
            }
            message.append(" from ").append(query < 0 ? url : url.substring(0, query));
            Matcher body = BODY_MESSAGE.matcher(text);
            if (body.find(http.end())) {
                message.append(": ").append(unescape(body.group(1)));
            }
            sink.found(LogFinding.Kind.ERROR, time, model(text), 0, 0, Redactor.message(message.toString()));
            return true;
        }
        Matcher status = STATUS_ERROR.matcher(text);
        if (status.find()) {
            sink.found(LogFinding.Kind.ERROR, time, model(text), 0, 0,
                    Redactor.message("HTTP " + status.group(1) + ": " + status.group(2)));
            return true;
        }
        Matcher stream = STREAM_ERROR.matcher(text);
        if (stream.find()) {
            sink.found(LogFinding.Kind.ERROR, time, model(text), 0, 0,
                    Redactor.message("stream error: " + stream.group(1)));
            return true;
        }
        return false;
    }

    private static void usage(String text, Instant time, Sink sink) {
        Integer prompt = count(PROMPT_TOKENS, text);
        Integer completion = count(COMPLETION_TOKENS, text);
        if (prompt == null && completion == null) {
            return;
        }
        sink.found(LogFinding.Kind.LOGS, time, model(text), prompt == null ? 0 : prompt,
                completion == null ? 0 : completion, null);
    }

    /** The first number {@code pattern} captures, {@code null} when absent; overflow throws. */
    private static Integer count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static String model(String text) {
        Matcher m = MODEL.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static void appendCount(StringBuilder message, String label, Integer value, String approx) {
        if (value != null) {
            message.append(message.charAt(message.length() - 1) == ':' ? " " : ", ")
                    .append(label).append(' ').append(approx).append(value);
        }
    }

    private static String unescape(String jsonString) {
        return jsonString.replace("\\\"", "\"").replace("\\n", " ").replace("\\\\", "\\");
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
