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

class WorkspaceGuardTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path root;

    private Path workspace;
    private Path outside;
    private WorkspaceGuard guard;

    @BeforeEach
    void setUp() throws IOException {
        workspace = Files.createDirectories(root.resolve("ws"));
        outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/Main.java"), "class Main {}");
        guard = new WorkspaceGuard(workspace);
    }

    /** Each escape attempt of the shared table that the guard can see in {@code params} is found. */
    @TestFactory
    Stream<DynamicTest> everyEscapeAttemptIsFound() throws IOException {
        Path ws = Files.createDirectories(root.resolve("table-ws")).toRealPath();
        Path away = root.toRealPath().resolve("table-outside");
        McpEscapeAttempts.prepare(ws, away);
        WorkspaceGuard tableGuard = new WorkspaceGuard(ws);
        return McpEscapeAttempts.blocked(ws, away).stream().filter(Attempt::isParamsLevel)
                .map(attempt -> DynamicTest.dynamicTest(attempt.name(), () -> assertThat(
                        tableGuard.firstEscape(params(attempt))).as(attempt.params()).isPresent()));
    }

    /** The values of the shared table that name files inside (or are no local path) pass. */
    @TestFactory
    Stream<DynamicTest> valuesInsideTheWorkspacePass() throws IOException {
        Path ws = Files.createDirectories(root.resolve("table-ws")).toRealPath();
        McpEscapeAttempts.prepare(ws, root.toRealPath().resolve("table-outside"));
        WorkspaceGuard tableGuard = new WorkspaceGuard(ws);
        return McpEscapeAttempts.allowed(ws).stream()
                .map(attempt -> DynamicTest.dynamicTest(attempt.name(), () -> assertThat(
                        tableGuard.firstEscape(params(attempt))).as(attempt.params()).isEmpty()));
    }

    private JsonNode params(Attempt attempt) {
        try {
            return mapper.readTree(attempt.params());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void relativePathsInsideTheWorkspaceAreAllowed() {
        assertThat(guard.isInside("src/Main.java")).isTrue();
        assertThat(guard.isInside("./src")).isTrue();
        assertThat(guard.isInside(".")).isTrue();
        assertThat(guard.isInside("new/dir/not-yet-created.txt")).isTrue();
    }

    @Test
    void absolutePathsInsideTheWorkspaceAreAllowed() {
        assertThat(guard.isInside(workspace.resolve("src/Main.java").toString())).isTrue();
        assertThat(guard.isInside(workspace.toString())).isTrue();
    }

    @Test
    void traversalIsRefusedEvenWhenItWouldStayInside() {
        assertThat(guard.isInside("../outside/secret.txt")).isFalse();
        assertThat(guard.isInside("src/../../outside")).isFalse();
        assertThat(guard.isInside("src/../src/Main.java")).isFalse();
        assertThat(guard.isInside(workspace + "/../outside/secret.txt")).isFalse();
    }

    @Test
    void absolutePathsOutsideAreRefused() {
        assertThat(guard.isInside("/etc/passwd")).isFalse();
        assertThat(guard.isInside(outside.resolve("secret.txt").toString())).isFalse();
        assertThat(guard.isInside(root.resolve("ws-sibling").toString())).isFalse();
    }

    @Test
    void homeRelativePathsAreRefused() {
        assertThat(guard.isInside("~/.ssh/id_rsa")).isFalse();
        assertThat(guard.isInside("~root")).isFalse();
    }

    @Test
    void symlinksThatEscapeAreRefused() throws IOException {
        Files.createSymbolicLink(workspace.resolve("escape"), outside);
        assertThat(guard.isInside("escape")).isFalse();
        assertThat(guard.isInside("escape/secret.txt")).isFalse();
        assertThat(guard.isInside("escape/not-there-yet.txt")).isFalse();
        assertThat(guard.isInside(workspace.resolve("escape/secret.txt").toString())).isFalse();
    }

    @Test
    void symlinksThatStayInsideAreAllowed() throws IOException {
        Files.createSymbolicLink(workspace.resolve("sources"), workspace.resolve("src"));
        assertThat(guard.isInside("sources/Main.java")).isTrue();
    }

    @Test
    void danglingSymlinksAreRefused() throws IOException {
        Files.createSymbolicLink(workspace.resolve("dangling"), outside.resolve("nothing-here"));
        assertThat(guard.isInside("dangling")).isFalse();
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
    void fileUrisAreCheckedLikePaths() {
        assertThat(guard.isInside(workspace.resolve("src/Main.java").toUri().toString())).isTrue();
        assertThat(guard.isInside("file://" + workspace + "/src")).isTrue();
        assertThat(guard.isInside("file://localhost" + workspace + "/src")).isTrue();
        assertThat(guard.isInside("file:///etc/passwd")).isFalse();
        assertThat(guard.isInside("file://other-host" + workspace + "/src")).isFalse();
        assertThat(guard.isInside("file:relative.txt")).isFalse();
    }

    @Test
    void otherUrlSchemesAreNotLocalPaths() {
        assertThat(guard.isInside("https://example.com/etc/passwd")).isTrue();
    }

    @Test
    void findsPathsInNestedToolArguments() throws IOException {
        JsonNode params = mapper.readTree("""
                {"name":"read_file","arguments":{"options":{"path":"/etc/passwd"}}}""");
        assertThat(guard.firstEscape(params)).contains("/etc/passwd");
    }

    @Test
    void findsPathsInArraysUnderPathKeys() throws IOException {
        JsonNode params = mapper.readTree("""
                {"name":"read_multiple_files","arguments":{"paths":["src/Main.java","../outside/secret.txt"]}}""");
        assertThat(guard.firstEscape(params)).contains("../outside/secret.txt");
    }

    @Test
    void recognisesCamelCaseAndSnakeCasePathKeys() throws IOException {
        assertThat(guard.firstEscape(mapper.readTree("{\"outputPath\":\"/tmp/x\"}"))).contains("/tmp/x");
        assertThat(guard.firstEscape(mapper.readTree("{\"log_file\":\"/tmp/x\"}"))).contains("/tmp/x");
        assertThat(guard.firstEscape(mapper.readTree("{\"baseDir\":\"/tmp\"}"))).contains("/tmp");
        assertThat(guard.firstEscape(mapper.readTree("{\"file_path\":\"/tmp\"}"))).contains("/tmp");
        assertThat(guard.firstEscape(mapper.readTree("{\"destination\":\"/tmp\"}"))).contains("/tmp");
        assertThat(guard.firstEscape(mapper.readTree("{\"cwd\":\"/\"}"))).contains("/");
    }

    @Test
    void fileUrisAreCheckedUnderAnyKey() throws IOException {
        JsonNode params = mapper.readTree("{\"uri\":\"file:///etc/shadow\"}");
        assertThat(guard.firstEscape(params)).contains("file:///etc/shadow");
    }

    @Test
    void ignoresValuesThatAreNotPaths() throws IOException {
        JsonNode params = mapper.readTree("""
                {"name":"write_file","arguments":{"path":"src/Notes.md","content":"/etc/passwd is a file",
                 "url":"https://example.com/a/../b","jsonPath":"$..items","count":3,"target":"es2020"}}""");
        assertThat(guard.firstEscape(params)).isEmpty();
        assertThat(guard.firstEscape(null)).isEmpty();
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
}
