package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileSelectionTest {
    @TempDir
    Path dir;

    private Loading files() {
        return new Loading(dir);
    }

    private static String serverPort(int port) {
        return "[server]\nport = " + port + "\n";
    }

    @Test
    void commandLineFileIsReadAndNamedAsTheSource() {
        Path file = files().write("cli.toml", serverPort(9001));

        KimiConfig config = files().loader(Map.of()).load(new ConfigOverrides(file, null, null, null));

        assertThat(config.server().port()).isEqualTo(9001);
        assertThat(config.source()).isEqualTo(file.toString());
    }

    @Test
    void missingCommandLineFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope.toml");

        assertThatThrownBy(() -> files().loader(Map.of()).load(new ConfigOverrides(missing, null, null, null)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("not found")
                .hasMessageContaining("--config");
    }

    @Test
    void directoryGivenAsConfigFileIsAnError() {
        assertThatThrownBy(() -> files().loader(Map.of()).load(new ConfigOverrides(dir, null, null, null)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void kimiConfigVariableNamesTheFileWhenNoCommandLineFileIsGiven() {
        Path file = files().write("env.toml", serverPort(9002));

        KimiConfig config = files().loader(Map.of("KIMI_CONFIG", file.toString())).load(ConfigOverrides.none());

        assertThat(config.server().port()).isEqualTo(9002);
    }

    @Test
    void missingKimiConfigFileIsAnErrorNamingTheFileAndTheVariable() {
        Path missing = dir.resolve("missing.toml");

        assertThatThrownBy(() -> files().loader(Map.of("KIMI_CONFIG", missing.toString()))
                .load(ConfigOverrides.none()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("KIMI_CONFIG");
    }

    @Test
    void commandLineFileWinsOverKimiConfig() {
        Path cli = files().write("cli.toml", serverPort(9001));
        Path env = files().write("env.toml", serverPort(9002));

        KimiConfig config = files().loader(Map.of("KIMI_CONFIG", env.toString()))
                .load(new ConfigOverrides(cli, null, null, null));

        assertThat(config.server().port()).isEqualTo(9001);
    }

    @Test
    void workingDirectoryConfigTomlIsReadWhenNothingElseNamesAFile() {
        Path local = files().write("config.toml", serverPort(9003));

        KimiConfig config = new ConfigLoader(Map.of(), local).load(ConfigOverrides.none());

        assertThat(config.server().port()).isEqualTo(9003);
        assertThat(config.source()).isEqualTo(local.toString());
    }

    @Test
    void kimiConfigWinsOverTheWorkingDirectoryConfigToml() {
        Path local = files().write("config.toml", serverPort(9003));
        Path env = files().write("env.toml", serverPort(9002));

        KimiConfig config = new ConfigLoader(Map.of("KIMI_CONFIG", env.toString()), local)
                .load(ConfigOverrides.none());

        assertThat(config.server().port()).isEqualTo(9002);
    }

    @Test
    void fileWithoutProvidersOrModelsKeepsTheBuiltInCatalogue() {
        KimiConfig config = files().load(serverPort(9004));

        assertThat(config.server().port()).isEqualTo(9004);
        assertThat(config.provider("kimi")).isPresent();
        assertThat(config.model("kimi-k2")).isPresent();
    }

    @Test
    void fileWithProvidersAndModelsDefinesTheWholeCatalogue() {
        KimiConfig config = files().load(Loading.LOCAL_CATALOGUE);

        assertThat(config.providers()).containsOnlyKeys("local");
        assertThat(config.models()).containsOnlyKeys("m");
    }

    @Test
    void emptyFileGivesBuiltInServerDefaults() {
        KimiConfig config = files().load("");

        assertThat(config.server().port()).isEqualTo(8766);
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
    }
}
