package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.kimi.config.KimiConfig;
import io.kimi.config.McpServerConfig;
import io.kimi.config.ProviderConfig;
import io.kimi.config.Secret;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.search.AbstractMultiSearchProcessorFactory;
import io.netty.buffer.search.MultiSearchProcessorFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces every configured secret with {@value #MARKER} in what providers send back, before any of it reaches a
 * client, the database, a view, a metric or a log: the one place that knows all of them (every provider's key, the
 * credential-like values of their extra headers, the server's access token, the MCP servers' tokens), so a
 * provider echoing another provider's key is caught too.
 *
 * <p>Each secret is also found in the forms a reply may hold it in: URL-encoded (upper or lower case hex),
 * JSON-escaped (also with {@code \/}), and masked the way providers show keys ({@code sk-proj-Abc1****Wxyz},
 * {@code sk-...Wxyz}, {@code sk-…Wxyz}): the head (up to 12 characters) anywhere, the last 4 characters after a
 * mask (three or more {@code *}, {@code .}, {@code •} or {@code #}, or one {@code …}). The last 4 alone are left:
 * they reveal little and match ordinary text.
 * Values shorter than {@value #MIN_SECRET_LENGTH} characters are left alone, with a warning at start: they would
 * match ordinary text.
 *
 * <p>Thread-safe. {@link #redactions()} counts the replacements made and the headers held back.
 */
public final class SecretScrubber {
    /** What a secret becomes. */
    public static final String MARKER = "[REDACTED]";
    static final int MIN_SECRET_LENGTH = 8;
    /** Keys at least this long also lose their masked forms (head, and tail after a mask). */
    private static final int MASKED_FORMS_MIN_LENGTH = 16;
    private static final int MAX_HEAD = 12;
    private static final int TAIL = 4;
    private static final Pattern CREDENTIAL_HEADER = Pattern.compile(
            "(?i).*(auth|key|token|secret|passw|cookie|signature|credential).*");
    private static final Logger log = LoggerFactory.getLogger(SecretScrubber.class);
    private static final SecretScrubber NONE = new SecretScrubber(List.of());

    /** Every form of every secret, longest first; empty when there are no secrets. */
    private final List<String> forms;
    private final Pattern pattern;
    private final MultiSearchProcessorFactory search;
    private final AtomicLong redactions = new AtomicLong();

    private SecretScrubber(Collection<String> secrets) {
        Set<String> all = new LinkedHashSet<>();
        List<String> masked = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < MIN_SECRET_LENGTH || MARKER.contains(secret)) {
                if (secret != null && !secret.isEmpty()) {
                    log.warn("A configured secret is shorter than {} characters: it is not scrubbed from provider"
                            + " replies (and is easy to guess)", MIN_SECRET_LENGTH);
                }
                continue;
            }
            all.addAll(formsOf(secret));
            if (secret.length() >= MASKED_FORMS_MIN_LENGTH) {
                all.add(secret.substring(0, Math.min(MAX_HEAD, secret.length() / 2)));
                masked.add(maskedForm(secret));
            }
        }
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.forms = List.copyOf(sorted);
        if (forms.isEmpty()) {
            pattern = null;
            search = null;
            return;
        }
        List<String> alternatives = new ArrayList<>(masked);
        forms.forEach(f -> alternatives.add(Pattern.quote(f)));
        pattern = Pattern.compile(String.join("|", alternatives));
        byte[][] needles = new byte[forms.size()][];
        for (int i = 0; i < needles.length; i++) {
            needles[i] = forms.get(i).getBytes(StandardCharsets.UTF_8);
        }
        search = AbstractMultiSearchProcessorFactory.newAhoCorasicSearchProcessorFactory(needles);
    }

    /** A scrubber that knows no secret and changes nothing. */
    public static SecretScrubber none() {
        return NONE;
    }

    /** A scrubber for these values (e.g. for tests or an embedding application). */
    public static SecretScrubber of(Collection<String> secrets) {
        return new SecretScrubber(requireNonNull(secrets, "secrets"));
    }

    /**
     * A scrubber for every secret of the configuration that is set: the providers' {@code api_key}s and the
     * values of their extra headers whose name suggests a credential ({@code Authorization}, {@code X-Api-Key},
     * ... also without an {@code Authorization}-style scheme word), {@code server.auth_token} ({@code
     * KIMI_AUTH_TOKEN}) and the MCP servers' {@code auth_token}s.
     */
    public static SecretScrubber of(KimiConfig config) {
        requireNonNull(config, "config");
        List<String> secrets = new ArrayList<>();
        for (ProviderConfig p : config.providers().values()) {
            add(secrets, p.apiKey());
            for (Map.Entry<String, String> h : p.headers().entrySet()) {
                if (CREDENTIAL_HEADER.matcher(h.getKey()).matches()) {
                    String value = h.getValue().strip();
                    secrets.add(value);
                    String credential = value.substring(value.indexOf(' ') + 1).strip(); // "Bearer <token>"
                    if (!credential.equals(value) && credential.length() >= MIN_SECRET_LENGTH) {
                        secrets.add(credential);
                    }
                }
            }
        }
        add(secrets, config.server().authToken());
        for (McpServerConfig server : config.mcp().servers().values()) {
            add(secrets, server.authToken());
        }
        return new SecretScrubber(secrets);
    }

    /** {@code text} with every secret replaced by {@value #MARKER}; {@code null} stays {@code null}. */
    public String scrub(String text) {
        if (pattern == null || text == null) {
            return text;
        }
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        long found = 0;
        do {
            m.appendReplacement(out, Matcher.quoteReplacement(MARKER));
            found++;
        } while (m.find());
        m.appendTail(out);
        redactions.addAndGet(found);
        return out.toString();
    }

    /** The error with every field scrubbed; the same instance when none held a secret. */
    public OpenAiError scrub(OpenAiError error) {
        OpenAiError clean = new OpenAiError(error.httpStatus(), scrub(error.message()), scrub(error.type()),
                scrub(error.code()), scrub(error.param()), scrub(error.retryAfterSeconds()));
        return clean.equals(error) ? error : clean;
    }

    /** Whether {@code text} holds a secret, in any form this scrubber knows. Counts nothing. */
    public boolean reveals(CharSequence text) {
        return pattern != null && text != null && pattern.matcher(text).find();
    }

    /**
     * The buffer's bytes with every secret replaced: {@code buf} itself when it holds none (the usual case: one
     * pass over the bytes, no copy), else a new buffer, and {@code buf} is released. The caller owns the result.
     */
    ByteBuf scrub(ByteBuf buf) {
        if (search == null || buf.forEachByte(search.newSearchProcessor()) < 0) {
            return buf;
        }
        String clean = scrub(buf.toString(StandardCharsets.UTF_8));
        buf.release();
        return Unpooled.wrappedBuffer(clean.getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the headers whose name or a value reveals a secret; returns how many names were removed. */
    int dropRevealing(HttpHeaders headers) {
        if (pattern == null) {
            return 0;
        }
        List<String> revealing = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (reveals(h.getKey()) || reveals(h.getValue())) {
                revealing.add(h.getKey());
            }
        }
        revealing.forEach(headers::remove);
        redactions.addAndGet(revealing.size());
        return revealing.size();
    }

    /** Secrets replaced and headers held back since this scrubber was made. */
    public long redactions() {
        return redactions.get();
    }

    /** How many forms are searched for (the secrets' count is not shown: a form may be shared). */
    @Override
    public String toString() {
        return "SecretScrubber[" + forms.size() + " forms]";
    }

    private static void add(List<String> secrets, Secret secret) {
        if (secret != null && secret.isResolved()) {
            secrets.add(secret.value());
        }
    }

    /** The secret as sent, URL-encoded (upper and lower case hex) and JSON-escaped (also with {@code \/}). */
    private static Set<String> formsOf(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        forms.add(url);
        forms.add(lowerCaseHex(url));
        String json = new String(JsonStringEncoder.getInstance().quoteAsString(secret));
        forms.add(json);
        forms.add(json.replace("/", "\\/"));
        return forms;
    }

    private static String lowerCaseHex(String urlEncoded) {
        Matcher m = Pattern.compile("%[0-9A-F]{2}").matcher(urlEncoded);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, m.group().toLowerCase(Locale.ROOT));
        }
        return m.appendTail(out).toString();
    }

    /**
     * A key shown masked: optionally its first 3 characters and a few more, then a run of mask characters, then its
     * last 4 characters, e.g. {@code sk-proj-Abc1****Wxyz} or {@code sk-...Wxyz}. Bounded: no backtracking blow-up.
     */
    private static String maskedForm(String secret) {
        return "(?:" + Pattern.quote(secret.substring(0, 3)) + "[A-Za-z0-9_-]{0,16})?(?:[*.\u2022#]{3,}+|\u2026)"
                + Pattern.quote(secret.substring(secret.length() - TAIL)) + "(?![A-Za-z0-9])";
    }
}
