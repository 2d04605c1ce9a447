package io.kimi.features.mcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a string the way a WHATWG URL parser (the {@code URL} of browsers and Node.js, which MCP servers use)
 * reads it, as far as {@link WorkspaceGuard} needs: the clean-up before parsing, the scheme, where a {@code
 * file:} URL's path starts, and percent-decoding.
 *
 * <p>No Java library parses by the WHATWG rules ({@code java.net.URI} follows RFC 3986 and refuses what
 * browsers accept, such as spaces and backslashes), hence these few steps. Stateless.
 */
final class UrlText {

    private UrlText() {
    }

    /**
     * The string as the parser sees it: leading and trailing C0 controls and spaces (U+0000 to U+0020)
     * removed, and every ASCII tab and newline (U+0009, U+000A, U+000D) removed wherever it is.
     */
    static String clean(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && value.charAt(end - 1) <= ' ') {
            end--;
        }
        StringBuilder cleaned = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                cleaned.append(c);
            }
        }
        return cleaned.toString();
    }

    /**
     * The scheme of a {@linkplain #clean cleaned} string, lower-cased, or {@code null} when it has none (a
     * relative reference, which is how a parser reads a plain path): an ASCII letter, then letters, digits,
     * {@code +}, {@code -} or {@code .}, then {@code :}. A one-letter scheme is how the parser reads a Windows
     * drive letter ({@code C:\Windows}).
     */
    static String scheme(String cleaned) {
        if (cleaned.isEmpty() || !isAsciiLetter(cleaned.charAt(0))) {
            return null;
        }
        for (int i = 1; i < cleaned.length(); i++) {
            char c = cleaned.charAt(i);
            if (c == ':') {
                return cleaned.substring(0, i).toLowerCase(Locale.ROOT);
            }
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
                return null;
            }
        }
        return null;
    }

    /**
     * What follows the host of a cleaned {@code file:} URL: its path with any query and fragment, {@code \}
     * read as {@code /} (as the parser does for {@code file:}), always starting with {@code /} ({@code
     * file:etc} is {@code /etc}). Empty when the URL names a host other than {@code localhost}: not a file of
     * this machine.
     *
     * @param cleaned a {@linkplain #clean cleaned} string whose {@linkplain #scheme scheme} is {@code file}
     */
    static Optional<String> fileUrlPath(String cleaned) {
        String rest = cleaned.substring("file:".length()).replace('\\', '/');
        if (rest.startsWith("//")) {
            int end = 2;
            while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
                end++;
            }
            String host = percentDecode(rest.substring(2, end));
            if (host == null || !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                return Optional.empty();
            }
            rest = rest.substring(end);
        }
        return Optional.of(rest.startsWith("/") ? rest : "/" + rest);
    }

    /** {@code path} up to its query ({@code ?}) or fragment ({@code #}). */
    static String withoutQuery(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '?' || c == '#') {
                return path.substring(0, i);
            }
        }
        return path;
    }

    /**
     * {@code value} with each {@code %XX} replaced by its byte, the bytes read as UTF-8; a {@code %} not
     * followed by two hex digits stays as it is. {@code null} when the decoded bytes are not UTF-8 (such as
     * the overlong {@code %c0%ae} for a dot).
     */
    static String percentDecode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            int high = i + 2 < bytes.length && bytes[i] == '%' ? Character.digit(bytes[i + 1], 16) : -1;
            int low = high < 0 ? -1 : Character.digit(bytes[i + 2], 16);
            if (low < 0) {
                decoded.write(bytes[i]);
            } else {
                decoded.write(high << 4 | low);
                i += 2;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null; // the caller refuses what it cannot read one way only
        }
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
