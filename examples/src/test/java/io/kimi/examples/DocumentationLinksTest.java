package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link of the repository's Markdown files leads somewhere inside it (run by {@code mvn -B verify},
 * so CI checks them); and the checker itself catches dead files, dead anchors and paths leaving the repository.
 */
class DocumentationLinksTest {
    @TempDir
    Path dir;

    /** The repository's root: the nearest folder above this module holding the parent pom with its modules. */
    private static Path repositoryRoot() throws IOException {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path pom = p.resolve("pom.xml");
            if (Files.exists(pom) && Files.readString(pom).contains("<module>examples</module>")) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no parent pom above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyRelativeLinkInTheRepositoryLeadsToAFileAndHeadingInIt() throws IOException {
        MarkdownLinks links = new MarkdownLinks(repositoryRoot());

        assertThat(links.markdownFiles()).as("the README and the docs are checked")
                .extracting(p -> repositoryRoot().relativize(p).toString().replace('\\', '/'))
                .contains("README.md", "docs/metrics.md", "docs/proxy.md", "kimi-client/README.md",
                        "examples/grafana/README.md");
        assertThat(links.check()).as("dead links").isEmpty();
    }

    @Test
    void theCheckerCatchesDeadFilesAnchorsAndPathsOutsideTheRepository() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("docs"));
        Files.writeString(dir.resolve("outside.md"), "# Outside\n");
        Files.writeString(repo.resolve("docs/guide.md"), String.join("\n",
                "# The guide",
                "## Set up: Node, `mvn -B verify` & Chromium",
                "## Set up: Node, `mvn -B verify` & Chromium",
                "Back to [the README](../README.md#use-it), [self](#the-guide).",
                ""));
        Files.writeString(repo.resolve("README.md"), String.join("\n",
                "# Readme",
                "## Use it",
                "Good: [guide](docs/guide.md), [heading](docs/guide.md#set-up-node-mvn--b-verify--chromium),",
                "[repeat](docs/guide.md#set-up-node-mvn--b-verify--chromium-1), [web](https://example.com/x.md),",
                "`docs/guide.md`, [anchor here](#use-it).",
                "Dead: [missing](docs/missing.md), [bad anchor](docs/guide.md#nowhere), [here](#nope),",
                "`docs/gone.md`, `../outside.md`, [up](../outside.md).",
                "![picture](img/none.png)",
                "[ref]: docs/also-missing.md",
                "```",
                "[in a code block](not-checked.md)",
                "```",
                ""));

        List<String> dead = new MarkdownLinks(repo).check().stream()
                .map(d -> d.line() + " " + d.target() + " " + d.reason()).toList();

        assertThat(dead).containsExactlyInAnyOrder(
                "6 docs/missing.md no such file",
                "6 docs/guide.md#nowhere no heading #nowhere in docs/guide.md",
                "6 #nope no heading #nope in README.md",
                "7 docs/gone.md no such file",
                "7 ../outside.md outside the repository",
                "7 ../outside.md outside the repository",
                "8 img/none.png no such file",
                "9 docs/also-missing.md no such file");
    }
}
