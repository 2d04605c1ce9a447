package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kimi.features.MessageHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The result of replacing each active compaction's run by its summary message, oldest compaction first.
 *
 * @param messages the messages to send: the input array itself when no run was found
 * @param applied the compactions whose run was found and replaced, each with the input messages it replaced
 *     (not counting an earlier compaction's summary)
 * @param notFound ids of the compactions whose run is not in the messages (e.g. the client edited its history)
 * @param summaries the summary messages in {@code messages}
 */
record Replacement(ArrayNode messages, List<Applied> applied, List<String> notFound, List<JsonNode> summaries) {
    /**
     * How far after the leading system block a run may begin. A run begins right after it unless the client put
     * messages before it; the bound keeps a run that is gone (a new conversation in the same session) from costing
     * a hash of every message on every request.
     */
    static final int MAX_RUN_OFFSET = 64;

    /**
     * Replaces, in order, each compaction's run: the first place its hashes appear as consecutive messages,
     * beginning at most {@link #MAX_RUN_OFFSET} messages after the leading system block. Hashes messages lazily,
     * each at most once. Never changes {@code input}.
     */
    static Replacement of(ArrayNode input, List<ActiveCompaction> compactions) {
        if (compactions.isEmpty() || input.isEmpty()) {
            return new Replacement(input, List.of(), compactions.stream().map(ActiveCompaction::id).toList(),
                    List.of());
        }
        List<JsonNode> work = new ArrayList<>(input.size());
        input.forEach(work::add);
        List<String> hashes = new ArrayList<>(Collections.nCopies(input.size(), (String) null));
        Set<JsonNode> ours = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Applied> applied = new ArrayList<>(compactions.size());
        List<String> notFound = new ArrayList<>(0);
        int from = Messages.leadingSystemCount(input);
        for (ActiveCompaction compaction : compactions) {
            List<String> run = compaction.record().messageHashes();
            int at = find(work, hashes, run, from);
            if (at < 0) {
                notFound.add(compaction.id());
                continue;
            }
            List<JsonNode> span = work.subList(at, at + run.size());
            List<JsonNode> removed = new ArrayList<>(run.size());
            for (JsonNode message : span) {
                if (!ours.remove(message)) {
                    removed.add(message);
                }
            }
            span.clear();
            hashes.subList(at, at + run.size()).clear();
            work.add(at, compaction.summaryMessage());
            hashes.add(at, compaction.summaryHash());
            ours.add(compaction.summaryMessage());
            applied.add(new Applied(compaction, removed));
        }
        if (applied.isEmpty()) {
            return new Replacement(input, List.of(), List.copyOf(notFound), List.of());
        }
        ArrayNode output = JsonNodeFactory.instance.arrayNode(work.size());
        output.addAll(work);
        List<JsonNode> summaries = new ArrayList<>(ours.size());
        for (JsonNode message : work) {
            if (ours.contains(message)) {
                summaries.add(message);
            }
        }
        return new Replacement(output, List.copyOf(applied), List.copyOf(notFound), List.copyOf(summaries));
    }

    /** How many input messages were replaced. */
    int removedCount() {
        int count = 0;
        for (Applied a : applied) {
            count += a.removed().size();
        }
        return count;
    }

    /**
     * A compaction whose run was replaced.
     *
     * @param compaction the compaction
     * @param removed the input messages it replaced, in order (an earlier compaction's summary not included)
     */
    record Applied(ActiveCompaction compaction, List<JsonNode> removed) {
    }

    private static int find(List<JsonNode> work, List<String> hashes, List<String> run, int from) {
        int last = Math.min(work.size() - run.size(), from + MAX_RUN_OFFSET);
        String first = run.get(0);
        for (int i = from; i <= last; i++) {
            if (!first.equals(hash(work, hashes, i))) {
                continue;
            }
            boolean all = true;
            for (int j = 1; j < run.size(); j++) {
                if (!run.get(j).equals(hash(work, hashes, i + j))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return i;
            }
        }
        return -1;
    }

    private static String hash(List<JsonNode> work, List<String> hashes, int i) {
        String hash = hashes.get(i);
        if (hash == null) {
            hash = MessageHash.ofMessage(work.get(i));
            hashes.set(i, hash);
        }
        return hash;
    }
}
