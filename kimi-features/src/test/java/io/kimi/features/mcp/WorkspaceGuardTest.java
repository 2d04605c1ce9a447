package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.testing.McpEscapeAttempts;
import io.kimi.testing.McpEscapeAttempts.Attempt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared escape table ({@link McpEscapeAttempts}: traversal, absolute paths, symbolic links, {@code file:}
 * URLs as a WHATWG parser reads them, encodings, Windows forms, {@code uri} keys, nesting) on the guard alone,
 * and what the table does not cover. The same table runs end to end in kimi-api's McpGatewayEndToEndTest.
 */
class WorkspaceGuardTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path root;

    private Path workspace;
    private Path outside;
    private WorkspaceGuard guard;

    @BeforeEach
    void setUp() throws IOException {
        workspace = Files.createDirectories(root.resolve("ws")).toRealPath();
        outside = workspace.resolveSibling("outside");
        McpEscapeAttempts.prepare(workspace, outside);
        guard = new WorkspaceGuard(workspace);
    }

    /** Each escape attempt of the table that the guard can see in {@code params} is found. */
    @TestFactory
    Stream<DynamicTest> everyEscapeAttemptIsFound() {
        return McpEscapeAttempts.blocked(workspace, outside).stream().filter(Attempt::isParamsLevel)
                .map(attempt -> DynamicTest.dynamicTest(attempt.name(), () -> assertThat(
                        guard.firstEscape(params(attempt))).as(attempt.params()).isPresent()));
    }

    /** The values of the table that name files inside (or are no local path) pass. */
    @TestFactory
    Stream<DynamicTest> valuesInsideTheWorkspacePass() {
        return McpEscapeAttempts.allowed(workspace).stream()
                .map(attempt -> DynamicTest.dynamicTest(attempt.name(), () -> assertThat(
                        guard.firstEscape(params(attempt))).as(attempt.params()).isEmpty()));
    }

    @Test
    void aWorkspaceThatIsASymlinkAcceptsBothSpellings() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("ws-link"), workspace);
        WorkspaceGuard viaLink = new WorkspaceGuard(link);
        assertThat(viaLink.isInside(link.resolve("src/Main.java").toString())).isTrue();
        assertThat(viaLink.isInside(workspace.resolve("src/Main.java").toString())).isTrue();
        assertThat(viaLink.isInside(outside.toString())).isFalse();
    }

    @Test
    void aMissingWorkspaceStillConfinesLexically() {
        WorkspaceGuard missing = new WorkspaceGuard(root.resolve("not-created"));
        assertThat(missing.isInside("a/b.txt")).isTrue();
        assertThat(missing.isInside(root.resolve("not-created/a").toString())).isTrue();
        assertThat(missing.isInside(outside.toString())).isFalse();
    }

    @Test
    void webUrlsMayCarryDotDotUnderAUriKeyButNotUnderAPathKey() throws IOException {
        assertThat(guard.firstEscape(mapper.readTree("{\"uri\":\"https://example.com/a/../b\"}"))).isEmpty();
        assertThat(guard.firstEscape(mapper.readTree("{\"path\":\"https://example.com/a/../b\"}")))
                .contains("https://example.com/a/../b");
        assertThat(guard.firstEscape(mapper.readTree("{\"uri\":\"foo://example.com/a/../b\"}")))
                .contains("foo://example.com/a/../b");
    }

    @Test
    void anotherSchemeWithoutDotDotIsNotALocalPath() {
        assertThat(guard.isInside("https://example.com/etc/passwd")).isTrue();
        assertThat(guard.isInside("mem://notes/etc/passwd")).isTrue();
        assertThat(guard.isInside("data:text/plain,/etc/passwd")).isTrue();
    }

    @Test
    void emptyValuesAreNoPath() {
        assertThat(guard.isInside("")).isTrue();
        assertThat(guard.firstEscape(null)).isEmpty();
    }

    @Test
    void theValueReportedIsTheOneSent() throws IOException {
        assertThat(guard.firstEscape(mapper.readTree("{\"uri\":\"\\tfile:///etc/passwd\"}")))
                .contains("\tfile:///etc/passwd");
    }

    @Test
    void pathKeyRecognition() {
        assertThat(WorkspaceGuard.isPathKey("path")).isTrue();
        assertThat(WorkspaceGuard.isPathKey("FilePath")).isTrue();
        assertThat(WorkspaceGuard.isPathKey("working-directory")).isTrue();
        assertThat(WorkspaceGuard.isPathKey("sourceFiles")).isTrue();
        assertThat(WorkspaceGuard.isPathKey("content")).isFalse();
        assertThat(WorkspaceGuard.isPathKey("profile")).isFalse();
        assertThat(WorkspaceGuard.isPathKey("xpath")).isFalse();
        assertThat(WorkspaceGuard.isPathKey("jsonPath")).isFalse();
    }

    @Test
    void uriKeyRecognition() {
        assertThat(WorkspaceGuard.isUriKey("uri")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("URIs")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("rootUri")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("documentURI")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("resource_uri")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("baseUris")).isTrue();
        assertThat(WorkspaceGuard.isUriKey("security")).isFalse();
        assertThat(WorkspaceGuard.isUriKey("url")).isFalse();
        assertThat(WorkspaceGuard.isUriKey("uriTemplate")).isFalse();
    }

    private JsonNode params(Attempt attempt) {
        try {
            return mapper.readTree(attempt.params());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
