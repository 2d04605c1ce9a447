package io.kimi.features.sanitizer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.config.SanitizerConfig;
import io.kimi.core.MaskedContent;
import io.kimi.features.FeatureReport;
import io.kimi.features.MessageHash;
import io.kimi.features.NamedTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.util.HashMap;
import java.util.Map;

/**
 * The sanitizer ({@code sanitizer}), second transformer: replaces verbose tool, console and file output by a
 * short placeholder that names the original by its hash; the original is kept in the {@link MaskVault} and
 * served at {@code GET /api/mask/{hash}}.
 *
 * <p>Which messages: those with role {@code tool} or {@code function}, and {@code user} messages that are
 * console or file output by the rule of {@link ConsoleOutput} (one fenced block; a first line that is a shell
 * prompt, {@code Output:}, or a file path header). Their content must be a string or an array of text parts
 * only (a message with an image or any other part is left alone; the texts of parts are joined with
 * {@code \n}). A message is masked when:
 * <ul>
 *   <li>its tokens ({@code TokenCounter.countMessage}) are over {@link SanitizerConfig#thresholdTokens()}; or</li>
 *   <li>observation masking ({@link SanitizerConfig#keepLastToolResults()} &gt; 0): it is a tool result older
 *       than the last N tool results, the model has answered it already (it comes before the last assistant
 *       message), and its tokens are over {@link SanitizerConfig#minObservationTokens()}. Tool results after
 *       the last assistant message are the ones the model must read now: only the size threshold masks them.</li>
 * </ul>
 * A message is never masked when its placeholder would not be shorter in tokens, nor when it is a placeholder
 * already (content starting with {@value #PLACEHOLDER_PREFIX}), so running the sanitizer on its own output
 * changes nothing.
 *
 * <p>The replacement keeps every field of the message ({@code tool_call_id}, {@code name}, ...) and sets
 * {@code content} to the string
 * {@code [kimi-mask <hash>] <N> tokens of <tool name or role> output masked by the proxy. Preview:\n<head>\n…\n<tail>\nFull text: GET /api/mask/<hash>}
 * where the hash is {@link MessageHash#ofText} of the original text, N its message tokens, and head and tail
 * together {@link SanitizerConfig#previewChars()} characters (never splitting a surrogate pair; the whole text
 * when it is that short; no preview at all when it is 0). The tool name comes from the message's {@code name},
 * else from the assistant tool call its {@code tool_call_id} answers.
 *
 * <p>Report: {@code changed} = messages masked; tokens before and after over the masked messages only; details
 * {@code masked} (one object per masked message: {@code index}, {@code hash}, {@code role},
 * {@code tool_name}, {@code original_tokens}, {@code placeholder_tokens}, {@code observation}) and
 * {@code observation_masked}. Thread-safe; does no I/O itself (the vault's store writes are asynchronous).
 */
public final class Sanitizer extends NamedTransformer {
    /** The feature's wire name. */
    public static final String NAME = "sanitizer";
    /** How every placeholder starts. */
    public static final String PLACEHOLDER_PREFIX = "[kimi-mask ";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SanitizerConfig config;
    private final MaskVault vault;
    /** Content hashes of texts masked recently: the same outputs come back with every request of a session. */
    private final Cache<TextKey, String> hashes = Caffeine.newBuilder()
            .maximumWeight(64L << 20)
            .weigher((TextKey key, String hash) -> key.weight())
            .executor(Runnable::run)
            .build();

    public Sanitizer(SanitizerConfig config, MaskVault vault) {
        super(NAME);
        this.config = requireNonNull(config, "config");
        this.vault = requireNonNull(vault, "vault");
    }

    /** The vault this sanitizer keeps originals in. */
    public MaskVault vault() {
        return vault;
    }

    @Override
    protected Transformed transform(ArrayNode messages, TransformContext context) {
        int lastAssistant = -1;
        int toolResults = 0;
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText();
            if ("assistant".equals(role)) {
                lastAssistant = i;
            } else if (isToolRole(role)) {
                toolResults++;
            }
        }
        int keep = config.keepLastToolResults();
        int oldResults = keep > 0 ? Math.max(0, toolResults - keep) : 0;

        JsonNode[] replaced = null;
        ArrayNode masked = null;
        Map<String, String> toolNames = null;
        int observationMasked = 0;
        int before = 0;
        int after = 0;
        int toolSeen = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                continue;
            }
            String role = message.path("role").asText();
            boolean tool = isToolRole(role);
            boolean old = false;
            if (tool) {
                old = toolSeen < oldResults;
                toolSeen++;
            } else if (!"user".equals(role)) {
                continue;
            }
            String text = maskableText(message.get("content"));
            if (text == null || (!tool && !ConsoleOutput.looksLikeOutput(text))) {
                continue;
            }
            int tokens = context.counter().countMessage(context.encoding(), message);
            boolean overThreshold = tokens > config.thresholdTokens();
            boolean observation = !overThreshold && old && i < lastAssistant
                    && tokens > config.minObservationTokens();
            if (!overThreshold && !observation) {
                continue;
            }
            String toolName = null;
            if (tool) {
                if (toolNames == null) {
                    toolNames = toolNames(messages);
                }
                toolName = toolName(message, toolNames);
            }
            String hash = hashes.get(new TextKey(text), k -> MessageHash.ofText(k.text()));
            ObjectNode replacement = NODES.objectNode();
            replacement.setAll((ObjectNode) message);
            replacement.put("content", placeholder(hash, tokens, toolName != null ? toolName : role, text,
                    config.previewChars()));
            int placeholderTokens = context.counter().countMessage(context.encoding(), replacement);
            if (placeholderTokens >= tokens) {
                continue;
            }
            vault.keep(new MaskedContent(hash, context.sessionId(), context.requestId(), role, toolName, tokens,
                    placeholderTokens, text, context.now()));
            if (replaced == null) {
                replaced = new JsonNode[messages.size()];
                masked = NODES.arrayNode();
            }
            replaced[i] = replacement;
            before += tokens;
            after += placeholderTokens;
            if (observation) {
                observationMasked++;
            }
            ObjectNode entry = masked.addObject();
            entry.put("index", i);
            entry.put("hash", hash);
            entry.put("role", role);
            entry.put("tool_name", toolName);
            entry.put("original_tokens", tokens);
            entry.put("placeholder_tokens", placeholderTokens);
            entry.put("observation", observation);
        }
        if (replaced == null) {
            vault.countRequest(0, 0);
            return Transformed.unchanged(messages, NAME);
        }
        vault.countRequest(masked.size(), before - after);
        ArrayNode out = NODES.arrayNode(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            out.add(replaced[i] != null ? replaced[i] : messages.get(i));
        }
        ObjectNode details = NODES.objectNode();
        details.set("masked", masked);
        details.put("observation_masked", observationMasked);
        return new Transformed(out, new FeatureReport(NAME, masked.size(), before, after, details));
    }

    /**
     * The placeholder text for masked content (see the class comment for its shape).
     *
     * @param hash the content's hash
     * @param tokens the original message's tokens
     * @param source the tool name, or the role
     * @param text the original text
     * @param previewChars characters of head and tail together
     */
    static String placeholder(String hash, int tokens, String source, String text, int previewChars) {
        StringBuilder sb = new StringBuilder(previewChars + 160);
        sb.append(PLACEHOLDER_PREFIX).append(hash).append("] ").append(tokens).append(" tokens of ").append(source)
                .append(" output masked by the proxy.");
        if (previewChars > 0) {
            sb.append(" Preview:\n");
            if (text.length() <= previewChars) {
                sb.append(text);
            } else {
                int headEnd = (previewChars + 1) / 2;
                if (Character.isHighSurrogate(text.charAt(headEnd - 1))) {
                    headEnd--;
                }
                int tailStart = text.length() - (previewChars - (previewChars + 1) / 2);
                if (tailStart < text.length() && Character.isLowSurrogate(text.charAt(tailStart))) {
                    tailStart++;
                }
                sb.append(text, 0, headEnd).append("\n…\n").append(text, tailStart, text.length());
            }
        }
        sb.append("\nFull text: GET /api/mask/").append(hash);
        return sb.toString();
    }

    /**
     * The text of a content that may be masked: a string, or an array of text parts joined with {@code \n};
     * {@code null} for anything else (empty, a non-text part, an existing placeholder).
     */
    static String maskableText(JsonNode content) {
        if (content == null) {
            return null;
        }
        String text;
        if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray() && !content.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                String partText;
                if (part.isTextual()) {
                    partText = part.textValue();
                } else if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    partText = part.get("text").textValue();
                } else {
                    return null;
                }
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(partText);
            }
            text = sb.toString();
        } else {
            return null;
        }
        return text.isEmpty() || text.startsWith(PLACEHOLDER_PREFIX) ? null : text;
    }

    private static boolean isToolRole(String role) {
        return "tool".equals(role) || "function".equals(role);
    }

    /** Tool call id to function name, over every assistant message. */
    private static Map<String, String> toolNames(ArrayNode messages) {
        Map<String, String> names = new HashMap<>();
        for (JsonNode message : messages) {
            JsonNode calls = message.get("tool_calls");
            if (calls == null || !calls.isArray()) {
                continue;
            }
            for (JsonNode call : calls) {
                String id = call.path("id").asText("");
                String name = call.path("function").path("name").asText("");
                if (!id.isEmpty() && !name.isEmpty()) {
                    names.putIfAbsent(id, name);
                }
            }
        }
        return names;
    }

    private static String toolName(JsonNode message, Map<String, String> toolNames) {
        JsonNode name = message.get("name");
        if (name != null && name.isTextual() && !name.textValue().isBlank()) {
            return name.textValue();
        }
        return toolNames.get(message.path("tool_call_id").asText(""));
    }
}
