package io.kimi.features.sanitizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsoleOutputTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "```\n[INFO] BUILD SUCCESS\n```",
        "  ```text\nline 1\nline 2\n```  ",
        "$ mvn -q test\n[ERROR] Tests run: 3, Failures: 1",
        "% ls -la\ntotal 0",
        "alice@laptop:~/src/app$ ./gradlew build\nBUILD SUCCESSFUL",
        "root@box:/srv# systemctl status nginx\n● nginx.service",
        "PS C:\\Users\\bob\\app> dotnet test\nPassed!",
        "C:\\work> dir\n Volume in drive C",
        ">>> import sys\n>>> sys.version",
        "Output:\nhello",
        "output: 3 files changed",
        "==> logs/app.log <==\n2024-05-01 12:00:00 INFO started",
        "File: src/main/java/App.java\npublic class App {}",
        "src/main/java/io/acme/App.java\npackage io.acme;",
        "./build/reports/tests.xml:\n<testsuite/>",
        "C:\\proj\\src\\main.rs\nfn main() {}"
    })
    void recognisesConsoleAndFileOutput(String text) {
        assertThat(ConsoleOutput.looksLikeOutput(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "Can you fix the failing test?",
        "Here is the log:\n```\n[ERROR] boom\n```",
        "```java\nclass A {}\n```\nand\n```java\nclass B {}\n```",
        "```\nunclosed block",
        "> quoted text from the docs\nwhat does it mean?",
        "# Heading\nsome notes",
        "See README.md for details",
        "I changed src/App.java yesterday, now it fails",
        "$100 is the price",
        "Outputs are wrong"
    })
    void leavesWhatTheUserWroteAlone(String text) {
        assertThat(ConsoleOutput.looksLikeOutput(text)).isFalse();
    }

    @Test
    void ignoresAFirstLineLongerThanTheHeaderLimit() {
        String longPrompt = "$ " + "x".repeat(ConsoleOutput.MAX_HEADER_CHARS) + "\noutput";

        assertThat(ConsoleOutput.looksLikeOutput(longPrompt)).isFalse();
    }
}
