package io.kimi.features.sanitizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.core.MaskedContent;
import io.kimi.core.Session;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.features.MessageHash;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MaskVaultTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    private SqliteStore store;

    @BeforeEach
    void open() throws Exception {
        store = SqliteStore.open(dir.resolve("kimi.db"), Clock.systemUTC());
        store.saveSession(Session.newProxy("s1", "test", NOW, "openai", "gpt-4o", 128_000)).get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static MaskedContent mask(String sessionId, String content) {
        return new MaskedContent(MessageHash.ofText(content), sessionId, "r1", "tool", "grep", 900, 60, content, NOW);
    }

    @Test
    void acceptsThirtyTwoHexCharactersInEitherCase() {
        assertThat(MaskVault.isValidHash("0123456789abcdef0123456789abcdef")).isTrue();
        assertThat(MaskVault.isValidHash("0123456789ABCDEF0123456789ABCDEF")).isTrue();
        assertThat(MaskVault.isValidHash(MessageHash.ofText("x"))).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
        "0123456789abcdef0123456789abcdeg", "../../etc/passwd", "0123456789abcdef 123456789abcdef"})
    void rejectsAnythingElse(String hash) {
        assertThat(MaskVault.isValidHash(hash)).isFalse();
    }

    @Test
    void findRefusesAMalformedHash() {
        MaskVault vault = new MaskVault(store);

        assertThatThrownBy(() -> vault.find("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hash: 'nope' (expected: 32 hexadecimal characters)");
    }

    @Test
    void findsNothingForAnUnknownHash() {
        assertThat(new MaskVault(store).find(MessageHash.ofText("never masked"))).isEmpty();
    }

    @Test
    void keepsMasksInMemoryAndWritesThemThroughToTheStore() throws Exception {
        MaskVault vault = new MaskVault(store);
        MaskedContent mask = mask("s1", "a long tool output");

        vault.keep(mask);

        assertThat(vault.find(mask.hash())).contains(mask);
        store.flush().get(30, TimeUnit.SECONDS);
        assertThat(store.findMask(mask.hash())).contains(mask);
    }

    @Test
    void aVaultWithoutCacheReadsTheStore() throws Exception {
        MaskVault writer = new MaskVault(store);
        MaskedContent mask = mask("s1", "kept in the store");
        writer.keep(mask);
        store.flush().get(30, TimeUnit.SECONDS);

        MaskVault uncached = new MaskVault(store, 0);

        assertThat(uncached.find(mask.hash())).contains(mask);
    }

    @Test
    void aFailedStoreWriteLeavesTheMaskReadableFromMemory() throws Exception {
        MaskVault vault = new MaskVault(store);
        // No such session: the store refuses the row (foreign key); the vault logs it and goes on.
        MaskedContent orphan = mask("no-such-session", "orphan output");

        vault.keep(orphan);
        store.flush().get(30, TimeUnit.SECONDS);

        assertThat(vault.find(orphan.hash())).contains(orphan);
        assertThat(store.findMask(orphan.hash())).isEmpty();
    }

    @Test
    void keepsTheFirstMaskOfAHash() {
        MaskVault vault = new MaskVault(store);
        MaskedContent first = mask("s1", "same text");
        MaskedContent later = new MaskedContent(first.hash(), "s1", "r2", "tool", "grep", 900, 60, "same text",
                NOW.plusSeconds(60));

        vault.keep(first);
        vault.keep(later);

        assertThat(vault.find(first.hash())).contains(first);
    }

    @Test
    void refusesANegativeCacheBound() {
        assertThatThrownBy(() -> new MaskVault(store, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxCachedChars: -1 (expected: >= 0)");
    }

    @Test
    void startsWithZeroCounters() {
        assertThat(new MaskVault(store).counters()).isEqualTo(new SanitizerCounters(0, 0, 0, 0));
    }
}
