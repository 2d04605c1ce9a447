package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which file to read: the {@code --config} file, else {@code KIMI_CONFIG}, else {@code ./config.toml}
 * when it exists, else none (the built-in defaults). A file named explicitly must exist.
 */
final class ConfigFileLocator {
    static final String CONFIG_VAR = "KIMI_CONFIG";

    private final Map<String, String> env;
    private final Path workingDirectoryFile;

    ConfigFileLocator(Map<String, String> env, Path workingDirectoryFile) {
        this.env = requireNonNull(env, "env");
        this.workingDirectoryFile = requireNonNull(workingDirectoryFile, "workingDirectoryFile");
    }

    /** The file to read, or empty for the built-in defaults. */
    Optional<Path> locate(Path commandLineFile) {
        if (commandLineFile != null) {
            return Optional.of(requireFile(commandLineFile, "given with --config"));
        }
        String fromEnv = env.get(CONFIG_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path file;
            try {
                file = Path.of(fromEnv.trim());
            } catch (InvalidPathException e) {
                throw new ConfigException(ServerOverrides.ENVIRONMENT, CONFIG_VAR, "not a valid path: "
                        + e.getMessage(), e);
            }
            return Optional.of(requireFile(file, "named by " + CONFIG_VAR));
        }
        if (Files.isRegularFile(workingDirectoryFile)) {
            return Optional.of(workingDirectoryFile);
        }
        return Optional.empty();
    }

    private static Path requireFile(Path file, String how) {
        if (!Files.exists(file)) {
            throw new ConfigException(file.toString(), "", "config file not found (" + how + "; working directory: "
                    + Path.of("").toAbsolutePath() + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file.toString(), "", "not a regular file (" + how + ")");
        }
        return file;
    }
}
