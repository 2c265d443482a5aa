package io.firehosebridge.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.core.ConditionFactory;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import io.firehosebridge.reconcile.SearchAndBackup;
import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.HeadlessChromium;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The coverage page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium) against the packaged service, its own topic, ledger and job topic on the real local stack: the page
 * asks for the token and shows a refused one as an error; the delivered partition turns complete; documents
 * deleted behind the service's back show as a missing stretch with their offsets; a re-drive from the page turns
 * it complete again. The screenshots in docs/coverage-page.md come from this test (written to {@code coverage.screenshots},
 * by default {@code target/screenshots}; {@code -Dcoverage.screenshots=docs/images} refreshes them).
 */
@EndToEnd
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoveragePageIT {

    private static final Logger LOG = Logger.getLogger(CoveragePageIT.class);
    /** The service's HTTP port, this test's alone; it delivers to the stack's local Firehose endpoint (4573). */
    private static final int HTTP_PORT = FreePorts.next();
    private static final String RUN = "coverage-" + LocalStackResource.RUN;
    private static final String TOPIC = "it-clicks-" + RUN;
    private static final String TOKEN = "page-token-" + LocalStackResource.RUN;
    private static final Path SHOTS = Path.of(System.getProperty("coverage.screenshots", "target/screenshots"));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ServiceProcess service;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        LocalStackResource.ensureStarted();
        Topics.create(List.of(new NewTopic(TOPIC, 2, (short) 1)));
        Map<String, String> props = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "mp.messaging.incoming.clicks.topic", TOPIC,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + RUN,
                "mp.messaging.outgoing.dead-letters.topic", TOPIC + "-dlq",
                "bridge.reconcile.ledger.topic", TOPIC + "-ledger",
                "bridge.reconcile.jobs.topic", TOPIC + "-jobs",
                "bridge.reconcile.api-token", TOKEN,
                "bridge.coverage.refresh-interval", "1s"));
        props.putAll(Map.of(
                "bridge.reconcile.delivery-window", "10s",
                "bridge.reconcile.lag-allowance", "2m",
                "bridge.reconcile.ledger.flush-interval", "500ms",
                "bridge.reconcile.ledger.verify-interval", "1s",
                "bridge.reconcile.ledger.recheck-interval", "3s",
                "bridge.reconcile.jobs.heartbeat-interval", "1s"));
        service = new ServiceProcess("coverage-page", HTTP_PORT, props).start();

        chromium = new HeadlessChromium();
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void showsCoverageAndRedrivesAMissingStretchFromThePage() throws Exception {
        ClickProducer.Span span = produce(240);
        assertThat(span.count()).isGreaterThanOrEqualTo(60);
        int p = span.partition();
        LOG.infof("Produced %d events; partition %d holds %d..%d", 240, p, span.from(), span.to() - 1);

        // Without a token the page says what it needs; a wrong token is an error, not a blank page.
        browser.get("http://127.0.0.1:" + HTTP_PORT + "/coverage/");
        WebElement error = drawn("#error");
        onPage().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(error.getText()).contains("401", "Enter the API token above"));
        enterToken("not-the-token");
        onPage().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(error.getText()).contains("401", "not valid"));
        assertThat(error.isDisplayed()).isTrue();
        assertThat(drawn("h1").getText()).isEqualTo("Delivery coverage");
        screenshot("coverage-wrong-token.png");

        // The right token: the delivered partition turns complete, every offset confirmed on both sides.
        enterToken(TOKEN);
        String section = "#p-" + TOPIC + "-" + p;
        onPage().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector(section)).getAttribute("data-state")).isEqualTo("complete");
            for (String side : List.of("search", "backup")) {
                List<WebElement> segs = segments(section + " .ledger-bars", side);
                assertThat(segs).hasSize(1);
                assertThat(segs.get(0).getAttribute("data-state")).isEqualTo("CONFIRMED");
                assertThat(Long.parseLong(segs.get(0).getAttribute("data-first"))).isEqualTo(span.from());
                assertThat(Long.parseLong(segs.get(0).getAttribute("data-last"))).isEqualTo(span.to() - 1);
            }
            // The figures cover every partition: the other one may be confirmed a verifier round later.
            assertThat(browser.findElement(By.id("fig-search")).getText()).isEqualTo("0");
            assertThat(browser.findElement(By.id("fig-oldest")).getText()).isEqualTo("none");
            assertThat(browser.findElement(By.cssSelector(section + " .badge")).getText()).contains("Complete");
        });
        assertThat(error.isDisplayed()).isFalse();
        screenshot("coverage-complete.png");

        // The token stays in the tab's memory: not in storage, cookies, the address or the page.
        JavascriptExecutor js = browser;
        assertThat(js.executeScript("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
        assertThat(js.executeScript("return document.cookie")).isEqualTo("");
        assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
        assertThat(browser.getPageSource()).doesNotContain(TOKEN);

        // Documents deleted behind the service's back: a reconciliation from the page names the missing stretch.
        long gapFirst = span.from() + 20;
        long gapLast = span.from() + 29;
        List<SearchAndBackup.Doc> docs = SearchAndBackup.docs(TOPIC, p, LongStream.rangeClosed(gapFirst, gapLast).boxed().toList());
        assertThat(docs).hasSize(10);
        SearchAndBackup.delete(docs);
        String report = reconcileAndAwait(section, "MISSING", gapFirst, gapLast);
        assertThat(segments(report, "backup")).allSatisfy(s -> assertThat(s.getAttribute("data-state")).isEqualTo("CONFIRMED"));
        assertThat(drawn(section + " .report-attention").getText()).contains("Search: missing " + gapFirst + "–" + gapLast + " (10 offsets)");
        assertThat(drawn(section + " .report-status").getAttribute("data-status")).isIn("PENDING", "INCOMPLETE");

        // Selecting the stretch names its offsets and the Kafka timestamps it spans (read from Kafka after the click).
        segments(report, "search", "MISSING").get(0).click();
        onPage().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector(section + " .details .times")).getText())
                    .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC to \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
            assertThat(browser.findElement(By.cssSelector(section + " .details")).getText()).contains(gapFirst + "–" + gapLast + " (10)");
        });
        screenshot("coverage-missing.png");

        // Re-drive from the page: it sends the ten records again and checks until the range is complete.
        click(section + " button.redrive");
        onPage().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector(section + " .report-status")).getAttribute("data-status")).isEqualTo("COMPLETE");
            assertThat(segments(report, "search")).allSatisfy(s -> assertThat(s.getAttribute("data-state")).isEqualTo("CONFIRMED"));
            assertThat(browser.findElement(By.cssSelector(section + " .redrive-result")).getText()).contains("10 of 10 missing records sent again");
        });
        assertThat(SearchAndBackup.docs(TOPIC, p, LongStream.rangeClosed(gapFirst, gapLast).boxed().toList())).hasSize(10);
        screenshot("coverage-redriven.png");

        // Narrow screen: everything fits the width.
        browser.manage().window().setSize(new Dimension(420, 1000));
        onPage().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0L));
        screenshot("coverage-narrow.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    @Test
    @Order(2)
    void repairsADuplicateFromThePageDryRunFirst() throws Exception {
        ClickProducer.Span span = produce(120);
        int p = span.partition();
        long copied = span.from() + 5;
        onPage().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> SearchAndBackup.docs(TOPIC, p, List.of(copied)).size() == 1);
        SearchAndBackup.copy(SearchAndBackup.docs(TOPIC, p, List.of(copied)));

        browser.get("http://127.0.0.1:" + HTTP_PORT + "/coverage/");
        enterToken(TOKEN);
        String section = "#p-" + TOPIC + "-" + p;
        setNumber(section + " input.from", span.from());
        setNumber(section + " input.to", span.to());
        String report = reconcileAndAwait(section, "DUPLICATED", copied, copied);
        assertThat(drawn(section + " .report-attention").getText()).contains("Search: duplicated " + copied + " (1 offset; 2 copies)");

        // Dry run first (POST /reconciliations/{id}/repair?dryRun=true): the page reports what would go and deletes nothing.
        click(section + " button.repair");
        onPage().atMost(Duration.ofSeconds(60)).until(() -> !browser.findElements(By.cssSelector(section + " button.repair-confirm")).isEmpty());
        assertThat(drawn(section + " .repair-result").getText()).contains("nothing changed yet",
                "1 duplicated offset: 1 copy kept, 1 would be deleted", "partition " + p + ", offset " + copied + ": keep ", "would delete ");
        assertThat(SearchAndBackup.docs(TOPIC, p, List.of(copied))).hasSize(2);
        screenshot("coverage-repair-dry-run.png");
        click(section + " button.repair-confirm");
        onPage().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector(section + " .report-status")).getAttribute("data-status")).isEqualTo("COMPLETE");
            assertThat(segments(report, "search", "DUPLICATED")).isEmpty();
        });
        assertThat(SearchAndBackup.docs(TOPIC, p, List.of(copied))).hasSize(1);
    }

    @Test
    @Order(3)
    void servesTheCoverageBesideTheReconciliationPathsBehindTheToken() throws Exception {
        assertThat(call("/reconciliations/ledger/coverage", null).statusCode()).isEqualTo(401);
        HttpResponse<String> coverage = call("/reconciliations/ledger/coverage?topic=" + TOPIC, TOKEN);
        assertThat(coverage.statusCode()).as(coverage.body()).isEqualTo(200);
        assertThat(coverage.body()).contains("\"topic\":\"" + TOPIC + "\"", "\"unconfirmedSearch\"", "\"stretches\"");
        // The paths it sits beside still answer as before.
        HttpResponse<String> ledger = call("/reconciliations/ledger?topic=" + TOPIC, TOKEN);
        assertThat(ledger.statusCode()).as(ledger.body()).isEqualTo(200);
        assertThat(ledger.body()).contains("\"entries\"");
        HttpResponse<String> sync = call("/reconciliations/" + TOPIC + "/0?from=0&to=5", TOKEN);
        assertThat(sync.statusCode()).as(sync.body()).isEqualTo(200);
        assertThat(sync.body()).contains("\"report\"");
        HttpResponse<String> wrong = call("/reconciliations/ledger/coverage/timestamps?topic=" + TOPIC + "&partition=0&first=5&last=1", TOKEN);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(wrong.body()).contains("'last' (1) must not be less than 'first' (5)");
    }

    /**
     * Waits on the live page. It draws a partition's section only once the ledger's coverage names the partition, and its
     * report, buttons and results only when a job has answered, so an element may not exist yet at one poll (CI once
     * failed on a section looked up before the page drew it); it redraws bars and reports as the ledger and jobs move on,
     * so an element found in one poll may be replaced before it is read (a stale element). Either way the next poll
     * looks again, until the deadline.
     */
    private static ConditionFactory onPage() {
        return await().ignoreExceptionsMatching(e -> e instanceof NoSuchElementException || e instanceof StaleElementReferenceException);
    }

    /** The element once the page has drawn it. */
    private static WebElement drawn(String selector) {
        return onPage().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> browser.findElement(By.cssSelector(selector)), e -> e.isDisplayed());
    }

    /** Clicks the element once the page has drawn it and it is enabled (buttons are disabled while a job runs). */
    private static void click(String selector) {
        onPage().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            WebElement element = browser.findElement(By.cssSelector(selector));
            if (!element.isDisplayed() || !element.isEnabled()) {
                return false;
            }
            element.click();
            return true;
        });
    }

    private static HttpResponse<String> call(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Produces events to the test's topic; the span of the partition that got the most. */
    private static ClickProducer.Span produce(int events) throws Exception {
        try (ClickProducer producer = new ClickProducer()) {
            return producer.clicks(TOPIC, events).stream().max(Comparator.comparingLong(ClickProducer.Span::count)).orElseThrow();
        }
    }

    private static List<WebElement> segments(String bars, String side) {
        return browser.findElements(By.cssSelector(bars + " .bar[data-side=" + side + "] .seg"));
    }

    private static List<WebElement> segments(String bars, String side, String state) {
        return browser.findElements(By.cssSelector(bars + " .bar[data-side=" + side + "] .seg[data-state=" + state + "]"));
    }

    /** Reconciles the range in the section's form from the page; waits for the search bar's one stretch in that state. */
    private static String reconcileAndAwait(String section, String state, long first, long last) {
        click(section + " button.check");
        String report = section + " .report-bars";
        onPage().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            List<WebElement> found = segments(report, "search", state);
            assertThat(found).hasSize(1);
            assertThat(found.get(0).getAttribute("data-first")).isEqualTo(Long.toString(first));
            assertThat(found.get(0).getAttribute("data-last")).isEqualTo(Long.toString(last));
        });
        return report;
    }

    private static void enterToken(String token) {
        WebElement input = drawn("#token");
        input.clear();
        input.sendKeys(token);
        click("#token-use");
    }

    /**
     * Types the number into the input once the page has drawn it, and waits until the input holds exactly that (the page
     * fills the range inputs from the ledger on each refresh until the user types into them).
     */
    private static void setNumber(String selector, long value) {
        onPage().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            WebElement input = browser.findElement(By.cssSelector(selector));
            if (!Long.toString(value).equals(input.getAttribute("value"))) {
                input.clear();
                input.sendKeys(Long.toString(value));
            }
            assertThat(input.getAttribute("value")).isEqualTo(Long.toString(value));
        });
    }

    private static void screenshot(String name) throws Exception {
        chromium.screenshot(SHOTS.resolve(name));
    }
}
