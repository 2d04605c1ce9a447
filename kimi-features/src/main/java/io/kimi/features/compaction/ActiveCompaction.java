package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.CompactionRecord;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.MessageHash;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compaction that applies, with its summary message built once.
 *
 * @param record the stored compaction
 * @param summaryMessage the message sent in place of its run (never changed once built)
 * @param summaryHash that message's hash, which a later, stacked compaction's run may begin with
 * @param removedTokens memo, per encoding, of the tokens of the client's messages its run replaces: the run is
 *     found by hashes, so they are the same messages on every request
 */
record ActiveCompaction(CompactionRecord record, ObjectNode summaryMessage, String summaryHash,
        Map<TokenEncoding, Integer> removedTokens) {

    ActiveCompaction {
        requireNonNull(record, "record");
        requireNonNull(summaryMessage, "summaryMessage");
        requireNonNull(summaryHash, "summaryHash");
        requireNonNull(removedTokens, "removedTokens");
    }

    static ActiveCompaction of(CompactionRecord record) {
        ObjectNode message = SummaryMessage.message(record.summary());
        return new ActiveCompaction(record, message, MessageHash.ofMessage(message), new ConcurrentHashMap<>());
    }

    String id() {
        return record.compactionId();
    }
}
