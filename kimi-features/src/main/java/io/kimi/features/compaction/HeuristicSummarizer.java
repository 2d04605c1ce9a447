package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * A deterministic digest of the replaced messages, made without a model: the user's requests (first line of
 * each), the tools called with their key arguments, the files written, the latest errors reported in tool output
 * or pasted by the user (error lines of logs, compilers, test runners and stack traces, not source code), and the
 * assistant's last conclusion; an earlier summary among the messages is carried over, shortened. Bounded in
 * length. Synchronous (the future is already complete) and thread-safe.
 */
public final class HeuristicSummarizer implements Summarizer {
    /** The {@link Summary#method()} of its summaries. */
    public static final String METHOD = "heuristic";
    /** Default bound of a summary's length, in characters. */
    public static final int DEFAULT_MAX_CHARS = 4_000;

    private static final int ASK_CHARS = 160;
    private static final int ASKS_HEAD = 2;
    private static final int ASKS_TAIL = 8;
    private static final int TOOL_LINES = 25;
    private static final int ARG_CHARS = 100;
    private static final int ARGS_SHOWN = 2;
    private static final int FILES = 30;
    private static final int ERROR_CHARS = 160;
    private static final int ERRORS = 8;
    private static final int EARLIER_CHARS = 1_200;
    private static final int CONCLUSION_CHARS = 600;
    /** Argument names worth showing, in order of preference. */
    private static final List<String> KEY_ARGUMENTS = List.of("path", "file_path", "filepath", "file", "filename",
            "target_file", "command", "cmd", "query", "pattern", "url", "directory", "dir");
    /** Argument names that name a file a writing tool changes. */
    private static final List<String> PATH_ARGUMENTS = List.of("path", "file_path", "filepath", "file", "filename",
            "target_file", "destination", "dest", "new_path");
    private static final Pattern WRITING_TOOL =
            Pattern.compile("write|edit|create|replace|patch|save|insert|append|apply|move|rename|delete");
    /** A line that reports an error: a log level, an exception or error with its message, a failed build or test. */
    private static final Pattern ERROR_LINE = Pattern.compile(
            "^\\s*(\\[?ERROR\\]?[: ]|E\\s{2,}\\S|FAILED\\b|FAIL\\b|Traceback \\(|panic: |npm ERR!|fatal: )"
                    + "|^\\s*(Caused by: )?[\\w.$]*(Exception|Error)(: |$)"
                    + "|\\berror(\\[\\w+\\])?: |\\bBUILD FAILURE\\b|\\bFAILED\\b");
    /** Source code that mentions errors without reporting one, and boilerplate around errors. */
    private static final Pattern CODE_LINE = Pattern.compile(
            "^\\s*(import |package |throw |throws |catch |} catch|@|//|\\*|/\\*|public |private |protected "
                    + "|def |raise |return |if |except )|[;{]\\s*$"
                    // build-tool boilerplate around the real errors
                    + "|Please refer to|full stack trace|Re-run Maven|For more information about the errors"
                    + "|\\[Help 1\\]|After correcting the problems|resume the build");

    private final int maxChars;

    public HeuristicSummarizer() {
        this(DEFAULT_MAX_CHARS);
    }

    /** @param maxChars bound of a summary's length, in characters (at least 200) */
    public HeuristicSummarizer(int maxChars) {
        if (maxChars < 200) {
            throw new IllegalArgumentException("maxChars: " + maxChars + " (expected: >= 200)");
        }
        this.maxChars = maxChars;
    }

    @Override
    public CompletableFuture<Summary> summarize(List<JsonNode> messages, SummaryRequest request) {
        requireNonNull(request, "request");
        return CompletableFuture.completedFuture(new Summary(digest(messages), METHOD));
    }

    /** The digest of {@code messages}, at most {@code maxChars} long. */
    public String digest(List<JsonNode> messages) {
        requireNonNull(messages, "messages");
        Digest d = new Digest();
        for (JsonNode message : messages) {
            if (message != null && message.isObject()) {
                d.add(message);
            }
        }
        return Messages.truncate(d.render(maxChars).strip(), maxChars);
    }

    /** Facts gathered from the messages, in the order met. */
    private static final class Digest {
        final List<String> earlier = new ArrayList<>();
        final List<String> asks = new ArrayList<>();
        final Map<String, Integer> calls = new LinkedHashMap<>();
        int callCount;
        final Set<String> filesWritten = new LinkedHashSet<>();
        /** Distinct error lines, least recently seen first. */
        final Set<String> errors = new LinkedHashSet<>();
        String conclusion = "";

        void add(JsonNode message) {
            String role = Messages.role(message);
            String text = Messages.text(message);
            if (Messages.isSummary(message)) {
                int newline = text.indexOf('\n');
                earlier.add(newline < 0 ? "" : text.substring(newline + 1).strip());
                return;
            }
            switch (role) {
                case "user" -> {
                    addAsk(text);
                    addErrors(text);
                }
                case "assistant" -> {
                    for (ToolCall call : ToolCall.of(message)) {
                        addCall(call);
                    }
                    if (!text.isBlank()) {
                        conclusion = text;
                    }
                }
                case "tool", "function" -> addErrors(text);
                default -> {
                    // system messages in the middle of a conversation are instructions, not facts to digest
                }
            }
        }

        private void addAsk(String text) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    String ask = Messages.truncate(Messages.oneLine(line), ASK_CHARS);
                    if (asks.isEmpty() || !asks.get(asks.size() - 1).equals(ask)) {
                        asks.add(ask);
                    }
                    return;
                }
            }
        }

        private void addCall(ToolCall call) {
            callCount++;
            String name = call.name().isEmpty() ? "?" : call.name();
            StringBuilder line = new StringBuilder(name);
            JsonNode args = call.arguments();
            if (args != null) {
                List<String> shown = new ArrayList<>(ARGS_SHOWN);
                for (String key : KEY_ARGUMENTS) {
                    JsonNode value = args.get(key);
                    if (value != null && value.isValueNode() && shown.size() < ARGS_SHOWN) {
                        shown.add(key + "=" + Messages.truncate(Messages.oneLine(value.asText()), ARG_CHARS));
                    }
                }
                if (!shown.isEmpty()) {
                    line.append('(').append(String.join(", ", shown)).append(')');
                }
                if (WRITING_TOOL.matcher(name.toLowerCase(Locale.ROOT)).find()
                        && !"view".equals(args.path("command").asText(""))) {
                    for (String key : PATH_ARGUMENTS) {
                        JsonNode value = args.get(key);
                        if (value != null && value.isTextual() && !value.textValue().isBlank()) {
                            filesWritten.add(Messages.truncate(value.textValue().strip(), ARG_CHARS));
                            break;
                        }
                    }
                }
            }
            calls.merge(line.toString(), 1, Integer::sum);
        }

        private void addErrors(String text) {
            if (text.isEmpty()) {
                return;
            }
            for (String line : text.split("\n")) {
                if (ERROR_LINE.matcher(line).find() && !CODE_LINE.matcher(line).find()) {
                    String error = Messages.truncate(Messages.oneLine(line), ERROR_CHARS);
                    errors.remove(error);
                    errors.add(error);
                }
            }
        }

        /** Sections in order of importance; tool calls last, with what room is left. */
        String render(int maxChars) {
            StringBuilder sb = new StringBuilder();
            for (String summary : earlier) {
                sb.append("Earlier summary: ").append(Messages.truncate(summary, EARLIER_CHARS)).append("\n\n");
            }
            if (!asks.isEmpty()) {
                sb.append("User requests (").append(asks.size()).append("):\n");
                for (int i = 0; i < asks.size(); i++) {
                    if (asks.size() > ASKS_HEAD + ASKS_TAIL && i == ASKS_HEAD) {
                        sb.append("- … (").append(asks.size() - ASKS_HEAD - ASKS_TAIL).append(" more)\n");
                        i = asks.size() - ASKS_TAIL;
                    }
                    sb.append("- ").append(asks.get(i)).append('\n');
                }
            }
            if (!conclusion.isBlank()) {
                sb.append("Assistant's last conclusion: ")
                        .append(Messages.truncate(Messages.oneLine(conclusion), CONCLUSION_CHARS)).append('\n');
            }
            if (!filesWritten.isEmpty()) {
                sb.append("Files written: ");
                sb.append(String.join(", ", filesWritten.stream().limit(FILES).toList()));
                if (filesWritten.size() > FILES) {
                    sb.append(", … (").append(filesWritten.size() - FILES).append(" more)");
                }
                sb.append('\n');
            }
            if (!errors.isEmpty()) {
                sb.append("Errors seen (").append(errors.size()).append(" distinct");
                sb.append(errors.size() > ERRORS ? ", the latest " + ERRORS : "").append("):\n");
                errors.stream().skip(Math.max(0, errors.size() - ERRORS))
                        .forEach(e -> sb.append("- ").append(e).append('\n'));
            }
            if (!calls.isEmpty()) {
                sb.append("Tool calls (").append(callCount).append("):\n");
                int shown = 0;
                for (Map.Entry<String, Integer> call : calls.entrySet()) {
                    String line = "- " + call.getKey() + (call.getValue() > 1 ? " ×" + call.getValue() : "") + "\n";
                    String more = "- … (" + (calls.size() - shown) + " more distinct calls)\n";
                    boolean last = shown == calls.size() - 1;
                    if (shown == TOOL_LINES
                            || sb.length() + line.length() + (last ? 0 : more.length()) > maxChars) {
                        sb.append(more);
                        break;
                    }
                    sb.append(line);
                    shown++;
                }
            }
            if (sb.length() == 0) {
                sb.append("(no user requests, tool calls or conclusions in these messages)");
            }
            return sb.toString();
        }
    }
}
