package io.kimi.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

/**
 * The libraries this client needs at run time (Jackson and SLF4J), and the clear error it gives when one is
 * missing or of an incompatible version instead of a bare {@link LinkageError} on some thread.
 */
final class Dependencies {
    static final String JACKSON = "com.fasterxml.jackson.core:jackson-databind";
    static final String SLF4J = "org.slf4j:slf4j-api";
    private static final String RESOURCE = "dependencies.properties";

    private Dependencies() {
    }

    /**
     * Loads and initialises the client's JSON mapper, so a missing or clashing Jackson fails here, when a client
     * is built, rather than on the thread that reads a reply.
     *
     * @throws DashboardException naming the dependency when it cannot be loaded
     */
    static void require() {
        try {
            // By name: a reference to Jackson's types here would fail as this class loads, outside the catch.
            Class.forName(Json.class.getName(), true, Dependencies.class.getClassLoader());
        } catch (LinkageError e) {
            throw missing(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("kimi-client's own class " + Json.class.getName() + " is missing", e);
        }
    }

    /** A {@link DashboardException} for a class of a dependency that failed to load; {@code e} is its cause. */
    static DashboardException missing(LinkageError e) {
        String seen = chain(e).toLowerCase(Locale.ROOT);
        Properties versions = new Properties();
        IOException unreadable = read(versions);
        String which = seen.contains("jackson") ? coordinates(JACKSON, versions)
                : seen.contains("slf4j") ? coordinates(SLF4J, versions)
                : coordinates(JACKSON, versions) + " or " + coordinates(SLF4J, versions);
        String what = Rest.describe(e) + (e.getCause() == null ? "" : ", caused by " + Rest.describe(e.getCause()));
        DashboardException error = new DashboardException("kimi-client needs " + which + " on the class path; it "
                + "is missing or of an incompatible version (" + what + "). Add the dependencies listed under "
                + "\"Runtime dependencies\" in kimi-client's README.", e);
        if (unreadable != null) {
            error.addSuppressed(unreadable);
        }
        return error;
    }

    /** e.g. {@code com.fasterxml.jackson.core:jackson-databind:2.23.0}; {@code :2.x} when the version is unknown. */
    static String coordinates(String artifact, Properties versions) {
        String key = artifact.substring(artifact.indexOf(':') + 1);
        return artifact + ":" + versions.getProperty(key, "2.x");
    }

    /** Reads the versions the client was built with into {@code into}; the failure, if any (then it is empty). */
    private static IOException read(Properties into) {
        try (InputStream in = Dependencies.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                into.load(in);
            }
            return null;
        } catch (IOException e) {
            into.clear();
            return e;
        }
    }

    /** The throwable and its causes, as text: an {@link ExceptionInInitializerError} names the class in its cause. */
    private static String chain(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 4096; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
