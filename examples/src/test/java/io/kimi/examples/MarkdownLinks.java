package io.kimi.examples;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the relative links of a repository's Markdown files: {@code [text](path#anchor)} links, images and
 * reference definitions (relative to the file), and code spans naming a Markdown file such as {@code
 * `docs/metrics.md`} (relative to the repository's root or to the file, as the docs write them). A target must
 * exist inside the repository (a path leaving it, such as {@code ../shared/design.md}, is dead for anyone who
 * clones it) and an anchor must be a heading of the target, as GitHub names them. Links with a scheme
 * ({@code https:}, {@code mailto:}...) and code blocks are not checked.
 */
final class MarkdownLinks {
    /** Folders never searched: build output, installed packages, VCS data. */
    private static final Set<String> SKIPPED = Set.of("target", "node_modules", ".git");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    private static final Pattern CODE_SPAN_DOC = Pattern.compile("`([A-Za-z0-9_./-]+\\.md(?:#[A-Za-z0-9_-]*)?)`");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

    /** One dead link: the file and line it is on, what it says, and why it is dead. */
    record Dead(Path file, int line, String target, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + target + " (" + reason + ")";
        }
    }

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    MarkdownLinks(Path root) {
        this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /** Every Markdown file of the repository, build output and installed packages left out. */
    List<Path> markdownFiles() {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(p -> !skipped(root.relativize(p)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    /** The dead links of every Markdown file. */
    List<Dead> check() {
        List<Dead> dead = new ArrayList<>();
        for (Path file : markdownFiles()) {
            dead.addAll(check(file));
        }
        return dead;
    }

    /** The dead links of one file. */
    List<Dead> check(Path file) {
        List<Dead> dead = new ArrayList<>();
        List<String> lines = read(file);
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            String prose = line.replaceAll("`[^`]*`", "``");
            Matcher m = INLINE.matcher(prose);
            while (m.find()) {
                linkFrom(file, i + 1, m.group(1), false).ifPresent(dead::add);
            }
            Matcher d = DEFINITION.matcher(prose);
            if (d.matches()) {
                linkFrom(file, i + 1, d.group(1), false).ifPresent(dead::add);
            }
            Matcher code = CODE_SPAN_DOC.matcher(line);
            while (code.find()) {
                linkFrom(file, i + 1, code.group(1), true).ifPresent(dead::add);
            }
        }
        return dead;
    }

    private Optional<Dead> linkFrom(Path file, int line, String target, boolean codeSpan) {
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return Optional.empty();
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        int query = pathPart.indexOf('?');
        if (query >= 0) {
            pathPart = pathPart.substring(0, query);
        }
        String decoded = URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path resolved;
        if (decoded.isEmpty()) {
            resolved = file;
        } else {
            Path fromFile = file.getParent().resolve(decoded).normalize();
            Path fromRoot = root.resolve(decoded).normalize();
            resolved = codeSpan && !Files.exists(fromFile) ? fromRoot : fromFile;
        }
        if (!resolved.startsWith(root)) {
            return Optional.of(new Dead(root.relativize(file), line, target,
                    "outside the repository"));
        }
        if (!Files.exists(resolved)) {
            return Optional.of(new Dead(root.relativize(file), line, target, "no such file"));
        }
        if (anchor != null && !anchor.isEmpty() && resolved.getFileName().toString().endsWith(".md")) {
            String wanted = URLDecoder.decode(anchor, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (!anchorsOf(resolved).contains(wanted)) {
                return Optional.of(new Dead(root.relativize(file), line, target,
                        "no heading #" + anchor + " in " + root.relativize(resolved)));
            }
        }
        return Optional.empty();
    }

    /** The anchors of a Markdown file: its headings as GitHub names them (repeats get -1, -2...), and HTML anchors. */
    Set<String> anchorsOf(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> found = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean inFence = false;
            for (String line : read(f)) {
                if (FENCE.matcher(line).find()) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher h = HEADING.matcher(line);
                if (h.matches()) {
                    String slug = slug(h.group(1));
                    int n = seen.merge(slug, 1, Integer::sum) - 1;
                    found.add(n == 0 ? slug : slug + "-" + n);
                }
                Matcher a = HTML_ANCHOR.matcher(line);
                while (a.find()) {
                    found.add(a.group(1).toLowerCase(Locale.ROOT));
                }
            }
            return found;
        });
    }

    /**
     * A heading's anchor as GitHub makes it: the text as shown (links to their text, code and emphasis marks
     * dropped), lower case, punctuation other than {@code -} and {@code _} removed, spaces as {@code -}.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .replaceAll("<[^>]+>", "")
                .replace("`", "")
                .replaceAll("(\\*\\*|__|\\*|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))", "");
        StringBuilder slug = new StringBuilder();
        text.strip().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
