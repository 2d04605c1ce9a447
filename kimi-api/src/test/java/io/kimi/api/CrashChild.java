package io.kimi.api;

import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A server to kill: {@code CrashChild <config.toml>} starts a {@link KimiServer} from the file (secrets from its
 * environment), prints {@code KIMI_CRASH_PORT=<port>} on its own line, and runs until its standard input closes
 * (so it never outlives the test that started it) or it is killed. Run by {@link CrashConsistencyTest} in a
 * child JVM.
 */
public final class CrashChild {
    static final String PORT_LINE = "KIMI_CRASH_PORT=";

    private CrashChild() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CrashChild <config.toml>");
            System.exit(2);
        }
        KimiConfig config = new ConfigLoader(System.getenv())
                .load(new ConfigOverrides(Path.of(args[0]), null, null, null));
        KimiServer server = KimiServer.builder().config(config).build().start();
        System.out.println(PORT_LINE + server.port());
        System.out.flush();
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Nothing is sent on stdin: it only tells, by closing, that the parent is gone.
        }
        server.close();
        System.exit(0);
    }
}
