package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in string values (night-config does not). The default
 * applies when the variable is unset or empty, as in a POSIX shell. A {@code ${} that is not a well-formed
 * reference is an error, so a literal {@code ${...}} is never sent anywhere.
 */
final class EnvExpander {
    private static final Logger LOG = LoggerFactory.getLogger(EnvExpander.class);
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern INNER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(:-(.*))?", Pattern.DOTALL);

    private final Map<String, String> env;

    EnvExpander(Map<String, String> env) {
        this.env = requireNonNull(env, "env");
    }

    /**
     * Expands every reference in a plain value ({@code base_url}, header values).
     *
     * @throws ConfigException naming the file, key and variable when a variable is unset and has no default
     */
    String expand(Table table, String key, String raw) {
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (Reference ref : references(table, key, raw)) {
            out.append(raw, last, ref.start());
            String value = lookup(ref);
            if (value == null) {
                throw table.error(key, "environment variable " + ref.variable() + " is not set (referenced as ${"
                        + ref.variable() + "}; set it, or write ${" + ref.variable() + ":-default})");
            }
            out.append(value);
            last = ref.end();
        }
        return out.append(raw.substring(last)).toString();
    }

    /**
     * Turns a secret's raw value ({@code api_key}, {@code auth_token}) into a {@link Secret}. An unset variable
     * is not an error here: the secret is unresolved and reports the variable where it is used. A value with no
     * reference is a literal secret: allowed, but a warning (without the value) is logged.
     */
    Secret secret(Table table, String key, String raw) {
        if (raw == null || raw.isEmpty()) {
            return Secret.none();
        }
        List<Reference> refs = references(table, key, raw);
        if (refs.isEmpty()) {
            LOG.warn("{}: {} holds a literal secret; literal secrets in files are discouraged, "
                    + "write \"${ENV_VAR}\" and set the variable instead", table.source(), table.keyPath(key));
            return Secret.literal(raw);
        }
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (Reference ref : refs) {
            out.append(raw, last, ref.start());
            String value = lookup(ref);
            if (value == null) {
                return Secret.fromVariable(ref.variable(), null);
            }
            if (ref.defaultValue() != null && !ref.defaultValue().isEmpty() && isUnset(ref.variable())) {
                LOG.warn("{}: {} uses the default written in the file because {} is not set; literal secrets "
                        + "in files are discouraged", table.source(), table.keyPath(key), ref.variable());
            }
            out.append(value);
            last = ref.end();
        }
        out.append(raw.substring(last));
        return Secret.fromVariable(refs.get(0).variable(), out.toString());
    }

    private String lookup(Reference ref) {
        String value = env.get(ref.variable());
        if (value == null || value.isEmpty()) {
            return ref.defaultValue();
        }
        return value;
    }

    private boolean isUnset(String variable) {
        String value = env.get(variable);
        return value == null || value.isEmpty();
    }

    private static List<Reference> references(Table table, String key, String raw) {
        List<Reference> refs = new ArrayList<>();
        Matcher m = REFERENCE.matcher(raw);
        int checkedUpTo = 0;
        while (m.find()) {
            rejectStrayOpening(table, key, raw, checkedUpTo, m.start());
            Matcher inner = INNER.matcher(m.group(1));
            if (!inner.matches()) {
                throw table.error(key, "malformed reference \"" + m.group() + "\" (expected ${VAR} or "
                        + "${VAR:-default}, VAR made of letters, digits and _)");
            }
            refs.add(new Reference(m.start(), m.end(), inner.group(1), inner.group(3)));
            checkedUpTo = m.end();
        }
        rejectStrayOpening(table, key, raw, checkedUpTo, raw.length());
        return refs;
    }

    private static void rejectStrayOpening(Table table, String key, String raw, int from, int to) {
        int open = raw.indexOf("${", from);
        if (open >= 0 && open < to) {
            throw table.error(key, "unterminated reference \"${\" (expected ${VAR} or ${VAR:-default})");
        }
    }

    /** One {@code ${VAR}} or {@code ${VAR:-default}} at {@code [start, end)}. */
    private record Reference(int start, int end, String variable, String defaultValue) {
    }
}
