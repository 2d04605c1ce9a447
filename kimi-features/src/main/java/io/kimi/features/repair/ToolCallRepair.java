package io.kimi.features.repair;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kimi.config.ToolRepairConfig;
import io.kimi.features.FeatureReport;
import io.kimi.features.MessageHash;
import io.kimi.features.NamedTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tool-call repair ({@code tool_repair}), the first transformer: fixes the assistant tool calls a client sends
 * back in its history, so that strict upstreams accept them.
 *
 * <ul>
 *   <li>A {@code tool_calls} entry whose {@code id} is missing or blank gets {@code call_} + 24 alphanumerics.
 *       The id is derived from the message's position and JSON text (a content hash), not drawn at random: a
 *       client resends the same history on every request, and the same history must come out the same, or
 *       every request would change the message hashes that token memoisation and compaction rely on. When
 *       exactly one call of a message got an id and exactly one {@code tool} message without a
 *       {@code tool_call_id} follows it (among the {@code tool} messages right after it), that result is
 *       linked to the new id.</li>
 *   <li>{@code function.arguments} sent as a JSON object or array is serialised to the JSON string the API
 *       expects; blank argument strings become {@code "{}"}.</li>
 *   <li>An argument string that is not valid JSON is repaired by {@link JsonRepairer} (trailing commas, single
 *       quotes, unquoted keys, Python literals, code fences, surrounding prose, truncated output, ...). The
 *       result is used only when Jackson parses it as one object or array; otherwise the string is left
 *       exactly as it was. Strings longer than {@link ToolRepairConfig#maxArgumentBytes()} (UTF-8) are left as
 *       they are, unchecked. Repairs of one request share {@link ToolRepairConfig#budget()}; once it is spent
 *       the remaining malformed strings are left as they are.</li>
 *   <li>The legacy {@code function_call} of an assistant message gets the same argument treatment.</li>
 * </ul>
 *
 * <p>Report: {@code changed} = tool calls changed (a {@code function_call} counts as one); tokens before and
 * after over the changed messages only; details {@code ids_added}, {@code arguments_serialised},
 * {@code arguments_repaired}, {@code arguments_unrepairable} (malformed strings left as they are, including
 * those skipped once the budget ran out), {@code tool_results_linked}, {@code budget_exhausted}. When nothing
 * changed and nothing was unrepairable, it reports nothing. Thread-safe.
 */
public final class ToolCallRepair extends NamedTransformer {
    /** The feature's wire name. */
    public static final String NAME = "tool_repair";

    private static final Logger log = LoggerFactory.getLogger(ToolCallRepair.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Duration MAX_BUDGET = Duration.ofMinutes(1);
    private static final int ID_CHARS = 24;

    private final ToolRepairConfig config;
    private final long budgetNanos;
    private final LongSupplier nanoTime;
    private final JsonRepairer repairer;
    private final ArgumentsJson json = new ArgumentsJson();

    public ToolCallRepair(ToolRepairConfig config) {
        this(config, System::nanoTime);
    }

    /** @param nanoTime the monotonic time source the budget is measured with */
    ToolCallRepair(ToolRepairConfig config, LongSupplier nanoTime) {
        super(NAME);
        this.config = requireNonNull(config, "config");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        Duration budget = config.budget();
        this.budgetNanos = budget.isNegative() ? 0 : budget.compareTo(MAX_BUDGET) > 0
                ? MAX_BUDGET.toNanos() : budget.toNanos();
        this.repairer = new JsonRepairer(nanoTime);
    }

    @Override
    protected Transformed transform(ArrayNode messages, TransformContext context) {
        Pass pass = new Pass(nanoTime.getAsLong() + budgetNanos);
        JsonNode[] replaced = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject() || !"assistant".equals(message.path("role").asText())) {
                continue;
            }
            pass.newIdCount = 0;
            ObjectNode fixed = repairMessage((ObjectNode) message, i, pass);
            if (fixed == null) {
                continue;
            }
            if (replaced == null) {
                replaced = new JsonNode[messages.size()];
            }
            replaced[i] = fixed;
            if (pass.newIdCount == 1) {
                linkResult(messages, i, pass.lastNewId, replaced, pass);
            }
        }
        if (replaced == null) {
            return pass.unrepairable == 0
                    ? Transformed.unchanged(messages, NAME)
                    : new Transformed(messages, new FeatureReport(NAME, 0, 0, 0, pass.details()));
        }
        ArrayNode out = NODES.arrayNode(messages.size());
        int before = 0;
        int after = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (replaced[i] == null) {
                out.add(messages.get(i));
            } else {
                before += context.counter().countMessage(context.encoding(), messages.get(i));
                after += context.counter().countMessage(context.encoding(), replaced[i]);
                out.add(replaced[i]);
            }
        }
        return new Transformed(out, new FeatureReport(NAME, pass.callsChanged, before, after, pass.details()));
    }

    /** A fixed copy of an assistant message, or {@code null} when it needs nothing. */
    private ObjectNode repairMessage(ObjectNode message, int index, Pass pass) {
        ObjectNode copy = null;
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray()) {
            ArrayNode newCalls = null;
            for (int c = 0; c < calls.size(); c++) {
                ObjectNode fixedCall = repairCall(calls.get(c), message, index, c, pass);
                if (fixedCall != null) {
                    if (newCalls == null) {
                        newCalls = NODES.arrayNode(calls.size());
                        newCalls.addAll((ArrayNode) calls);
                    }
                    newCalls.set(c, fixedCall);
                    pass.callsChanged++;
                }
            }
            if (newCalls != null) {
                copy = shallowCopy(message);
                copy.set("tool_calls", newCalls);
            }
        }
        ObjectNode functionCall = repairFunction(message.get("function_call"), pass);
        if (functionCall != null) {
            if (copy == null) {
                copy = shallowCopy(message);
            }
            copy.set("function_call", functionCall);
            pass.callsChanged++;
        }
        return copy;
    }

    private ObjectNode repairCall(JsonNode call, ObjectNode message, int index, int position, Pass pass) {
        if (!call.isObject()) {
            return null;
        }
        ObjectNode fixed = null;
        if (isBlank(call.get("id"))) {
            String id = newId(message, index, position);
            fixed = shallowCopy(call);
            fixed.put("id", id);
            pass.idsAdded++;
            pass.newIdCount++;
            pass.lastNewId = id;
        }
        ObjectNode function = repairFunction(call.get("function"), pass);
        if (function != null) {
            if (fixed == null) {
                fixed = shallowCopy(call);
            }
            fixed.set("function", function);
        }
        return fixed;
    }

    /**
     * A copy of a function object ({@code tool_calls[].function}, the legacy {@code function_call}) with its
     * arguments fixed, or {@code null} when it is not an object or its arguments need nothing.
     */
    private ObjectNode repairFunction(JsonNode function, Pass pass) {
        if (function == null || !function.isObject()) {
            return null;
        }
        TextNode arguments = fixArguments(function.get("arguments"), pass);
        if (arguments == null) {
            return null;
        }
        ObjectNode fixed = shallowCopy(function);
        fixed.set("arguments", arguments);
        return fixed;
    }

    /** The arguments to send instead, or {@code null} to leave them as they are. */
    private TextNode fixArguments(JsonNode arguments, Pass pass) {
        if (arguments == null) {
            return null;
        }
        if (arguments.isObject() || arguments.isArray()) {
            pass.serialised++;
            return TextNode.valueOf(arguments.toString());
        }
        if (!arguments.isTextual()) {
            return null;
        }
        String text = arguments.textValue();
        if (text.isBlank()) {
            pass.repaired++;
            return TextNode.valueOf("{}");
        }
        if (exceedsCap(text) || json.isValid(text)) {
            return null;
        }
        if (nanoTime.getAsLong() - pass.deadline >= 0) {
            pass.budgetExhausted = true;
            pass.unrepairable++;
            return null;
        }
        JsonRepairer.Outcome outcome;
        try {
            outcome = repairer.repair(text, pass.deadline);
        } catch (RuntimeException e) {
            log.warn("Tool-call argument repair failed on {} characters; the arguments are sent as they are",
                    text.length(), e);
            pass.unrepairable++;
            return null;
        }
        if (outcome.json() != null && json.isValidContainer(outcome.json())) {
            pass.repaired++;
            return TextNode.valueOf(outcome.json());
        }
        if (outcome.failure() == JsonRepairer.Failure.TIMED_OUT) {
            pass.budgetExhausted = true;
        }
        pass.unrepairable++;
        return null;
    }

    private boolean exceedsCap(String text) {
        int max = config.maxArgumentBytes();
        if ((long) text.length() * 3 <= max) {
            return false; // no UTF-16 char takes more than 3 UTF-8 bytes
        }
        if (text.length() > max) {
            return true;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > max;
    }

    /**
     * Links the one {@code tool} message without a {@code tool_call_id} right after an assistant message to the
     * one id just given to that message's calls.
     */
    private static void linkResult(ArrayNode messages, int assistant, String id, JsonNode[] replaced, Pass pass) {
        int unlinked = -1;
        int found = 0;
        for (int j = assistant + 1; j < messages.size(); j++) {
            JsonNode m = messages.get(j);
            if (!m.isObject() || !"tool".equals(m.path("role").asText())) {
                break;
            }
            if (isBlank(m.get("tool_call_id"))) {
                unlinked = j;
                found++;
            }
        }
        if (found == 1) {
            ObjectNode linked = shallowCopy(messages.get(unlinked));
            linked.put("tool_call_id", id);
            replaced[unlinked] = linked;
            pass.linked++;
        }
    }

    private static String newId(ObjectNode message, int index, int position) {
        String hash = MessageHash.ofText(index + "/" + position + "/" + message);
        return "call_" + hash.substring(0, ID_CHARS);
    }

    private static boolean isBlank(JsonNode node) {
        return node == null || node.isNull() || (node.isTextual() && node.textValue().isBlank());
    }

    /** A new object holding the same children: copy-on-write without copying what does not change. */
    private static ObjectNode shallowCopy(JsonNode node) {
        ObjectNode copy = NODES.objectNode();
        copy.setAll((ObjectNode) node);
        return copy;
    }

    /** One request's running totals. */
    private static final class Pass {
        final long deadline;
        int callsChanged;
        int idsAdded;
        int serialised;
        int repaired;
        int unrepairable;
        int linked;
        boolean budgetExhausted;
        int newIdCount;
        String lastNewId;

        Pass(long deadline) {
            this.deadline = deadline;
        }

        ObjectNode details() {
            ObjectNode d = NODES.objectNode();
            d.put("ids_added", idsAdded);
            d.put("arguments_serialised", serialised);
            d.put("arguments_repaired", repaired);
            d.put("arguments_unrepairable", unrepairable);
            d.put("tool_results_linked", linked);
            d.put("budget_exhausted", budgetExhausted);
            return d;
        }
    }
}
