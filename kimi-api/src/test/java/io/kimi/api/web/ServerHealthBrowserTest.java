package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The page reads {@code /health}'s check codes and says what fails in its own language, under the header; the
 * server's answer stays in English codes. A real server whose SQLite file is broken under it.
 */
class ServerHealthBrowserTest extends BrowserTestBase {
    @Test
    void aDatabaseThatNoLongerAnswersIsShownInFrenchAndInEnglish() throws Exception {
        open("/");
        browser.waitFor(WAIT, "the first health answer", d -> "ok".equals(attr("health", "data-state")));
        assertThat(browser.driver.findElement(By.id("health")).isDisplayed()).as("nothing to say while all is well").isFalse();

        breakDatabase(server.database());
        assertThat(server.get("/health").body()).contains("\"code\":\"database_unreachable\"");

        // The page asks when it opens (and on each live connection, and every 30 s).
        browser.driver.get(server.url("/"));
        WebElement problem = browser.waitFor(WAIT, "the failing check", d ->
                d.findElements(By.cssSelector("#health li[data-code='database_unreachable']")).stream()
                        .filter(WebElement::isDisplayed).findFirst().orElse(null));
        assertThat(plain(problem.getText()))
                .isEqualTo("La base de données ne répond pas : les requêtes passent, mais ne sont plus enregistrées.");
        assertThat(plain(text("health"))).startsWith("Le serveur signale un problème :");
        assertThat(attr("health", "data-state")).isEqualTo("failing");
        browser.screenshot("16-health-failing");

        browser.driver.get(server.url("/?lang=en"));
        browser.waitFor(WAIT, "the failing check in English", d ->
                text("health").contains("The database does not answer: requests go through but are no longer recorded."));
    }

    /** Renames the sessions table from a second connection: the server's next query of it fails. */
    private static void breakDatabase(Path db) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000");
            statement.execute("ALTER TABLE sessions RENAME TO sessions_gone");
        }
    }
}
