package io.kimi.features.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerScannerTest {

    private static List<String> markers(String text) {
        return MarkerScanner.scan(text).stream().map(span -> text.substring(span[0], span[1])).toList();
    }

    @Test
    void findsMemoryBlocksWithAttributesAcrossLines() {
        String text = "before <mcp-memory source=\"notes\" id=7>\nthe user prefers tabs\nand short answers\n"
                + "</mcp-memory> after <MCP-MEMORY>second</mcp-memory >";

        assertThat(markers(text)).containsExactly(
                "<mcp-memory source=\"notes\" id=7>\nthe user prefers tabs\nand short answers\n</mcp-memory>",
                "<MCP-MEMORY>second</mcp-memory >");
    }

    @Test
    void findsMemoryAndRecallMarkersUpToTheBalancingCloser() {
        String text = "use @memory[project [alpha] settings] and @recall(query(\"tabs\"), 3) now";

        assertThat(markers(text)).containsExactly("@memory[project [alpha] settings]",
                "@recall(query(\"tabs\"), 3)");
    }

    @Test
    void countsAMarkerInsideAnotherOnceAsPartOfTheOuter() {
        String text = "<mcp-memory>outer @memory[inner] <mcp-memory>nested</mcp-memory> tail</mcp-memory>"
                + " @memory[a @recall(b) c]";

        assertThat(markers(text)).containsExactly(
                "<mcp-memory>outer @memory[inner] <mcp-memory>nested</mcp-memory> tail</mcp-memory>",
                "@memory[a @recall(b) c]");
    }

    @Test
    void ignoresMarkersThatNeverClose() {
        assertThat(markers("<mcp-memory>never closed")).isEmpty();
        assertThat(markers("@memory[never [closed]")).isEmpty();
        assertThat(markers("@recall(never (closed)")).isEmpty();
        assertThat(markers("<mcp-memory never closed tag")).isEmpty();
        // An unclosed outer one does not hide a closed one inside it.
        assertThat(markers("@memory[open @recall(closed) and on")).containsExactly("@recall(closed)");
        assertThat(markers("<mcp-memory>a <mcp-memory>b</mcp-memory>")).containsExactly("<mcp-memory>b</mcp-memory>");
    }

    @Test
    void ignoresLookAlikes() {
        assertThat(markers("mail me at bob@memory.io or @memory (later) or @recalled(x) or <mcp-memory-x>y"
                + "</mcp-memory> or <mcp-memory/> ] ) </mcp-memory>")).isEmpty();
        assertThat(MarkerScanner.mayHoldMarkers("plain text with no markers at all")).isFalse();
        assertThat(MarkerScanner.mayHoldMarkers("a @recall(x)")).isTrue();
        assertThat(MarkerScanner.mayHoldMarkers("a <MCP-Memory>x")).isTrue();
    }

    @Test
    void bracketsAndParenthesesBalanceSeparately() {
        assertThat(markers("@memory[a ) b]")).containsExactly("@memory[a ) b]");
        assertThat(markers("@recall(a ] b)")).containsExactly("@recall(a ] b)");
    }

    @Test
    void scansPathologicalInputInOnePass() {
        // Would be quadratic for a scanner that rescans from every opener.
        String openers = "@memory[".repeat(100_000) + "@recall(".repeat(100_000) + "<mcp-memory ".repeat(50_000);

        assertThat(markers(openers)).isEmpty();
        assertThat(markers("@memory[" + "[".repeat(100_000) + "]".repeat(100_001))).hasSize(1);
    }
}
