package io.kimi.api;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition: attachment} for any file name (session ids come from clients): a plain
 * {@code filename} with every character but letters, digits, '.', '_' and '-' replaced by '_', for old clients,
 * and the exact name as {@code filename*=UTF-8''...}, percent-encoded (RFC 6266, RFC 8187), which browsers
 * prefer. Nothing of the name can end the header or add another.
 */
final class ContentDisposition {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ContentDisposition() {
    }

    static String attachment(String fileName) {
        StringBuilder plain = new StringBuilder(fileName.length());
        fileName.codePoints().forEach(c -> plain.append(isSafe(c) ? (char) c : '_'));
        StringBuilder encoded = new StringBuilder(fileName.length() + 16);
        for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isSafe(c) || "!#$&+^`|~".indexOf(c) >= 0) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return "attachment; filename=\"" + plain + "\"; filename*=UTF-8''" + encoded;
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                || c == '-';
    }
}
